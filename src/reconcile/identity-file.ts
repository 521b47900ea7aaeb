// The checkout's identity: a random id made once per folder and cluster, kept in
// `.cluster/<cluster>.identity` and labelled on every object apply makes (io.cluster.id), so that two
// checkouts of one manifest (same `name:`) on one engine never take each other's objects for their own.
//
// Made exclusively, never half-written: the id goes to a flushed temp file that link() then puts at
// the path, failing if the path exists. Two runs at once end with one id (the loser reads the
// winner's); kill -9 leaves at most a temp file, which the next run removes (removeStaleTemps). Only
// `--adopt` replaces an id, atomically (rename), keeping the previous one in `<file>.bak`.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readUserFile } from '../manifest/user-file.js';
import { UserError } from '../model/diagnostic.js';
import { removeStaleTemps, writeStateFile } from '../providers/state-file.js';

/** What this tool makes: 128 random bits in hex. */
const ID = /^[0-9a-f]{32}$/;
let serial = 0;

export function identityFile(stateDir: string, cluster: string): string {
  return join(stateDir, `${cluster}.identity`);
}

export function isIdentity(id: string): boolean {
  return ID.test(id);
}

/** The folder's id, or undefined when it has none yet. A damaged file is an error, never replaced. */
export function readIdentity(stateDir: string, cluster: string): string | undefined {
  const file = identityFile(stateDir, cluster);
  const read = readUserFile(file, { what: 'the identity of this checkout', maxBytes: 1024 });
  if (!read.ok) {
    if (read.missing) return undefined;
    throw UserError.plain(read.message, read.hint);
  }
  const id = read.bytes.toString('utf8').trim();
  if (!isIdentity(id)) {
    throw UserError.plain(
      `${file} does not hold an identity (32 hex digits): objects of cluster "${cluster}" cannot be told from another checkout's`,
      `restore it from ${file}.bak, or write the id the objects of this folder carry (label io.cluster.id)`,
    );
  }
  return id;
}

/** The folder's id, made now when it has none. `created`: this call made it. */
export function ensureIdentity(stateDir: string, cluster: string): { id: string; created: boolean } {
  const known = readIdentity(stateDir, cluster);
  if (known) return { id: known, created: false };
  const file = identityFile(stateDir, cluster);
  mkdirSync(stateDir, { recursive: true });
  removeStaleTemps(file);
  const id = randomBytes(16).toString('hex');
  // The pattern removeStaleTemps knows: <file>.<pid>.<n>.tmp
  const temp = `${file}.${process.pid}.${++serial}.tmp`;
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeSync(fd, `${id}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { id: readIdentity(stateDir, cluster)!, created: false }; // another run made it first: one id
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // gone already
    }
  }
  return { id, created: true };
}

/** `--adopt`: from now on this folder is the checkout that made `id`'s objects. */
export function adoptIdentity(stateDir: string, cluster: string, id: string): void {
  if (!isIdentity(id)) throw new Error(`refusing to adopt ${JSON.stringify(id)}: not an identity this tool makes`);
  writeStateFile(identityFile(stateDir, cluster), `${id}\n`);
}
