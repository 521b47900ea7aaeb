// The one owner of process signals. `apply`, `destroy` and `watch` run inside interruptible(): it
// installs the only SIGINT/SIGTERM handlers and owns the AbortController whose signal the session
// gets. First signal: abort (the session starts nothing new, lets running actions finish within
// their grace period, reports, and its opener releases the lock); the exit code is then 130 for
// SIGINT, 143 for SIGTERM (128 + signal number, as shells expect), never 0. A second signal ends the
// process at once: what was registered with onForcedExit (the lock's release) gets at most
// FORCED_RELEASE_MS, then exit.
import { onBrokenOutput } from './broken-pipe.js';

// A closed output pipe (`cluster apply | head`) stops the run like SIGTERM, with SIGPIPE's code.
const EXIT_CODE = { SIGINT: 130, SIGTERM: 143, SIGPIPE: 141 } as const;
type StopSignal = keyof typeof EXIT_CODE;

/** A second signal waits this long for releases (the lock) before the process ends anyway. */
export const FORCED_RELEASE_MS = 2_000;

export interface Interrupts {
  /** Aborted by the first SIGINT/SIGTERM; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** `release` runs if a second signal ends the process before the caller's own cleanup does. Returns the unregister function. */
  onForcedExit(release: () => Promise<void>): () => void;
}

export interface InterruptIo {
  say: (line: string) => void;
  exit: (code: number) => void;
}

const processIo: InterruptIo = {
  say: (line) => process.stderr.write(line + '\n'),
  exit: (code) => process.exit(code),
};

/**
 * Runs a command with the stop contract above. Errors go to `report` (which prints them and gives
 * the exit code) so an interrupted run that then fails still exits 130/143.
 */
export async function interruptible(command: (i: Interrupts) => Promise<number>, report: (err: unknown) => number, io: InterruptIo = processIo): Promise<number> {
  const abort = new AbortController();
  const releases = new Set<() => Promise<void>>();
  let received: StopSignal | undefined;

  const forcedExit = async (code: number) => {
    await settleWithin([...releases], FORCED_RELEASE_MS);
    io.exit(code);
  };
  const onSignal = (sig: StopSignal) => {
    if (received) {
      io.say(`${sig} again: quitting now${releases.size ? ', releasing the lock' : ''}; running actions are cut off (run apply again to converge)`);
      void forcedExit(EXIT_CODE[sig]);
      return;
    }
    received = sig;
    // A closed output is said at the end, when it is known whether it cut the run short: `apply | head -1`
    // usually closes it after the work is done, and "stopping" would then mislead.
    if (sig !== 'SIGPIPE') io.say(`\n${sig}: stopping; nothing new starts, running actions finish (${sig === 'SIGINT' ? 'Ctrl-C again' : 'send it again'} to quit at once)`);
    abort.abort(sig);
  };
  const handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  const stopOnBrokenPipe = onBrokenOutput(() => {
    if (!received) onSignal('SIGPIPE');
  });

  try {
    let code: number;
    try {
      code = await command({
        signal: abort.signal,
        onForcedExit: (release) => {
          releases.add(release);
          return () => releases.delete(release);
        },
      });
    } catch (err) {
      code = report(err);
    }
    if (!received) return code;
    if (received === 'SIGPIPE') io.say(code === 0 ? 'the output was closed after the run had done everything it planned (exit 141)' : 'the output was closed: the run stopped early, nothing new was started (`cluster plan` shows what is left)');
    // Releases still registered (a cluster whose opening the stop cut short) get their bounded time;
    // then work cut off at the end of its grace period (an engine call, its timers) must not keep an
    // interrupted process alive: everything worth waiting for has been waited for.
    await settleWithin([...releases], FORCED_RELEASE_MS);
    setTimeout(() => io.exit(EXIT_CODE[received!]), 500).unref();
    return EXIT_CODE[received];
  } finally {
    process.off('SIGINT', handlers.SIGINT);
    process.off('SIGTERM', handlers.SIGTERM);
    stopOnBrokenPipe();
  }
}

async function settleWithin(releases: (() => Promise<void>)[], ms: number): Promise<void> {
  if (releases.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled(releases.map((release) => release())), bound]);
  clearTimeout(timer);
}

/**
 * Opens a cluster unless the stop comes first: waiting for another run's lock (`--lock-timeout`) or
 * observing a slow engine must not outlast Ctrl-C. Stopped first: undefined, and the opening, when it
 * ends, is closed again (its lock released) within the bounded time interruptible() gives releases.
 */
export async function openUnlessStopped<T extends { close(): Promise<void> }>(interrupts: Interrupts, opening: Promise<T>): Promise<T | undefined> {
  const { signal } = interrupts;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const opened = await Promise.race([opening, stopped]);
    if (opened) return releasedOnForcedExit(interrupts, opened);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
  const late = opening.then(
    (o) => o.close(),
    () => undefined,
  );
  const unregister = interrupts.onForcedExit(() => late);
  void late.finally(unregister);
  return undefined;
}

/** Wraps an opened cluster so its close() runs once, and also on a forced exit. */
export function releasedOnForcedExit<T extends { close(): Promise<void> }>(interrupts: Interrupts, opened: T): T {
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= opened.close());
  const unregister = interrupts.onForcedExit(close);
  return {
    ...opened,
    close: async () => {
      try {
        await close();
      } finally {
        unregister();
      }
    },
  };
}
