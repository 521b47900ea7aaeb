// One apply at a time per cluster. The lock is one object whose creation the store makes atomic
// (a container name on the docker driver's host or a generic cluster's first engine; a hard link
// in the state folder for sim), holding who took it. Its holder renews a lease while it runs, so a
// crashed run's lock goes stale and the next run takes it over without a person: at once when the
// holder was a process of this host that is gone, otherwise when the lease ran out. A lock object
// is removed by its own identity (container id, file inode), never by name, so a run can only
// remove the lock it looked at. Plan takes no lock.
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../engine/errors.js';
import { holderGone, thisProcess, userName } from './lock-holder.js';
import type { LockInfo, LockRecord, LockStore } from '../providers/lock-store.js';

export interface LeaseTiming {
  ttlMs: number;
  renewMs: number;
  pollMs: number;
}

// Renewal is one small request every 5 s; a lease of 30 s survives several missed renewals (a busy
// engine, a slow network) and assumes the hosts' clocks agree within that (NTP).
export const LEASE: LeaseTiming = { ttlMs: 30_000, renewMs: 5_000, pollMs: 500 };
const DEFAULT_TTL_MS = 30_000;
const MAX_TTL_MS = 10 * 60_000;
// New versions never show a half-written lock; an earlier version wrote right after creating.
const UNREADABLE_GRACE_MS = 2_000;

export class LockedError extends Error {}

export interface LockHandle {
  readonly id: string;
  /**
   * Settles once the debris of earlier runs is gone (never rejects: a failure is logged). The sweep runs
   * beside whatever the holder does next — observing is read-only and leaves lock objects out — so it is
   * not on the path of every apply; release() waits for it.
   */
  readonly swept: Promise<void>;
  /** Stop renewing and remove the lock if it is still ours (by its identity, never by name). Idempotent. */
  release(): Promise<void>;
}

export function describeHolder(command: string): string {
  return `${userName()}@${thisProcess().host} pid ${process.pid} (${command})`;
}

export function describeLock(r: LockRecord): string {
  return r.info ? `lock ${r.info.id} of ${r.info.holder} since ${r.info.since}` : `unreadable lock (${r.ref})`;
}

function heldBy(r: LockRecord): string {
  return r.info ? `${r.info.holder} since ${r.info.since} (lock ${r.info.id}` : `an unreadable lock (${r.ref}`;
}

/** Why this lock is abandoned, or undefined while its holder may still run. */
export function staleness(r: LockRecord, now = Date.now()): string | undefined {
  const age = now - r.renewedAt;
  if (!r.info) return age > UNREADABLE_GRACE_MS ? 'it is empty or unreadable (left by a crash)' : undefined;
  if (holderGone(r.info)) return `its process ${r.info.pid} on this host is gone`;
  const ttl = leaseMs(r.info);
  if (age > ttl) return `it was not renewed for ${seconds(age)} (lease ${seconds(ttl)})`;
  // Renewed "in the future" by more than a lease: a clock far ahead or a forged lock, never a live holder's renewal.
  if (-age > ttl) return `its renewal time is ${seconds(-age)} in the future (a clock far ahead, or a forged lock)`;
  return undefined;
}

/**
 * Take the lock, waiting up to `timeoutMs` for a live holder to finish; a stale lock is removed
 * (by its identity: of several racers, one removes it and one creates the new lock) and replaced.
 */
