// Leftovers in the plan (src/plan/machines.ts): a machine's (its container gone, its volume left) goes
// unless the manifest still wants that machine; a shared one (the docker driver's machines network,
// under a name no machine can have) goes only once the manifest wants no machine of its driver.
import { describe, expect, test } from 'vitest';
import type { Observed } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { desired, machine } from '../support/build.js';

const none = { replicas: [], unschedulable: [], retired: [] };
const observed: Observed = {
  cluster: 'demo',
  machines: [],
  leftovers: [
    { name: 'old', driver: 'docker', what: 'its volume demo-old-var-lib-docker and folder are' },
    { name: 'network demo-machines', driver: 'docker', what: 'network demo-machines', shared: { reason: 'no machine of this cluster is left on its network demo-machines' } },
  ],
};
const removals = (machines: ReturnType<typeof machine>[]) =>
  makePlan(desired(machines, []), observed, none)
    .actions.filter((a) => a.kind === 'machine.remove')
    .map((a) => `${a.id} (${a.reason})`)
    .sort();

describe('leftovers', () => {
  test('no docker machine wanted (destroy): the volume and the shared network go', () => {
    expect(removals([])).toEqual(['machine.remove:network demo-machines (no machine of this cluster is left on its network demo-machines)', 'machine.remove:old (its container is gone; its volume demo-old-var-lib-docker and folder are left behind)']);
  });

  test('a docker machine wanted: the network stays for it; the unwanted machine’s volume still goes', () => {
    expect(removals([machine('new', { driver: 'docker' })])).toEqual(['machine.remove:old (its container is gone; its volume demo-old-var-lib-docker and folder are left behind)']);
  });

  test('only machines of another driver wanted: the docker network goes', () => {
    expect(removals([machine('s1')])).toContain('machine.remove:network demo-machines (no machine of this cluster is left on its network demo-machines)');
  });
});
