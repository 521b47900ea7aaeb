// What observe keeps of an engine's networks: the cluster's own, never the engine's built-in ones
// (docker_gwbridge and ingress appear seconds after `swarm init`, at the engine's pace: a plan saved
// just after an apply read as stale) nor the apply lock's.
import { afterEach, expect, test, vi } from 'vitest';
import type { Engine } from '../../src/engine/types.js';
import type { Drivers } from '../../src/providers/index.js';
import type { Driver } from '../../src/providers/types.js';
import { afterStartLimitMs, observe, observeLimitMs } from '../../src/reconcile/observe.js';
import { facts } from '../support/build.js';

test('the engine\'s own networks and the lock are left out; the cluster\'s stay, in name order', async () => {
  const net = (name: string, labels: Record<string, string> | null = {}) => ({ id: `id-${name}`, name, driver: 'bridge' as const, labels: labels as Record<string, string> });
  const networks = [net('t_back', { 'io.cluster.name': 't' }), net('docker_gwbridge'), net('ingress'), net('bridge', null), net('host'), net('none'), net('t-cluster-lock', { 'io.cluster.kind': 'lock' }), net('a_front', { 'io.cluster.name': 't' })];
  const engine = { facts: async () => facts({ networks }) } as unknown as Engine;
  const driver = { name: 'sim', list: async () => [{ name: 'm1', driver: 'sim', state: 'running' }], engine: () => engine } as unknown as Driver;
  const { observed } = await observe('t', new Map([['sim', driver]]) as Drivers);
  expect(observed.machines[0]!.engine!.networks!.map((n) => n.name)).toEqual(['a_front', 't_back']);
});

// The retry machinery is made only after a first failure (src/reconcile/observe.ts firstThenRetried):
// what is retried, how often, and that a timeout ends the retries, stay as p-retry's.
function flaky(failures: unknown[]) {
  let calls = 0;
  const engine = {
    facts: async () => {
      const err = failures[calls++];
      if (err) throw err;
      return facts({});
    },
  } as unknown as Engine;
  const driver = { name: 'sim', list: async () => [{ name: 'm1', driver: 'sim', state: 'running' }], engine: () => engine } as unknown as Driver;
  return { drivers: new Map([['sim', driver]]) as Drivers, calls: () => calls };
}
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
afterEach(() => vi.useRealTimers());

/** Observes with the clock under the test's hand: p-retry's back-off waits (100 ms to 1 s) pass at once. */
async function observeOnFakeClock(drivers: Drivers, timeoutMs?: number) {
  vi.useFakeTimers();
  const run = observe('t', drivers, timeoutMs === undefined ? {} : { timeoutMs });
  await vi.advanceTimersByTimeAsync(20_000);
  return run;
}

test('an engine whose connection drops twice is asked again and observed', async () => {
  const f = flaky([reset(), reset()]);
  const { observed } = await observeOnFakeClock(f.drivers);
  expect(observed.machines[0]!.engine).not.toBeNull();
  expect(f.calls()).toBe(3);
});

test('a refusal is not retried: the machine is reported with the engine\'s sentence', async () => {
  const f = flaky([Object.assign(new Error('(HTTP code 500) server error - no such thing'), { statusCode: 500 }), undefined]);
  const { observed } = await observeOnFakeClock(f.drivers);
  expect(observed.machines[0]!.engine).toBeNull();
  expect(observed.machines[0]!.problem).toBe('no such thing');
  expect(f.calls()).toBe(1);
});

test('an engine that keeps dropping is given up after four attempts', async () => {
  const f = flaky([reset(), reset(), reset(), reset(), undefined]);
  const { observed } = await observeOnFakeClock(f.drivers);
  expect(observed.machines[0]!.problem).toBe('socket hang up');
  expect(f.calls()).toBe(4);
});

test('the time limit ends the retries: no attempt starts after it', async () => {
  const f = flaky(Array.from({ length: 10 }, reset));
  // The first retry waits at least 100 ms (minTimeout) after the first failure: past the 50 ms limit.
  const { observed } = await observeOnFakeClock(f.drivers, 50);
  expect(observed.machines[0]!.problem).toBe('engine did not answer within 0.05 s');
  expect(f.calls()).toBe(1);
});

test('CLUSTER_OBSERVE_TIMEOUT sets how long an engine may take to answer: 15 s unset, a duration, nonsense refused by name', () => {
  expect(observeLimitMs({})).toBe(15_000);
  expect(observeLimitMs({ CLUSTER_OBSERVE_TIMEOUT: '' })).toBe(15_000);
  expect(observeLimitMs({ CLUSTER_OBSERVE_TIMEOUT: '3s' })).toBe(3_000);
  expect(observeLimitMs({ CLUSTER_OBSERVE_TIMEOUT: '1m30s' })).toBe(90_000);
  for (const bad of ['abc', '0', '-2s', '3 s']) expect(() => observeLimitMs({ CLUSTER_OBSERVE_TIMEOUT: bad })).toThrow(new RegExp(`^CLUSTER_OBSERVE_TIMEOUT=${bad} is not a duration longer than 0$`));
  // Right after starts, longer than a manager engine's 20 s swarmRequestTimeout, unless set.
  expect(afterStartLimitMs({})).toBe(45_000);
  expect(afterStartLimitMs({ CLUSTER_OBSERVE_TIMEOUT: '3s' })).toBe(3_000);
});

test('observe waits out CLUSTER_OBSERVE_TIMEOUT, not 15 s, for an engine that never answers', async () => {
  const engine = { facts: () => new Promise(() => {}) } as unknown as Engine;
  const driver = { name: 'sim', list: async () => [{ name: 'm1', driver: 'sim', state: 'running' }], engine: () => engine } as unknown as Driver;
  vi.stubEnv('CLUSTER_OBSERVE_TIMEOUT', '20ms');
  try {
    const { observed } = await observe('t', new Map([['sim', driver]]) as Drivers);
    expect(observed.machines[0]!.problem).toBe('engine did not answer within 0.02 s');
  } finally {
    vi.unstubAllEnvs();
  }
});
