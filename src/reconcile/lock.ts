// One apply at a time per cluster. The lock lives where every machine of the cluster can be
// reached from: on the docker driver's host engine (a labelled network named after the cluster:
// created atomically, no image needed) or, for sim and generic clusters, in the cluster's state
// folder (a file created exclusively). Plan takes no lock.
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';

export interface LockInfo {
  id: string;
  holder: string; // user@host pid N, command
  since: string; // ISO time
}

export interface LockStore {
  /** Create the lock; if someone holds it, return their lock instead. */
  tryCreate(info: LockInfo): Promise<LockInfo | undefined>;
  read(): Promise<LockInfo | undefined>;
  remove(): Promise<void>;
  readonly where: string;
}

export class FileLockStore implements LockStore {
  readonly where: string;
  constructor(private readonly file: string) {
    this.where = file;
  }

  async tryCreate(info: LockInfo): Promise<LockInfo | undefined> {
    try {
      writeFileSync(this.file, JSON.stringify(info) + '\n', { flag: 'wx' });
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return (await this.read()) ?? { id: '?', holder: 'unknown (unreadable lock file)', since: '?' };
    }
  }

  async read(): Promise<LockInfo | undefined> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LockInfo;
    } catch {
      return undefined;
    }
  }

  async remove(): Promise<void> {
    rmSync(this.file, { force: true });
  }
}

export function fileLockStore(stateDir: string): FileLockStore {
  return new FileLockStore(join(stateDir, 'lock.json'));
}

export function describeHolder(command: string): string {
  return `${userInfo().username}@${hostname()} pid ${process.pid} (${command})`;
}

export class LockedError extends Error {}

/**
 * Take the lock, waiting up to `timeoutMs` for a holder to finish. Returns the release function.
 * A crashed holder's lock stays until `cluster unlock --force ID`.
 */
export async function acquire(store: LockStore, command: string, timeoutMs: number, log: (line: string) => void): Promise<() => Promise<void>> {
  const mine: LockInfo = { id: randomUUID().slice(0, 8), holder: describeHolder(command), since: new Date().toISOString() };
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    const held = await store.tryCreate(mine);
    if (!held) {
      return async () => {
        const now = await store.read();
        if (now?.id === mine.id) await store.remove();
      };
    }
    if (Date.now() >= deadline) {
      throw new LockedError(
        `the cluster is locked by ${held.holder} since ${held.since} (lock ${held.id}, ${store.where}); ` +
          `wait for it${timeoutMs ? ' longer' : ''} (--lock-timeout 5m), or if that run crashed: cluster unlock --force ${held.id}`,
      );
    }
    if (!said) log(`waiting for the lock held by ${held.holder} since ${held.since} (lock ${held.id})`);
    said = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}
