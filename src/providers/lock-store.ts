// The apply lock's store contract: what a driver gives (src/providers/types.ts lockStore) to hold one
// apply at a time per cluster. The locking itself (lease, renewal, takeover) is src/reconcile/lock.ts.

/** Who holds a lock: enough to tell, on this host, whether that process is gone. */
export interface Holder {
  host: string;
  /** Linux: `<boot id>/<pid namespace>`; absent elsewhere (then the hostname alone decides). */
  space?: string;
  pid: number;
  /** Linux: start time of the pid in clock ticks since boot (/proc/<pid>/stat field 22). */
  start?: string;
}

// The lock's objects on an engine; observe leaves them out (isLockObject in src/model/observed.ts).
export const LOCK_IMAGE = 'cluster-lock:1';
export const LOCK_KIND = 'lock';
export function lockObjectName(cluster: string): string {
  return `${cluster}-cluster-lock`;
}

export interface LockInfo extends Partial<Holder> {
  id: string;
  /** For people: `user@host pid N (command)`. */
  holder: string;
  /** ISO time the lock was taken. */
  since: string;
  /** How long after its last renewal the lock counts as abandoned (absent in earlier versions' locks). */
  ttlMs?: number;
}

/** What a store read back as the lock's info; undefined when it is not (a crash mid-write, a foreign object). */
export function parseLockInfo(raw: string | undefined): LockInfo | undefined {
  try {
    const info = JSON.parse(raw ?? '') as LockInfo;
    return info && typeof info.id === 'string' && typeof info.holder === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** One lock object as a store found it. */
export interface LockRecord {
  /** The object's own identity (container id, file inode): what removal goes by. */
  ref: string;
  /** What its holder wrote; undefined when it cannot be read (a crash mid-write of an earlier version). */
  info?: LockInfo;
  /** Last renewal (ms since the epoch; the holder's clock). */
  renewedAt: number;
}

/** Something lock-shaped that is not the lock: an earlier version's lock network, a temp file. */
export interface LockLeftover {
  what: string;
  remove(): Promise<void>;
}

export interface LockStore {
  /** Where the lock lives, for messages. */
  readonly where: string;
  /** Create the lock atomically: `created`, or whoever holds it (undefined: it vanished meanwhile, try again). */
  tryCreate(info: LockInfo): Promise<{ created: LockRecord } | { held: LockRecord | undefined }>;
  read(): Promise<LockRecord | undefined>;
  /** Extend the lease of our lock; false when that object is gone (removed or taken over). */
  renew(mine: LockRecord): Promise<boolean>;
  /** Remove exactly this object; false when it was no longer there. */
  remove(record: LockRecord): Promise<boolean>;
  leftovers(): Promise<LockLeftover[]>;
}