export async function acquire(
  store: LockStore,
  command: string,
  timeoutMs: number,
  log: (line: string) => void,
  opts: { timing?: LeaseTiming; signal?: AbortSignal } = {},
): Promise<LockHandle> {
  const timing = opts.timing ?? LEASE;
  const mine: LockInfo = { id: randomUUID().slice(0, 8), holder: describeHolder(command), since: '', ...thisProcess(), ttlMs: timing.ttlMs };
  const deadline = Date.now() + timeoutMs;
  let waited = false;
  for (;;) {
    // The lease runs from creation, not from the first try: a lock won after a long wait is fresh.
    mine.since = new Date().toISOString();
    const attempt = await store.tryCreate(mine);
    if ('created' in attempt) return renewing(store, attempt.created, mine.id, log, timing, sweep(store, log));
    const held = attempt.held;
    if (!held) continue;
    const stale = staleness(held);
    if (stale) {
      if (await store.remove(held)) log(`replaced the stale ${describeLock(held)} (${store.where}): ${stale}`);
      continue;
    }
    if (Date.now() >= deadline) throw new LockedError(lockedMessage(store, held, timeoutMs));
    if (opts.signal?.aborted) throw new LockedError(`stopped while waiting for the lock held by ${heldBy(held)}, ${store.where}): nothing was changed`);
    if (!waited) log(`waiting for the lock held by ${heldBy(held)}, ${store.where})`);
    waited = true;
    await sleep(timing.pollMs * (0.75 + Math.random() / 2), opts.signal);
  }
}

function lockedMessage(store: LockStore, held: LockRecord, timeoutMs: number): string {
  const id = held.info?.id ?? '';
  const left = leaseMs(held.info) - (Date.now() - held.renewedAt);
  return (
    `the cluster is locked by ${heldBy(held)}, ${store.where}, renewed ${seconds(Date.now() - held.renewedAt)} ago); ` +
    `wait for it${timeoutMs ? ' longer' : ''} (--lock-timeout 5m). If that run crashed on another computer, its lock goes stale ` +
    `in ${seconds(Math.max(0, left))} and the next run takes it over; to remove it now: cluster unlock --force ${id}`.trimEnd()
  );
}

/** Our lock holds; whatever lock-shaped debris is left (an earlier version's lock network) can go. */
async function sweep(store: LockStore, log: (line: string) => void): Promise<void> {
  try {
    for (const l of await store.leftovers()) {
      await l.remove();
      log(`removed ${l.what}`);
    }
  } catch (err) {
    log(`warning: could not remove old lock objects (${errorMessage(err)}); \`cluster unlock --force\` does it later`);
  }
}

function renewing(store: LockStore, mine: LockRecord, id: string, log: (line: string) => void, timing: LeaseTiming, swept: Promise<void>): LockHandle {
  let stopped = false;
  let lost = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const renew = async () => {
    try {
      if (!(await store.renew(mine))) {
        lost = true;
        if (!stopped) log(`warning: the cluster lock ${id} is no longer ours (removed by \`cluster unlock --force\`, or taken over after its lease ran out): another run may change the cluster now`);
        return;
      }
      if (failing) log(`the cluster lock ${id} is renewed again`);
      failing = false;
    } catch (err) {
      if (!failing) log(`warning: could not renew the cluster lock ${id} (${errorMessage(err)}); trying again every ${seconds(timing.renewMs)}`);
      failing = true;
    }
    schedule();
  };
  const schedule = () => {
    if (stopped || lost) return;
    // unref: a pending renewal never keeps the process alive after the run is done.
    timer = setTimeout(() => (inFlight = renew()), timing.renewMs);
    timer.unref();
  };
  schedule();
  return {
    id,
    swept,
    release: async () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await Promise.all([inFlight, swept]);
      if (lost) return;
      // A failed removal must not fail a finished run: the lock goes stale and the next run takes it over.
      await store.remove(mine).catch((err: unknown) => log(`warning: could not remove the cluster lock ${id} (${errorMessage(err)}); the next run takes it over once it is stale`));
    },
  };
}

/** The lease a lock claims, read from the lock itself: bounded, so a lock claiming a lease of years cannot block for good. */
function leaseMs(info: LockInfo | undefined): number {
  return Math.min(Math.max(Number(info?.ttlMs) || DEFAULT_TTL_MS, 1_000), MAX_TTL_MS);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
