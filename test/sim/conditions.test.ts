// Simulated latency and faults: real delays, transient 'unavailable' errors before any change, a deterministic PRNG.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isEngineError, isTransient } from '../../src/engine/errors.js';
import { SimConditions, type SimKind } from '../../src/providers/sim/conditions.js';
import { SimDriver } from '../../src/providers/sim/driver.js';
import { context, machine, manifestDir, replicaRequest } from './support.js';

const noEnv = {};

describe('sim latency', () => {
  it('delays each call by its kind latency, or the default', async () => {
    const driver = new SimDriver(context(await manifestDir(), { latencyMs: { default: 5, 'machine.create': 40 } }));
    let started = performance.now();
    const record = await driver.create(machine('m1'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    started = performance.now();
    await driver.engine(record).facts(); // observe → default
    expect(performance.now() - started).toBeGreaterThanOrEqual(4);
    await driver.close();
  });

  it('parallel calls wait side by side, like remote engines', async () => {
    const driver = new SimDriver(context(await manifestDir(), { latencyMs: { 'machine.create': 30 } }));
    const started = performance.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => driver.create(machine(`m${i}`))));
    expect(performance.now() - started).toBeLessThan(20 * 30);
    await driver.close();
  });

  it('CLUSTER_SIM_LATENCY_MS and CLUSTER_SIM_FAILURE_RATE replace the defaults; nonsense is refused', () => {
    const conditions = new SimConditions({ latencyMs: { default: 1, 'swarm.init': 9 }, failureRate: {}, seed: 0 }, { CLUSTER_SIM_LATENCY_MS: '25', CLUSTER_SIM_FAILURE_RATE: '0.5' });
    expect(conditions.latencyOf('observe')).toBe(25);
    expect(conditions.latencyOf('swarm.init')).toBe(9);
    expect(conditions.failureRateOf('container.create')).toBe(0.5);
    expect(() => new SimConditions({ latencyMs: {}, failureRate: {}, seed: 0 }, { CLUSTER_SIM_FAILURE_RATE: '2' })).toThrow(/CLUSTER_SIM_FAILURE_RATE=2 is not a number from 0 to 1/);
    expect(() => new SimConditions({ latencyMs: {}, failureRate: {}, seed: 0 }, { CLUSTER_SIM_LATENCY_MS: 'abc' })).toThrow(/^CLUSTER_SIM_LATENCY_MS=abc is not a number of 0 or more$/);
    expect(() => new SimConditions({ latencyMs: {}, failureRate: {}, seed: 0 }, { CLUSTER_SIM_LATENCY_MS: 'soon' })).toThrow(/CLUSTER_SIM_LATENCY_MS/);
  });
});

describe('sim faults', () => {
  it('rate 1 throws a transient unavailable error naming kind and machine, and changes nothing', async () => {
    const dir = await manifestDir();
    const setup = new SimDriver(context(dir));
    const record = await setup.create(machine('m1'));
    await setup.engine(record).ensureImage('nginx:1.25');
    await setup.close();
    const before = await readFile(setup.stateFile, 'utf8');

    const failing = new SimDriver(context(dir, { failureRate: { 'container.create': 1, 'machine.create': 1, 'machine.remove': 1, 'machine.stop': 1 } }));
    const engine = failing.engine(record);
    const err = await engine.createContainer(replicaRequest('web', 1)).catch((e: unknown) => e);
    expect(isEngineError(err, 'unavailable')).toBe(true);
    expect(isTransient(err)).toBe(true);
    expect((err as Error).message).toBe('simulated fault: container.create on m1');
    await expect(failing.create(machine('m2'))).rejects.toThrow('simulated fault: machine.create on m2');
    await expect(failing.stop('m1')).rejects.toMatchObject({ kind: 'unavailable', transient: true });
    await expect(failing.remove('m1')).rejects.toMatchObject({ kind: 'unavailable', transient: true });
    expect((await engine.facts()).containers).toEqual([]); // observe is not faulted here
    expect((await failing.list()).map((m) => [m.name, m.state])).toEqual([['m1', 'running']]);
    await failing.close();
    expect(await readFile(setup.stateFile, 'utf8')).toBe(before);
  });

  it('rate 0 never throws', async () => {
    const driver = new SimDriver(context(await manifestDir(), { failureRate: { default: 0 } }));
    const record = await driver.create(machine('m1'));
    const engine = driver.engine(record);
    await engine.ensureImage('nginx:1.25');
    for (let i = 1; i <= 500; i++) await engine.startContainer(await engine.createContainer(replicaRequest('web', i)));
    expect((await engine.facts()).containers).toHaveLength(500);
    await driver.close();
  });

  it('the same seed fails the same calls, whatever the interleaving; another seed fails others', () => {
    const pattern = (seed: number, order: 'forward' | 'backward') => {
      const conditions = new SimConditions({ latencyMs: {}, failureRate: { default: 0.3 }, seed }, noEnv);
      const machines = ['m1', 'm2', 'm3'];
      const outcome = new Map<string, boolean[]>(machines.map((m) => [m, []]));
      for (let i = 0; i < 200; i++) {
        for (const m of order === 'forward' ? machines : [...machines].reverse()) {
          let failed = false;
          try {
            conditions.fault('container.start' satisfies SimKind, m);
          } catch (err) {
            failed = isEngineError(err, 'unavailable');
          }
          outcome.get(m)!.push(failed);
        }
      }
      return outcome;
    };
    const a = pattern(42, 'forward');
    expect(pattern(42, 'forward')).toEqual(a);
    expect(pattern(42, 'backward')).toEqual(a); // other machines' calls do not shift a machine's sequence
    expect(pattern(43, 'forward')).not.toEqual(a);
    const rate = [...a.values()].flat().filter(Boolean).length / 600;
    expect(rate).toBeGreaterThan(0.22);
    expect(rate).toBeLessThan(0.38);
  });

  it('a retry after a fault converges: no duplicates, nothing lost', async () => {
    const driver = new SimDriver(context(await manifestDir(), { failureRate: { default: 0.4 }, seed: 7 }));
    const retry = async <T>(call: () => Promise<T>): Promise<T> => {
      for (;;) {
        try {
          return await call();
        } catch (err) {
          if (!isTransient(err)) throw err;
        }
      }
    };
    const record = await retry(() => driver.create(machine('m1')));
    const engine = driver.engine(record);
    await retry(() => engine.ensureImage('nginx:1.25'));
    for (let i = 1; i <= 50; i++) {
      const id = await retry(() => engine.createContainer(replicaRequest('web', i)));
      await retry(() => engine.startContainer(id));
    }
    const facts = await retry(() => engine.facts());
    expect(facts.containers.map((c) => c.name)).toEqual(Array.from({ length: 50 }, (_, i) => `demo-web-${i + 1}`));
    expect(facts.containers.every((c) => c.state === 'running')).toBe(true);
    await driver.close();
  });
});
