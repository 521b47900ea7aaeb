// Engine failures, typed once where the engine is called (DockerEngine, the drivers, the sim), so
// the core decides on a kind instead of poking at HTTP status codes. Like Kubernetes' Status: a
// closed set of reasons plus the engine's own words.
//
// dockerode's errors, as measured (docker-modem 5, dockerd 20.10):
// - an HTTP error has `statusCode`, a `reason` from dockerode's own table (which lies: a missing
//   image on create says "no such container") and the engine's sentence in `json.message`; the
//   message reads "(HTTP code 409) unexpected - Conflict. The container name ...";
// - start() of a running container is 304 (success for us); a name conflict is 409;
// - connection trouble has a `code` (ECONNREFUSED, ENOENT on a missing socket) and no status; a
//   request timeout destroys the socket and reads "socket hang up" (ECONNRESET);
// - a failed pull or build ends its progress stream normally: the error is in the last event.

export type EngineErrorKind =
  /** 409: the name is taken, the object is in use, an operation on it is already in progress. */
  | 'conflict'
  /** 404: no such container, image, network, service or node. */
  | 'notFound'
  /** 304: already in the state asked for (start of a running container). */
  | 'notModified'
  /** 502/503, connection refused or reset: the engine cannot answer now; a retry may cure it. */
  | 'unavailable'
  /** Any other 4xx (bad request, forbidden), or a 500 (the engine tried and failed: port taken, OCI error): no retry cures it. */
  | 'refused'
  /** No answer in time. */
  | 'timeout';

export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  /** The engine's HTTP status, when it answered. */
  readonly status?: number;
  /** Worth retrying (the walker and observe retry these with backoff). */
  readonly transient: boolean;

  constructor(kind: EngineErrorKind, message: string, opts: { status?: number; transient?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'EngineError';
    this.kind = kind;
    if (opts.status !== undefined) this.status = opts.status;
    this.transient = opts.transient ?? (kind === 'unavailable' || kind === 'timeout');
  }
}

export function kindOfStatus(status: number): EngineErrorKind {
  if (status === 304) return 'notModified';
  if (status === 404) return 'notFound';
  if (status === 409) return 'conflict';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 502 || status === 503) return 'unavailable';
  return 'refused';
}

/** Connection-level failures: the engine (or the way to it) is not there right now. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNTIMEDOUT']);

/** The typed form of anything an engine call threw; an EngineError is returned as it is. */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const e = (err && typeof err === 'object' ? err : {}) as { statusCode?: unknown; code?: unknown; syscall?: unknown; message?: unknown };
  const message = errorMessage(err);
  const cause = err;
  if (typeof e.statusCode === 'number') return new EngineError(kindOfStatus(e.statusCode), message, { status: e.statusCode, cause });
  const code = typeof e.code === 'string' ? e.code : '';
  if (TIMEOUT_CODES.has(code)) return new EngineError('timeout', message, { cause });
  // ENOENT from connect() is a socket file that is not there (yet): a machine's engine starting.
  if (UNAVAILABLE_CODES.has(code) || (code === 'ENOENT' && e.syscall === 'connect')) return new EngineError('unavailable', message, { cause });
  if (/socket hang up/i.test(message)) return new EngineError('unavailable', message, { cause });
  if (/timed? ?out/i.test(message)) return new EngineError('timeout', message, { cause });
  return new EngineError('refused', message, { cause });
}

/** Is `err` an EngineError of one of `kinds` (of any kind when none are given)? */
export function isEngineError(err: unknown, ...kinds: EngineErrorKind[]): err is EngineError {
  return err instanceof EngineError && (kinds.length === 0 || kinds.includes(err.kind));
}

/** For `.catch()`: these kinds mean "already so" (resolves undefined); anything else rethrows, typed. */
export function tolerate(...kinds: EngineErrorKind[]): (err: unknown) => undefined {
  return (err) => {
    const e = toEngineError(err);
    if (kinds.includes(e.kind)) return undefined;
    throw e;
  };
}

/** Whether a retry may cure the failure: decided on the type, for anything thrown. */
export function isTransient(err: unknown): boolean {
  return toEngineError(err).transient;
}

/** The engine's own sentence: what dockerode hides in err.json.message, without its "(HTTP code N) ..." prefix. */
export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { json?: { message?: unknown } | null; message?: unknown; reason?: unknown };
    if (e.json && typeof e.json.message === 'string') return e.json.message;
    if (typeof e.message === 'string') {
      const bare = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(e.message);
      if (!bare) return e.message;
      return bare[1]!.trim() || (typeof e.reason === 'string' ? e.reason : e.message.trim());
    }
  }
  return String(err);
}

/** The error a progress stream (pull, build, import) ended with: docker reports it in an event, not as a failure. */
export function progressError(events: { error?: unknown; errorDetail?: { message?: unknown } }[]): string | undefined {
  const failed = events.find((e) => e.error || e.errorDetail?.message);
  return failed ? String(failed.errorDetail?.message ?? failed.error) : undefined;
}
