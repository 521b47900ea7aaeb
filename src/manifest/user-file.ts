// The one way a file the user names is read: manifests, compose files and their includes, .env,
// env_file, label_file, secret and config `file:`, saved plans. A file in a pull request can name
// any path, so reading must be bounded: only regular files (a FIFO blocks forever, /dev/zero never
// ends), nothing under /proc or /sys (kernel files report size 0 and can be endless, so no size
// check holds for them, and no configuration lives there), at most a size limit, and every system
// error said as a sentence that names the file. Content never appears in these messages.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';

/** Manifests and compose files of real projects are kilobytes; 10 MB leaves room and bounds the parse. */
export const MAX_USER_FILE_BYTES = 10 * 1024 * 1024;

export type UserFileResult = { ok: true; bytes: Buffer } | { ok: false; missing: boolean; message: string; hint?: string };

export interface UserFileOptions {
  /** What the file is, for the message: "manifest", "compose file", "env_file", "secret db_password file". */
  what: string;
  maxBytes?: number;
}

export function readUserFile(path: string, opts: UserFileOptions): UserFileResult {
  const max = opts.maxBytes ?? MAX_USER_FILE_BYTES;
  const fail = (why: string, hint?: string, missing = false): UserFileResult => ({ ok: false, missing, message: `cannot read ${opts.what} ${path}: ${why}`, ...(hint ? { hint } : {}) });
  let real: string;
  try {
    real = realpathSync(path);
    // Stat before open: opening a FIFO for reading blocks until a writer comes; a device may act on open.
    const why = refusal(statSync(real), real, max);
    if (why) return fail(why, 'name a regular file');
  } catch (err) {
    return fail(systemError(err), undefined, (err as NodeJS.ErrnoException).code === 'ENOENT');
  }
  let fd: number | undefined;
  try {
    // O_NONBLOCK: should the path have been swapped for a FIFO since the stat, open still returns
    // at once, and fstat of what was opened catches it.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
    const why = refusal(fstatSync(fd), real, max);
    if (why) return fail(why, 'name a regular file');
    return readBounded(fd, max, fail);
  } catch (err) {
    return fail(systemError(err));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The text of a file that must exist; a problem is thrown as the sentence (for callers that report it themselves). */
export function readUserText(path: string, opts: UserFileOptions): string {
  const r = readUserFile(path, opts);
  if (!r.ok) throw new UserFileError(r.message, r.hint, r.missing);
  return r.bytes.toString('utf8');
}

export class UserFileError extends Error {
  constructor(
    message: string,
    readonly hint: string | undefined,
    readonly missing: boolean,
  ) {
    super(message);
    this.name = 'UserFileError';
  }
}

function refusal(s: Stats, real: string, max: number): string | undefined {
  if (s.isDirectory()) return 'it is a directory';
  if (s.isFIFO()) return 'it is a named pipe (FIFO), not a regular file';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'it is a device, not a regular file';
  if (s.isSocket()) return 'it is a socket, not a regular file';
  if (!s.isFile()) return 'it is not a regular file';
  if (/^\/(proc|sys)(\/|$)/.test(real)) return `it is a kernel file under /${real.split('/')[1]}, not a regular file`;
  if (s.size > max) return `it is ${mb(s.size)}, more than the limit of ${mb(max)}`;
  return undefined;
}

/** Reads at most max bytes: a file that grows past the limit while being read is refused too. */
function readBounded(fd: number, max: number, fail: (why: string) => UserFileResult): UserFileResult {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > max) return fail(`it is more than the limit of ${mb(max)}`);
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
  }
  return { ok: true, bytes: Buffer.concat(chunks, total) };
}

const SENTENCES: Record<string, string> = {
  ENOENT: 'it does not exist',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links (a link loop?)',
  ENAMETOOLONG: 'the path is too long',
  EIO: 'an input/output error (a failing disk or a broken mount?)',
  EAGAIN: 'it is not ready to be read (not a regular file?)',
  ENXIO: 'no such device',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
  ESTALE: 'a stale network file handle',
};

/** A system error as a sentence; the code stays for whoever searches for it. */
export function systemError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && SENTENCES[code]) return `${SENTENCES[code]} (${code})`;
  return code ? `system error ${code}` : (err as Error).message;
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
