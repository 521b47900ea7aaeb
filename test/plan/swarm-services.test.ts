// `mode: swarm` services from manifest to plan: created on the leader after every member joined and
// has the image; a changed definition is an update with its field diff; the manifest's errors.
import { describe, expect, test } from 'vitest';
import type { Desired } from '../../src/model/desired.js';
import type { Observed } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { swarmDefinition, swarmDefinitionHash } from '../../src/plan/swarm-services.js';
import { place } from '../../src/sched/index.js';
import { desiredOf, loadText } from '../support/manifest.js';

const load = loadText;

const MACHINES = 'name: t\nmachines:\n  mgr: { driver: sim, role: manager, cpus: 2, memory: 2g }\n  w: { driver: sim, role: worker, count: 2, cpus: 2, memory: 2g }\n';
const API = (replicas: number) => `services:\n  api:\n    mode: swarm\n    image: nginx:1.25\n    scale: ${replicas}\n    deploy: { placement: { constraints: ["node.labels.size == xxl"] } }\n`;

/** A converged cluster's observation, with the api service as the given manifest made it. */
function observedWith(made: Desired): Observed {
  const service = made.services[0]!;
  const engine = (name: string, role: 'manager' | 'worker') => ({
    url: `sim://t/${name}`, id: name, version: 'sim', labels: {}, cpus: 2, memory: 2 ** 31, kernelVersion: '', operatingSystem: '', storageDriver: '', executionDriver: '',
    containers: [], images: [{ id: 'i', tags: ['nginx:1.25'] }], swarm: { state: 'active' as const, role, nodeId: name, clusterId: 's' },
    ...(role === 'manager'
      ? { swarmServices: [{ id: 'svc1', name: 't_api', labels: { 'io.cluster.name': 't', 'io.cluster.service': 'api', 'io.cluster.config-hash': swarmDefinitionHash(service), 'io.cluster.spec': JSON.stringify(swarmDefinition(service)) } }] }
      : {}),
  });
  return {
    cluster: 't',
    machines: [
      { name: 'mgr', driver: 'sim', state: 'running', engine: engine('mgr', 'manager') },
      { name: 'w-1', driver: 'sim', state: 'running', engine: engine('w-1', 'worker') },
      { name: 'w-2', driver: 'sim', state: 'running', engine: engine('w-2', 'worker') },
    ],
  };
}

const planOf = (d: Desired, o: Observed) => makePlan(d, o, place(d, o));

