// The lock as a file in the cluster's state folder (sim, and clusters without a shared engine).
// Complete before visible: the content goes into a temp file first, which link() then puts at the
// lock's path, failing if that path exists — atomic and never replacing. The lease is the lock
// file's mtime, renewed through our own open descriptor (futimes), so a run can only ever extend
// its own file, even after another run took the path over. Removal renames the path aside, checks
// the inode is the one it meant, and puts anything else back: a stale lock is never confused with
// the fresh one a racer has just created.
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, constants, fstatSync, futimesSync, linkSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type BigIntStats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseLockInfo, type LockInfo, type LockLeftover, type LockRecord, type LockStore } from '../providers/lock-store.js';

// Temp files of a run killed between write and link; older than this they belong to nobody.
const DEBRIS_AGE_MS = 60_000;
// A lock file is a line of JSON; anything much bigger is not one (and is not read).
const MAX_LOCK_BYTES = 64 * 1024;

export class FileLockStore implements LockStore {
  readonly where: string;
  /** Our own lock file: a descriptor for renewal, and its identity. */
  private own: { fd: number; ref: string } | undefined;

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
    const st = fstatSync(fd, { bigint: true });
    const ref = refOf(st.ino, JSON.stringify(info) + '\n');
    if (this.own) closeSync(this.own.fd);
    this.own = { fd, ref };
    return { created: { ref, info, renewedAt: Number(st.mtimeMs) } };
  }

  async read(): Promise<LockRecord | undefined> {
    const found = readLock(this.file);
    return found && { ref: found.ref, info: parseLockInfo(found.text), renewedAt: found.mtimeMs };
  }

  async renew(mine: LockRecord): Promise<boolean> {
    if (this.own?.ref !== mine.ref) return false;
    const now = new Date();
    futimesSync(this.own.fd, now, now);
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
    if (readLock(aside)?.ref !== record.ref) {
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
    rmSync(aside, { recursive: true, force: true }); // whatever stood at the lock's path, a directory included
    if (this.own?.ref === record.ref) {
      closeSync(this.own.fd);
      this.own = undefined;
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
    return readLock(this.file)?.ref;
  }
}

/** A lock file's identity: its inode (freed inode numbers are reused at once) and its content (the lock's random id). */
function refOf(ino: bigint, text: string): string {
  return `${ino}/${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

function readLock(path: string): { ref: string; text: string; mtimeMs: number } | undefined {
  // Never open what is not a regular file: a FIFO would block the open for good, a link could lead
  // anywhere. Such a thing at the lock's path reads as an unreadable lock, which is taken over once old.
  let st: BigIntStats;
  try {
    st = lstatSync(path, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!st.isFile() || st.size > MAX_LOCK_BYTES) return { ref: `special/${st.ino}`, text: '', mtimeMs: Number(st.mtimeMs) };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    const text = readFileSync(fd, 'utf8');
    return { ref: refOf(st.ino, text), text, mtimeMs: Number(st.mtimeMs) };
  } finally {
    closeSync(fd);
  }
}


/** One lock per cluster: two sim clusters sharing a folder never wait for, or unlock, each other. */
export function fileLockStore(stateDir: string, cluster: string): FileLockStore {
  return new FileLockStore(join(stateDir, `${cluster}.lock.json`));
}
