// A simulated engine with no latency and no faults gives its facts at once (Driver.factsNow), and
// observe reads them without a promise, a timer and retries per machine (src/reconcile/observe.ts).
// What is observed must be exactly what asking each engine gives: random converged and
// near-converged sim clusters (test/support/near-converged.ts) are observed both ways and compared
// as JSON, machine records in their order too. With latency or faults for `observe`, nothing is
// answered at once: the calls keep their waits, their fault draws and their retries.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import '../support/fast-check-seed.js';
import type { Desired } from '../../src/model/desired.js';
import { closeDrivers, openDrivers, type Drivers } from '../../src/providers/index.js';
import type { Driver } from '../../src/providers/types.js';
import { simStatePath } from '../../src/providers/sim/file.js';
import { ensureIdentity } from '../../src/reconcile/identity-file.js';
import { observe } from '../../src/reconcile/observe.js';
import { editArb, load, manifest, shapeArb, stateText } from '../support/near-converged.js';

/** What is observed, as JSON (every container read), and the records in their order; `now`: how many engines answered at once. */
async function observedAs(desired: Desired, identity: string, answerAtOnce: boolean): Promise<{ text: string; now: number }> {
  const drivers = await openDrivers(desired);
  let now = 0;
  // The same drivers, but for factsNow: absent (ask every engine) or counted.
  const seen = new Map(
    [...drivers].map(([name, d]): [string, Driver] => {
      const counted: Driver['factsNow'] = (record) => {
        const f = d.factsNow!(record);
        if (f) now++;
        return f;
      };
      const factsNow = answerAtOnce && d.factsNow ? counted : undefined;
      return [name, Object.create(d, { factsNow: { value: factsNow } }) as Driver];
    }),
  ) as Drivers;
  try {
    const { observed, records } = await observe(desired.name, seen, { identity });
    return { text: `${JSON.stringify(observed)}\n${JSON.stringify([...records])}`, now };
  } finally {
    await closeDrivers(drivers);
  }
}

function clusterDir(text: (identity: string) => string, yml: string): { dir: string; identity: string } {
  const dir = mkdtempSync(join(tmpdir(), 'facts-now-'));
  mkdirSync(join(dir, '.cluster'));
  writeFileSync(join(dir, 'cluster.yml'), yml);
  const identity = ensureIdentity(join(dir, '.cluster'), 'cols').id;
  writeFileSync(simStatePath(dir, 'cols'), text(identity));
  return { dir, identity };
}

describe('facts at once', () => {
  test('what engines answer at once is what asking them gives', async () => {
    let atOnce = 0;
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.array(editArb, { maxLength: 4 }), async (shape, edits) => {
        const yml = manifest(shape);
        const { dir, identity } = clusterDir((id) => stateText(load(writeYml(yml)), id, edits), yml);
        const desired = load(join(dir, 'cluster.yml'));
        const fast = await observedAs(desired, identity, true);
        const asked = await observedAs(desired, identity, false);
        expect(fast.text).toBe(asked.text);
        atOnce += fast.now;
      }),
      { numRuns: 40 },
    );
    // The property means something only if the fast path was taken.
    expect(atOnce).toBeGreaterThan(40);
  }, 120_000);

  test('with latency or faults for observe, no engine answers at once', async () => {
    const base = manifest({ workers: 2, swarm: false, drain: false, dSize: 'xxl', web: 2, db: 1, agent: false, mode: 'a', ignoreMode: false, network: false, dependsOn: false });
    for (const [simulation, atOnce] of [
      ['', 4],
      ['simulation:\n  latency: { observe: 1 }\n', 0],
      ['simulation:\n  failure_rate: { default: 0.01 }\n', 0],
      ['simulation:\n  latency: { container.create: 5 }\n', 4],
    ] as const) {
      const yml = base + simulation;
      const { dir, identity } = clusterDir((id) => stateText(load(writeYml(yml)), id, []), yml);
      const desired = load(join(dir, 'cluster.yml'));
      const fast = await observedAs(desired, identity, true);
      expect(fast.now, simulation).toBe(atOnce);
      expect(fast.text).toBe((await observedAs(desired, identity, false)).text);
    }
  }, 60_000);
});

test('a machine stopped since it was listed is not answered at once: facts() says why', async () => {
  const yml = manifest({ workers: 1, swarm: false, drain: false, dSize: 'xxl', web: 1, db: 0, agent: false, mode: 'a', ignoreMode: false, network: false, dependsOn: false });
  const { dir } = clusterDir((id) => stateText(load(writeYml(yml)), id, [{ kind: 'machine-stopped', at: 0 }]), yml);
  const drivers = await openDrivers(load(join(dir, 'cluster.yml')));
  try {
    const sim = drivers.get('sim')!;
    const records = await sim.list();
    const stopped = records.find((r) => r.state === 'stopped')!;
    const running = records.find((r) => r.state === 'running')!;
    expect(sim.factsNow!(running)?.hostname).toBe(running.name);
    // As if listed running: the engine's facts() refuses a stopped machine, so none is made up here.
    expect(sim.factsNow!({ ...stopped, state: 'running' })).toBeUndefined();
    await expect(sim.engine(stopped).facts()).rejects.toThrow(/stopped/);
  } finally {
    await closeDrivers(drivers);
  }
});

function writeYml(yml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'facts-now-before-')), 'cluster.yml');
  writeFileSync(file, yml);
  return file;
}
