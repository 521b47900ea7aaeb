// Watch mode: keep the cluster converged while the manifest is edited and while the world drifts.
// chokidar watches the manifest and every file it pulls in; bursts of saves are debounced; an invalid
// edit is reported and the last good desired state stays in force; runs never overlap — a change
// that arrives during a run schedules exactly one more run after it. A periodic re-observe catches
// drift (a container killed, a machine stopped) that no file event announces.
import chokidar, { type FSWatcher } from 'chokidar';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Desired } from '../model/desired.js';

export type Loaded = { ok: true; desired: Desired; files: string[] } | { ok: false; diagnostics: Diagnostic[]; files: string[] };

export interface WatchOptions {
  load: () => Loaded;
  converge: (desired: Desired, why: string) => Promise<void>;
  onInvalid: (diagnostics: Diagnostic[]) => void;
  log: (line: string) => void;
  debounceMs: number;
  intervalMs: number;
  signal: AbortSignal;
  /** Receives the function engine events call: drift is re-observed within a moment, not at the next interval. */
  onTrigger?: (trigger: (why: string) => void) => void;
}

export async function watchLoop(o: WatchOptions): Promise<void> {
  let good: Desired | undefined;
  let watcher: FSWatcher | undefined;
  let watched = new Set<string>();
  let running: Promise<void> | undefined;
  let again: string | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const reload = (): boolean => {
    const r = o.load();
    syncWatched(r.files);
    if (!r.ok) {
      o.onInvalid(r.diagnostics);
      o.log(good ? 'manifest invalid: keeping the last good one in force' : 'manifest invalid: waiting for a valid edit');
      return false;
    }
    good = r.desired;
    return true;
  };

  const syncWatched = (files: string[]) => {
    const next = new Set(files);
    const added = files.filter((f) => !watched.has(f));
    const removed = [...watched].filter((f) => !next.has(f));
    watched = next;
    if (!watcher) {
      watcher = chokidar.watch([...next], { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 30, pollInterval: 10 } });
      watcher.on('all', (event, path) => fileChanged(`${path} ${event === 'unlink' ? 'removed' : 'changed'}`));
      return;
    }
    if (added.length) watcher.add(added);
    if (removed.length) watcher.unwatch(removed);
  };

  const run = (why: string) => {
    if (o.signal.aborted || !good) return;
    if (running) {
      again = why;
      return;
    }
    const desired = good;
    running = o
      .converge(desired, why)
      .catch((err) => o.log(`converge failed: ${(err as Error).message}`))
      .finally(() => {
        running = undefined;
        if (again !== undefined) {
          const next = again;
          again = undefined;
          run(next);
        }
      });
  };

  const fileChanged = (why: string) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => reload() && run(why), o.debounceMs);
  };

  // Events that arrive during a run are that run's own doing (removals, restarts): ignored.
  let drift: NodeJS.Timeout | undefined;
  o.onTrigger?.((why) => {
    if (running || o.signal.aborted) return;
    clearTimeout(drift);
    drift = setTimeout(() => run(why), 150);
  });

  if (reload()) run('start');
  const periodic = setInterval(() => run('periodic re-observe'), o.intervalMs);
  await new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true }));
  clearInterval(periodic);
  clearTimeout(debounce);
  clearTimeout(drift);
  await watcher?.close();
  await running;
}
