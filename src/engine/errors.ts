// Which engine/driver failures are worth retrying. Retrying a 4xx (bad spec, conflict) never helps;
// a dropped connection, a 5xx from an overloaded daemon or an injected sim fault may.

/** Thrown by drivers/engines (and the sim's fault injection) for failures a retry may cure. */
export class TransientError extends Error {
  readonly transient = true;
  constructor(message: string) {
    super(message);
    this.name = 'TransientError';
  }
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOENT', 'EHOSTUNREACH']);

export function isTransient(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { transient?: unknown; code?: unknown; statusCode?: unknown; message?: unknown };
  if (e.transient === true) return true;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (typeof e.statusCode === 'number') return e.statusCode === 502 || e.statusCode === 503 || e.statusCode === 504;
  return typeof e.message === 'string' && /socket hang up|timed? ?out/i.test(e.message);
}

/** The reason dockerode hides in err.json.message, or the plain message. */
export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { json?: { message?: unknown }; message?: unknown };
    if (e.json && typeof e.json.message === 'string') return e.json.message;
    if (typeof e.message === 'string') return e.message;
  }
  return String(err);
}
