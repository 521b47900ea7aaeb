// The lock as a file in the cluster's state folder (sim, and clusters without a shared engine).
// Complete before visible: the content goes into a temp file first, which link() then puts at the
// lock's path, failing if that path exists — atomic and never replacing. The lease is the lock
// file's mtime, renewed through our own open descriptor (futimes), so a run can only ever extend
// its own file, even after another run took the path over. Removal renames the path aside, checks
// the inode is the one it meant, and puts anything else back: a stale lock is never confused with
// the fresh one a racer has just created.
import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, futimesSync, linkSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LockInfo, LockLeftover, LockRecord, LockStore } from './lock.js';

// Temp files of a run killed between write and link; older than this they belong to nobody.
const DEBRIS_AGE_MS = 60_000;

export class FileLockStore implements LockStore {
  readonly where: string;
  /** Descriptor of our own lock file, for renewal. */
  private fd: number | undefined;

  constructor(private readonly file: string) {
    this.where = file;
  }

  async tryCreate(info: LockInfo): Promise<{ created: LockRecord } | { held: LockRecord | undefined }> {
    const temp = `${this.file}.${info.id}.tmp`;
    writeFileSync(temp, JSON.stringify(info) + '\n', { flag: 'wx' });
    const fd = openSync(temp, 'r+');
    try {
      linkSync(temp, this.file);
    } catch (err) {
      closeSync(fd);
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return { held: await this.read() };
    } finally {
      rmSync(temp, { force: true });
    }
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = fd;
    const st = statSync(this.file, { bigint: true });
    return { created: { ref: String(st.ino), info, renewedAt: Number(st.mtimeMs) } };
  }

  async read(): Promise<LockRecord | undefined> {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      const text = readFileSync(fd, 'utf8');
      return { ref: String(st.ino), info: parse(text), renewedAt: Number(st.mtimeMs) };
    } finally {
      closeSync(fd);
    }
  }

  async renew(mine: LockRecord): Promise<boolean> {
    if (this.fd === undefined) return false;
    const now = new Date();
    futimesSync(this.fd, now, now);
    if ((await this.inode()) === mine.ref) return true;
    // Maybe a racer's remove() has our file aside for an instant (it then puts it back): look again.
    await new Promise((r) => setTimeout(r, 50));
    return (await this.inode()) === mine.ref;
  }

  async remove(record: LockRecord): Promise<boolean> {
    const aside = `${this.file}.${randomUUID().slice(0, 8)}.gone`;
    try {
      renameSync(this.file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    const moved = String(statSync(aside, { bigint: true }).ino);
    if (moved !== record.ref) {
      // A racer's fresh lock: put it back (unless yet another run created one meanwhile, which that
      // racer's next renewal reports), and leave this one alone.
      try {
        linkSync(aside, this.file);
      } catch {
        /* its holder is told at its next renewal */
      }
      rmSync(aside, { force: true });
      return false;
    }
    rmSync(aside, { force: true });
    if (this.fd !== undefined && (await this.ownsInode(record.ref))) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    return true;
  }

  async leftovers(): Promise<LockLeftover[]> {
    const dir = dirname(this.file);
    const prefix = `${basename(this.file)}.`;
    const found: LockLeftover[] = [];
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    for (const name of names) {
      if (!name.startsWith(prefix) || !/\.(tmp|gone)$/.test(name)) continue;
      const path = join(dir, name);
      try {
        if (Date.now() - statSync(path).mtimeMs < DEBRIS_AGE_MS) continue;
      } catch {
        continue;
      }
      found.push({ what: `${path} (left by an interrupted run)`, remove: async () => rmSync(path, { force: true }) });
    }
    return found;
  }

  private async inode(): Promise<string | undefined> {
    try {
      return String(statSync(this.file, { bigint: true }).ino);
    } catch {
      return undefined;
    }
  }

  private async ownsInode(ref: string): Promise<boolean> {
    return this.fd !== undefined && String(fstatSync(this.fd, { bigint: true }).ino) === ref;
  }
}

function parse(text: string): LockInfo | undefined {
  try {
    const info = JSON.parse(text) as LockInfo;
    return info && typeof info.id === 'string' && typeof info.holder === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

export function fileLockStore(stateDir: string): FileLockStore {
  return new FileLockStore(join(stateDir, 'lock.json'));
}
