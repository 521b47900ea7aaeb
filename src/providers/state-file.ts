// Files the tool keeps under .cluster/ (the sim state, protection records, the docker host):
// written whole or not at all, with the previous version kept beside them, and the debris of an
// interrupted write cleaned by the next run.
//
// Atomic: the text goes to `<file>.<pid>.<n>.tmp`, is flushed, then renamed over the file, so a
// reader (`cluster plan` beside a running apply) sees the old file or the new one, never half.
// The pid in the name is what lets a later run tell a dead writer's temp file from a live one's.
// Previous version: before the rename, the current file is hard-linked as `<file>.bak` — no copy
// (a sim state can be tens of MB, written every few hundred ms), and readers never see the file
// missing, as they would if it were renamed away first. A corrupt file can then be restored with
// `cp <file>.bak <file>`.
import { closeSync, copyFileSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let serial = 0;

/** Where the previous version of a state file is kept. */
export function backupOf(file: string): string {
  return `${file}.bak`;
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${++serial}.tmp`;
}

export function writeStateFile(file: string, text: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  removeStaleTemps(file);
  const temp = tempName(file);
  const fd = openSync(temp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    keepPrevious(file);
    renameSync(temp, file);
  } catch (err) {
    unlinkQuiet(temp);
    throw err;
  }
}

export async function writeStateFileAsync(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = tempName(file);
  const handle = await open(temp, 'w', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    keepPrevious(file); // a hard link and a rename: metadata only, nothing worth awaiting
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}

function keepPrevious(file: string): void {
  const bak = backupOf(file);
  const staged = `${bak}.${process.pid}.${++serial}.tmp`;
  try {
    linkSync(file, staged);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // first write: nothing to keep
    copyFileSync(file, staged); // a file system without hard links
  }
  renameSync(staged, bak);
}

/** A temp file of ours whose writer is gone, or one write-file-atomic (earlier versions) left, older than a minute. */
const OURS = /^(.*)\.(\d+)\.(\d+)\.tmp$/;
const WRITE_FILE_ATOMIC = /^(.*)\.(\d+)$/;
const ABANDONED_MS = 60_000;
/** A pid can be reused: a temp file this old is debris whatever its pid says. */
const SURELY_ABANDONED_MS = 3_600_000;

function isStale(name: string, base: string, mtimeMs: number, now: number): boolean {
  const age = now - mtimeMs;
  const ours = OURS.exec(name);
  if (ours && (ours[1] === base || ours[1] === `${base}.bak`)) return age > SURELY_ABANDONED_MS || !alive(Number(ours[2]));
  const theirs = WRITE_FILE_ATOMIC.exec(name);
  return Boolean(theirs && theirs[1] === base && age > ABANDONED_MS);
}

/** Removes what interrupted writes of this file left behind (kill -9 between write and rename). */
export function removeStaleTemps(file: string): string[] {
  const dir = dirname(file);
  const base = basename(file);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(base + '.') || name === `${base}.bak`) continue;
    try {
      if (isStale(name, base, statSync(join(dir, name)).mtimeMs, now)) {
        unlinkSync(join(dir, name));
        removed.push(name);
      }
    } catch {
      // gone already, or not ours to remove: either way nothing to do
    }
  }
  return removed;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, someone else's
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
