import { UserError } from '../../model/diagnostic.js';
import { openDrivers, closeDrivers } from '../../providers/index.js';
import { describeLock, staleness } from '../../reconcile/lock.js';
import type { LockRecord } from '../../providers/lock-store.js';
import { loadDesired, lockStoreOf } from '../pipeline.js';

export interface UnlockOptions {
  file: string;
  /** `--force` (true) or `--force ID`. */
  force?: string | boolean;
}

/**
 * `cluster unlock [ID]` shows the lock; `--force [ID]` removes what is safe to remove, like
 * `terraform force-unlock`: a stale or unreadable lock and an earlier version's lock objects always,
 * a live lock only when its id is the one given (so a running apply is never unprotected by mistake).
 */
export async function unlockCommand(id: string | undefined, opts: UnlockOptions): Promise<number> {
  const forced = typeof opts.force === 'string' ? opts.force : undefined;
  if (id && forced && id !== forced) throw UserError.plain(`two different lock ids given: ${id} and ${forced}`, 'give the id once: cluster unlock --force ID');
  const given = forced ?? id;
  const desired = loadDesired(opts.file);
  const drivers = await openDrivers(desired);
  const say = (line: string) => process.stderr.write(line + '\n');
  try {
    const store = lockStoreOf(desired, drivers);
    const [current, leftovers] = await Promise.all([store.read(), store.leftovers()]);
    if (!current && leftovers.length === 0) {
      say(`cluster "${desired.name}" is not locked (${store.where})`);
      return 0;
    }
    if (!opts.force) {
      say(`cluster "${desired.name}" is locked (${store.where}):`);
      if (current) say(`  ${describeLock(current)}, ${state(current)}`);
      for (const l of leftovers) say(`  also ${l.what}`);
      say(`nothing removed; to remove it: cluster unlock --force${current?.info && !staleness(current) ? ` ${current.info.id}` : ''}`);
      return 1;
    }
    for (const l of leftovers) {
      await l.remove();
      say(`removed ${l.what}`);
    }
    if (!current) return 0;
    const stale = staleness(current);
    const live = !stale;
    if (live && (!given || current.info?.id !== given)) {
      const theirs = current.info?.id ?? '';
      say(
        `${describeLock(current)} is live (${state(current)})${given ? `, and it is not ${given}` : ''}: not removed, it protects a running apply. ` +
          `If that run is really gone: cluster unlock --force ${theirs}`,
      );
      return 1;
    }
    if (await store.remove(current)) say(`removed ${describeLock(current)}${stale ? ` (stale: ${stale})` : ': it was live, so that run no longer keeps others out'}`);
    else say(`${describeLock(current)} was already gone`);
    return 0;
  } finally {
    await closeDrivers(drivers);
  }
}

function state(r: LockRecord): string {
  const stale = staleness(r);
  return `renewed ${Math.round((Date.now() - r.renewedAt) / 1000)} s ago, ${stale ? `stale: ${stale}` : 'live'}`;
}
