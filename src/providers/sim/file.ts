// The state file behind a simulated cluster: loaded lazily, written atomically, writes coalesced.
//
// Why coalesced: an apply makes thousands of small changes per second; writing the whole file for
// each would cost more than the simulation itself. Changes mark the state dirty; a timer writes it
// at most every FLUSH_MS (longer when the file is big, so saving never takes more than about a
// third of the time), one write at a time, and close() always writes what is left.
// Why atomic (temp file + rename, state-file.ts): a reader — a second process, `cluster plan`
// next to a running `apply --watch` — always sees a whole file, old or new, never half of one.
// Every write keeps the previous version as `<file>.bak` (a corrupt file can be restored from it),
// and the first load removes temp files a killed writer left.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { systemError } from '../../manifest/user-file.js';
import { UserError } from '../../model/diagnostic.js';
import { decodeSimState, encodeSimState } from './format.js';
import { SimState } from './state.js';
import { backupOf, removeStaleTemps, writeStateFileAsync } from '../state-file.js';

const FLUSH_MS = 50;

export function simStatePath(dir: string, cluster: string): string {
  return join(dir, '.cluster', `${cluster}.sim.json`);
}

/** Writes a whole simulated cluster at once (benchmarks seed big clusters this way). */
export async function writeSimState(file: string, state: SimState): Promise<void> {
  await writeStateFileAsync(file, encodeSimState(state));
}

export class SimStateFile {
  private current?: SimState;
  private loading?: Promise<SimState>;
  /** Identity of the file we last read or wrote: another writer changes it. */
  private stamp?: string;
  private dirty = false;
  private writing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private intervalMs = FLUSH_MS;
  private failure?: unknown;

  constructor(
    readonly path: string,
    readonly cluster: string,
  ) {}

  /** The state, loaded on first use (a missing file is an empty cluster). */
  state(): Promise<SimState> {
    if (this.current) return Promise.resolve(this.current);
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** The state when it is loaded already (no read to wait for). */
  loaded(): SimState | undefined {
    return this.current;
  }

  /** Call after every change: the change is saved within FLUSH_MS (or at close). */
  changed(): void {
    this.dirty = true;
    if (!this.writing) this.schedule();
  }

  /**
   * Picks up what another process (or another driver on the same file) saved since we read it, so
   * a long-running watch sees drift made behind its back. Unsaved changes of our own win.
   */
  async refresh(): Promise<void> {
    if (!this.current || this.dirty || this.writing) return;
    const now = await stampOf(this.path);
    if (now === this.stamp || !this.current || this.dirty || this.writing) return;
    this.current = undefined;
    await this.state();
  }

  /** Writes pending changes now; never two writes at once. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    if (!this.dirty || !this.current) return;
    this.writing = this.writeOnce().finally(() => {
      this.writing = undefined;
      if (this.dirty && !this.failure) this.schedule();
    });
    await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private schedule(): void {
    // Not unref'd on purpose: a process that forgets close() still saves before it exits.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => (this.failure = err)); // close() retries and reports it
    }, this.intervalMs);
  }

  private async load(): Promise<SimState> {
    removeStaleTemps(this.path);
    // Stat before reading: if the file is replaced in between, the next refresh reads it again.
    const stamp = await stampOf(this.path);
    let text: string | undefined;
    try {
      // Only a regular file: a FIFO or device planted at this path would block or never end.
      if (!(await stat(this.path)).isFile()) throw unreadable(this.path, 'it is not a regular file');
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (err instanceof UserError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(this.path, systemError(err));
    }
    const state = text === undefined ? new SimState(this.cluster) : await decodeOrExplain(text, this.path, this.cluster);
    this.current = state;
    this.stamp = stamp;
    return state;
  }

  private async writeOnce(): Promise<void> {
    const state = this.current!;
    this.dirty = false;
    this.failure = undefined;
    const started = performance.now();
    try {
      await writeStateFileAsync(this.path, encodeSimState(state));
      this.stamp = await stampOf(this.path);
    } catch (err) {
      this.dirty = true;
      this.failure = err;
      throw err;
    }
    this.intervalMs = Math.max(FLUSH_MS, 2 * (performance.now() - started));
  }
}

async function stampOf(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'none';
  }
}

/** A state file that cannot be decoded is named, with the way back: its previous version, or a fresh start. */
async function decodeOrExplain(text: string, file: string, cluster: string): Promise<SimState> {
  try {
    return decodeSimState(text, file, cluster);
  } catch (err) {
    const why = err instanceof UserError ? err.diagnostics[0]!.message : `cannot read the simulated cluster state ${file}: it is corrupt (${(err as Error).message})`;
    throw UserError.plain(why, await restoreHint(file));
  }
}

async function restoreHint(file: string): Promise<string> {
  const bak = backupOf(file);
  const fresh = 'delete the file to start the simulated cluster from scratch (it is simulation state only)';
  return (await stat(bak).catch(() => undefined)) ? `restore the previous state with \`cp ${bak} ${file}\`, or ${fresh}` : fresh;
}

function unreadable(file: string, why: string): UserError {
  return UserError.plain(`cannot read the simulated cluster state ${file}: ${why}`, 'this path holds the sim state file the tool writes: move what is there away and run again');
}