describe('swarm-mode services in the plan', () => {
  test('a new one is created on the leader after every member joined and holds the image; the scheduler leaves it alone', () => {
    const d = desiredOf(MACHINES + API(3));
    const plan = planOf(d, { cluster: 't', machines: [] });
    const create = plan.actions.find((a) => a.kind === 'service.create')!;
    expect(create).toMatchObject({ machine: 'mgr', service: 'api', name: 't_api' });
    expect(create.after).toEqual(expect.arrayContaining(['swarm.init:mgr', 'swarm.join:w-1', 'swarm.join:w-2', 'image.ensure:w-1:nginx:1.25', 'image.ensure:w-2:nginx:1.25']));
    expect(plan.actions.some((a) => a.kind === 'container.create')).toBe(false);
    expect(plan.placements).toEqual({});
  });

  test('unchanged: nothing to do; a changed replica count: an update showing the field', () => {
    const made = desiredOf(MACHINES + API(3));
    expect(planOf(made, observedWith(made)).actions).toEqual([]);
    const plan = planOf(desiredOf(MACHINES + API(5)), observedWith(made));
    expect(plan.actions).toMatchObject([{ kind: 'service.update', serviceId: 'svc1', patch: [{ op: 'test', path: '/replicas', value: 3 }, { op: 'replace', path: '/replicas', value: 5 }] }]);
  });

  test('a rollout the swarm paused is not converged: an update that rolls it out again, saying why (issue 13, F5)', () => {
    const made = desiredOf(MACHINES + API(3));
    const observed = observedWith(made);
    const svc = observed.machines[0]!.engine!.swarmServices![0]!;
    for (const state of ['completed', 'updating', 'rollback_completed']) {
      svc.rollout = { state };
      expect(planOf(made, observed).actions).toEqual([]);
    }
    for (const state of ['paused', 'rollback_paused']) {
      svc.rollout = { state, message: 'update paused due to failure or early termination of task x' };
      const plan = planOf(made, observed);
      expect(plan.actions).toMatchObject([{ kind: 'service.update', serviceId: 'svc1', patch: [] }]);
      expect(plan.actions[0]!.reason).toMatch(new RegExp(`rollout is ${state.replace('_', ' ')} \\(update paused due to failure.*\\): rolled out again`));
    }
  });

  test('tasks below the wanted count with a current definition: no action (the swarm keeps trying), said as a warning (issue 13, point 4)', () => {
    const made = desiredOf(MACHINES + API(3));
    const observed = observedWith(made);
    const svc = observed.machines[0]!.engine!.swarmServices![0]!;
    svc.tasks = { running: 3, desired: 3 };
    expect(planOf(made, observed).warnings.join('\n')).not.toMatch(/tasks running/);
    svc.tasks = { running: 1, desired: 3 };
    const plan = planOf(made, observed);
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toContain('swarm service t_api: 1 of 3 tasks running (see `cluster ssh mgr -- docker service ps t_api`)');
  });

  test('gone from the manifest: removed', () => {
    const made = desiredOf(MACHINES + API(3));
    const plan = planOf(desiredOf(MACHINES + 'services: {}\n'), observedWith(made));
    expect(plan.actions).toMatchObject([{ kind: 'service.remove', serviceId: 'svc1', machine: 'mgr' }]);
  });

  // swarmkit orchestrator/update/updater.go updateTask: start-first creates the new task and removes the old
  // only once the new one runs, with no timeout; scheduler/filter.go MaxReplicasFilter counts both.
  test('a start-first rollout that max_replicas_per_node leaves no room for is said as a warning; stop-first, room on a node, or a scale-only change are not', () => {
    const svc = (replicas: number, image: string, order = 'start-first', max = 1) =>
      `services:\n  api:\n    mode: swarm\n    image: ${image}\n    scale: ${replicas}\n    deploy: { update_config: { order: ${order} }, placement: { max_replicas_per_node: ${max} } }\n`;
    const warned = (made: string, wanted: string) => planOf(desiredOf(MACHINES + wanted), observedWith(desiredOf(MACHINES + made))).warnings.filter((w) => /cannot start/.test(w));
    expect(warned(svc(3, 'nginx:1.25'), svc(3, 'nginx:1.26'))).toEqual([
      'swarm service t_api: its start-first update cannot start: 3 replicas with max_replicas_per_node 1 fill all 3 swarm nodes, and the swarm counts each old task beside its replacement, so the new tasks stay pending and the rollout waits (use update_config.order: stop-first, or raise max_replicas_per_node)',
    ]);
    expect(warned(svc(5, 'nginx:1.25', 'start-first', 2), svc(6, 'nginx:1.26', 'start-first', 2))).toHaveLength(1);
    expect(warned(svc(2, 'nginx:1.25'), svc(2, 'nginx:1.26'))).toEqual([]); // a node has room for the first new task
    expect(warned(svc(3, 'nginx:1.25', 'stop-first'), svc(3, 'nginx:1.26', 'stop-first'))).toEqual([]);
    expect(warned(svc(2, 'nginx:1.25'), svc(3, 'nginx:1.25'))).toEqual([]); // more replicas: the swarm adds tasks, it rolls none
    expect(warned(svc(3, 'nginx:1.25'), svc(3, 'nginx:1.25'))).toEqual([]); // nothing to roll out
  });
});

describe('swarm-mode services in the manifest', () => {
  test('without a manager: an error at `mode`', () => {
    const r = load('name: t\nmachines:\n  m: { driver: sim, cpus: 2, memory: 2g }\n' + API(1));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics).toMatchObject([{ line: 6, message: 'service api runs in swarm mode, but no machine has `role: manager`' }]);
  });

  test('classic constraint: in environment is refused for a swarm-mode service, with the swarm way as hint', () => {
    const r = load(MACHINES + 'services:\n  api:\n    mode: swarm\n    image: nginx\n    environment: ["constraint:size==xxl"]\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ line: 9, hint: 'use deploy.placement.constraints, e.g. node.labels.size == xxl' });
  });
});
