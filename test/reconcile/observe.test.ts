// What observe keeps of an engine's networks: the cluster's own, never the engine's built-in ones
// (docker_gwbridge and ingress appear seconds after `swarm init`, at the engine's pace: a plan saved
// just after an apply read as stale) nor the apply lock's.
import { expect, test } from 'vitest';
import type { Engine } from '../../src/engine/types.js';
import type { Drivers } from '../../src/providers/index.js';
import type { Driver } from '../../src/providers/types.js';
import { observe } from '../../src/reconcile/observe.js';
import { facts } from '../support/build.js';

test('the engine\'s own networks and the lock are left out; the cluster\'s stay, in name order', async () => {
  const net = (name: string, labels: Record<string, string> | null = {}) => ({ id: `id-${name}`, name, driver: 'bridge' as const, labels: labels as Record<string, string> });
  const networks = [net('t_back', { 'io.cluster.name': 't' }), net('docker_gwbridge'), net('ingress'), net('bridge', null), net('host'), net('none'), net('t-cluster-lock', { 'io.cluster.kind': 'lock' }), net('a_front', { 'io.cluster.name': 't' })];
  const engine = { facts: async () => facts({ networks }) } as unknown as Engine;
  const driver = { name: 'sim', list: async () => [{ name: 'm1', driver: 'sim', state: 'running' }], engine: () => engine } as unknown as Driver;
  const { observed } = await observe('t', new Map([['sim', driver]]) as Drivers);
  expect(observed.machines[0]!.engine!.networks!.map((n) => n.name)).toEqual(['a_front', 't_back']);
});
