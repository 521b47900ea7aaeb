// The sim driver records a machine's size in its state file, reports it as the machine's spec, and
// resizes in place (same machine, same engine); a new process sees the new size.
import { describe, expect, it } from 'vitest';
import { SimDriver } from '../../src/providers/sim/driver.js';
import { context, machine, manifestDir } from './support.js';

const GiB = 1024 ** 3;

describe('sim driver: machine specs', () => {
  it('records the size it made, resizes in place, twice the same is one change, and a new process sees it', async () => {
    const dir = await manifestDir();
    const driver = new SimDriver(context(dir));
    const made = await driver.create(machine('w1', { cpus: 1, memory: GiB }));
    expect(made.spec).toEqual({ cpus: 1, memory: GiB });
    const engineId = (await driver.engine(made).facts()).id;
    await driver.resize('w1', { cpus: 4, memory: 8 * GiB });
    await driver.resize('w1', { cpus: 4, memory: 8 * GiB }); // a re-run after a crash: same result
    const [after] = await driver.list();
    expect(after!.spec).toEqual({ cpus: 4, memory: 8 * GiB });
    expect(await driver.engine(after!).facts()).toMatchObject({ id: engineId, cpus: 4, memory: 8 * GiB });
    await driver.close();

    const again = new SimDriver(context(dir));
    expect((await again.list()).map((r) => r.spec)).toEqual([{ cpus: 4, memory: 8 * GiB }]);
    // An absent size is the sim default, as at create: a simulated machine always has one.
    await again.resize('w1', {});
    expect((await again.list()).map((r) => r.spec)).toEqual([{ cpus: 2, memory: 2 * GiB }]);
    await again.close();
  });

  it('resizing a machine that does not exist is an error naming it', async () => {
    const driver = new SimDriver(context(await manifestDir()));
    await expect(driver.resize('ghost', { cpus: 2 })).rejects.toThrow(/ghost/);
    await driver.close();
  });
});
