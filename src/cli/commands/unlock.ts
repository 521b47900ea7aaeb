import { openDrivers, closeDrivers } from '../../providers/index.js';
import { loadDesired, lockStoreOf } from '../pipeline.js';

/** `cluster unlock --force ID`: only the named lock, so a live run's newer lock is never broken. */
export async function unlockCommand(opts: { file: string; force: string }): Promise<number> {
  const desired = loadDesired(opts.file);
  const drivers = await openDrivers(desired);
  try {
    const store = lockStoreOf(desired, drivers);
    const held = await store.read();
    if (!held) {
      process.stderr.write(`cluster "${desired.name}" is not locked (${store.where})\n`);
      return 0;
    }
    if (held.id !== opts.force) throw new Error(`the lock is ${held.id} (held by ${held.holder} since ${held.since}), not ${opts.force}: nothing removed`);
    await store.remove();
    process.stderr.write(`removed lock ${held.id} of ${held.holder}\n`);
    return 0;
  } finally {
    await closeDrivers(drivers);
  }
}
