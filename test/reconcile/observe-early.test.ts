// Engines asked before the list (Driver.factsBeforeList, src/reconcile/observe.ts): an early answer is
// taken only for a machine the list then finds running at the same engine URL; the other asks are
// aborted when observing ends (a paused machine's socket never answers), and a failed early ask is
// made again at once, not after a retry's back-off.
import { expect, test } from 'vitest';
import type { Engine } from '../../src/engine/types.js';
import type { EngineFacts, MachineState } from '../../src/model/observed.js';
import type { Drivers } from '../../src/providers/index.js';
import type { Driver, MachineRecord } from '../../src/providers/types.js';
import { observe } from '../../src/reconcile/observe.js';
import { facts } from '../support/build.js';

interface Early {
  engineUrl: string;
  facts: Promise<EngineFacts>;
}

/** A driver whose list answers with `records`, whose early asks are `early`, and whose engine() counts the asks after the list. */
function scripted(records: { name: string; state: MachineState; engineUrl: string }[], early: (signal: AbortSignal) => Map<string, Early>) {
  const asked: string[] = [];
  let signal: AbortSignal | undefined;
  const driver = {
    name: 'docker',
    list: async () => records.map((r) => ({ ...r, driver: 'docker' }) as MachineRecord),
    engine: (r: MachineRecord) => ({ facts: async () => (asked.push(r.name), facts({ labels: { from: 'list' } })) }) as unknown as Engine,
    factsBeforeList: (s: AbortSignal) => ((signal = s), early(s)),
  } as unknown as Driver;
  return { drivers: new Map([['docker', driver]]) as Drivers, asked, signal: () => signal };
}

/** An ask that answers only when aborted (a paused machine's socket), and says whether it was. */
function hanging(signal: AbortSignal): { facts: Promise<EngineFacts>; aborted: () => boolean } {
  let aborted = false;
  const p = new Promise<EngineFacts>((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted')))));
  p.catch(() => undefined);
  return { facts: p, aborted: () => aborted };
}

test('an early answer is the facts of a machine the list finds running at that URL: the engine is not asked again', async () => {
  const s = scripted([{ name: 'm1', state: 'running', engineUrl: 'unix:///a/m1.sock' }], () => new Map([['m1', { engineUrl: 'unix:///a/m1.sock', facts: Promise.resolve(facts({ labels: { from: 'early' } })) }]]));
  const { observed } = await observe('t', s.drivers);
  expect(observed.machines[0]!.engine!.labels).toEqual({ from: 'early' });
  expect(s.asked).toEqual([]);
});

test('a machine the list finds stopped, paused, or running at another URL: its early ask is not used, and is aborted when observing ends', async () => {
  const hangs = new Map<string, ReturnType<typeof hanging>>();
  const s = scripted(
    [
      { name: 'm1', state: 'paused', engineUrl: 'unix:///a/m1.sock' },
      { name: 'm2', state: 'stopped', engineUrl: 'unix:///a/m2.sock' },
      { name: 'm3', state: 'running', engineUrl: 'unix:///b/m3.sock' },
    ],
    (signal) =>
      new Map(
        ['m1', 'm2', 'm3'].map((m) => {
          const h = hanging(signal);
          hangs.set(m, h);
          return [m, { engineUrl: `unix:///a/${m}.sock`, facts: h.facts }];
        }),
      ),
  );
  const { observed } = await observe('t', s.drivers);
  expect(observed.machines.map((m) => [m.name, m.problem ?? m.engine?.labels])).toEqual([
    ['m1', 'machine is paused: its engine cannot answer'],
    ['m2', undefined],
    ['m3', { from: 'list' }],
  ]);
  expect(s.asked).toEqual(['m3']);
  expect([...hangs.values()].map((h) => h.aborted())).toEqual([true, true, true]);
  expect(s.signal()!.aborted).toBe(true);
});

test('an early ask that failed (the engine was not up yet) is made again at once, without a back-off', async () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const s = scripted([{ name: 'm1', state: 'running', engineUrl: 'unix:///a/m1.sock' }], () => new Map([['m1', { engineUrl: 'unix:///a/m1.sock', facts: Promise.reject(refused) }]]));
  const t0 = performance.now();
  const { observed } = await observe('t', s.drivers);
  expect(observed.machines[0]!.engine!.labels).toEqual({ from: 'list' });
  expect(s.asked).toEqual(['m1']);
  // p-retry's first back-off is at least 100 ms (minTimeout).
  expect(performance.now() - t0).toBeLessThan(100);
});

test('a failed list aborts the early asks too', async () => {
  let aborted: (() => boolean) | undefined;
  const driver = {
    name: 'docker',
    list: async () => {
      throw Object.assign(new Error('no such host engine'), { statusCode: 500 });
    },
    engine: () => ({}) as Engine,
    factsBeforeList: (signal: AbortSignal) => {
      const h = hanging(signal);
      aborted = h.aborted;
      return new Map([['m1', { engineUrl: 'unix:///a/m1.sock', facts: h.facts }]]);
    },
  } as unknown as Driver;
  await expect(observe('t', new Map([['docker', driver]]) as Drivers)).rejects.toThrow(/no such host engine/);
  expect(aborted!()).toBe(true);
});
