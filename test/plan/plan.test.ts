import { describe, expect, test } from 'vitest';
import type { ObservedContainer } from '../../src/model/observed.js';
import type { Placement } from '../../src/model/placement.js';
import { makePlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { place } from '../../src/sched/index.js';
import { countEffects } from '../../src/plan/summary.js';
import type { Action } from '../../src/plan/types.js';
import { desired, machine, owned, running, service, spec } from '../support/build.js';

const withSpec = (c: ObservedContainer, json: string): ObservedContainer => ({ ...c, labels: { ...c.labels, 'io.cluster.spec': json } });
const ids = (actions: Action[]) => actions.map((a) => a.id);
const byId = (actions: Action[], id: string) => actions.find((a) => a.id === id)!;

describe('makePlan', () => {
  test('fresh cluster: machines, swarm init then joins, images, containers after their machine and image', () => {
    const d = desired(
      [machine('manager', { role: 'manager' }), machine('worker', { role: 'worker', labels: { size: 'xxl' } })],
      [service('web', { scale: 2 })],
    );
    const placement: Placement = {
      replicas: [
        { service: 'web', replica: 1, machine: 'manager', fate: 'new' },
        { service: 'web', replica: 2, machine: 'worker', fate: 'new' },
      ],
      unschedulable: [],
      retired: [],
    };
    const plan = makePlan(d, { cluster: 'demo', machines: [] }, placement);
    expect(ids(plan.actions)).toEqual([
      'machine.create:manager',
      'machine.create:worker',
      'swarm.init:manager',
      'swarm.join:worker',
      'image.ensure:manager:busybox:latest',
      'container.create:web:1',
      'image.ensure:worker:busybox:latest',
      'container.create:web:2',
    ]);
    expect(byId(plan.actions, 'swarm.join:worker').after).toEqual(['machine.create:worker', 'swarm.init:manager']);
    expect(byId(plan.actions, 'container.create:web:2').after).toEqual(['machine.create:worker', 'image.ensure:worker:busybox:latest']);
    expect(plan.placements).toEqual({ web: { manager: [1], worker: [2] } });
    expect(countEffects(plan.actions)).toEqual({ add: 8, change: 0, destroy: 0 });
    expect(plan.simulated).toBe(true);
  });

  test('converged cluster: no actions at all', () => {
    const d = desired([machine('m1', { role: 'manager', labels: { size: 'small' } })], [service('web')]);
    const observed = {
      cluster: 'demo',
      machines: [running('m1', { labels: { size: 'small' }, images: [{ id: 'i', tags: ['busybox:latest'] }], containers: [owned('web', 1)], swarm: { state: 'active', role: 'manager', nodeId: 'n1', nodeLabels: { size: 'small' } } })],
    };
    const placement = place(d, observed);
    expect(placement.replicas).toMatchObject([{ service: 'web', replica: 1, machine: 'm1', fate: 'kept' }]);
    const plan = makePlan(d, observed, placement);
    expect(plan.actions).toEqual([]);
    expect(renderPlanText(plan)).toContain('No changes.');
  });

  test('scale down removes unreferenced replicas; a changed config is replaced with a field diff', () => {
    const d = desired([machine('m1')], [service('web', { scale: 1, configHash: 'new', spec: spec({ environment: { A: '2' } }) })]);
    const oldSpec = JSON.stringify(spec({ environment: { A: '1' } }));
    const c1 = withSpec(owned('web', 1, 'old'), oldSpec);
    const c2 = owned('web', 2, 'old');
    const observed = { cluster: 'demo', machines: [running('m1', { images: [{ id: 'i', tags: ['busybox:latest'] }], containers: [c1, c2] })] };
    const placement = place(d, observed);
    expect(placement.replicas).toMatchObject([{ replica: 1, fate: 'replaced', existing: { machine: 'm1', container: c1 } }]);
    expect(placement.retired).toEqual([{ machine: 'm1', container: c2 }]);
    const plan = makePlan(d, observed, placement);
    expect(ids(plan.actions)).toEqual(['container.remove:web:2:m1', 'container.replace:web:1']);
    const replace = byId(plan.actions, 'container.replace:web:1');
    expect(replace.after).toEqual(['container.remove:web:2:m1']);
    expect(renderPlanText(plan)).toContain('~ environment.A: "1" → "2"');
    expect(byId(plan.actions, 'container.remove:web:2:m1').reason).toBe('scale 1: replica 2 goes');
    expect(countEffects(plan.actions)).toEqual({ add: 1, change: 0, destroy: 2 });
  });

  test('a machine dropped from the manifest is drained, leaves the swarm, then goes with its containers', () => {
    const d = desired([machine('m1', { role: 'manager' })], []);
    const observed = {
      cluster: 'demo',
      machines: [
        running('m1', { swarm: { state: 'active', role: 'manager', nodeId: 'n1' } }),
        running('old', { containers: [owned('web', 1)], swarm: { state: 'active', role: 'worker', nodeId: 'n2' } }),
      ],
    };
    const plan = makePlan(d, observed, place(d, observed));
    expect(ids(plan.actions)).toEqual(['machine.availability:old', 'swarm.leave:old', 'machine.remove:old']);
    expect(byId(plan.actions, 'swarm.leave:old').after).toEqual(['machine.availability:old']);
    expect(byId(plan.actions, 'machine.remove:old').after).toEqual(['swarm.leave:old']);
    expect(byId(plan.actions, 'machine.remove:old').reason).toBe('not in the manifest, with its 1 container');
  });

  test('engine labels that differ become one change with a patch; generic hosts are reported read-only', () => {
    const d = desired([machine('m1', { labels: { size: 'xxl' } }), machine('g1', { driver: 'generic', labels: { zone: 'a' } })], []);
    const observed = { cluster: 'demo', machines: [running('m1', { labels: { size: 'small' } }), { ...running('g1', { labels: {} }), driver: 'generic' as const }] };
    const plan = makePlan(d, observed, { replicas: [], unschedulable: [], retired: [] });
    expect(ids(plan.actions)).toEqual(['engine.labels:m1', 'engine.labels:g1']);
    expect(renderPlanText(plan)).toContain('~ size: "small" → "xxl"');
    expect(byId(plan.actions, 'engine.labels:g1')).toMatchObject({ readOnly: true });
    expect(countEffects(plan.actions)).toEqual({ add: 0, change: 1, destroy: 0 });
  });

  test('depends_on: dependents wait for their dependencies; removals run in reverse', () => {
    const d = desired([machine('m1')], [service('db'), service('web', { dependsOn: ['db'] })]);
    const placement: Placement = {
      replicas: [
        { service: 'db', replica: 1, machine: 'm1', fate: 'new' },
        { service: 'web', replica: 1, machine: 'm1', fate: 'new' },
      ],
      unschedulable: [],
      retired: [],
    };
    const plan = makePlan(d, { cluster: 'demo', machines: [running('m1', { images: [{ id: 'i', tags: ['busybox:latest'] }] })] }, placement);
    expect(byId(plan.actions, 'container.create:web:1').after).toContain('container.create:db:1');

    const gone = desired([machine('m1')], [], {});
    const observed = { cluster: 'demo', machines: [running('m1', { containers: [owned('db', 1), owned('web', 1)] })] };
    const removal = makePlan({ ...gone, services: [] }, observed, place({ ...gone, services: [] }, observed));
    expect(ids(removal.actions).sort()).toEqual(['container.remove:db:1:m1', 'container.remove:web:1:m1']);
  });

  test('stopped machine is started and its stopped replicas are started', () => {
    const d = desired([machine('m1')], [service('web')]);
    const c = owned('web', 1, 'hash-web', { state: 'exited' });
    const observed = { cluster: 'demo', machines: [running('m1', { containers: [c], images: [{ id: 'i', tags: ['busybox:latest'] }] }, { state: 'stopped' })] };
    const plan = makePlan(d, observed, place(d, observed));
    expect(ids(plan.actions)).toEqual(['machine.start:m1', 'container.start:web:1']);
    expect(byId(plan.actions, 'container.start:web:1').after).toEqual(['machine.start:m1']);
  });

  test('an even number of managers is warned about', () => {
    const d = desired([machine('a', { role: 'manager' }), machine('b', { role: 'manager' })], []);
    expect(makePlan(d, { cluster: 'demo', machines: [] }, { replicas: [], unschedulable: [], retired: [] }).warnings[0]).toMatch(/2 managers/);
  });
});

describe('sensitive values', () => {
  test('a changed secret is a replacement whose value appears nowhere in the plan text or JSON', () => {
    const secret = 'hunter2-very-secret';
    const listed = 'listed-value-42';
    const old = JSON.stringify(spec({ environment: { DB_PASSWORD: '(sensitive)', MODE: 'a', CUSTOM: '(sensitive)' } }));
    const d = desired([machine('m1')], [service('db', { configHash: 'new', spec: spec({ environment: { DB_PASSWORD: secret, MODE: 'b', CUSTOM: listed } }) })], { sensitive: ['CUSTOM'] });
    const observed = { cluster: 'demo', machines: [running('m1', { images: [{ id: 'i', tags: ['busybox:latest'] }], containers: [withSpec(owned('db', 1, 'old'), old)] })] };
    const plan = makePlan(d, observed, place(d, observed));
    expect(plan.actions.map((a) => a.kind)).toEqual(['container.replace']);
    const text = renderPlanText(plan) + JSON.stringify(plan);
    expect(text).toContain('environment.MODE');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(listed);
    const sameButSecret = desired([machine('m1')], [service('db', { configHash: 'new', spec: spec({ environment: { DB_PASSWORD: secret, MODE: 'a', CUSTOM: listed } }) })], { sensitive: ['CUSTOM'] });
    const onlySecret = makePlan(sameButSecret, observed, place(sameButSecret, observed));
    expect(renderPlanText(onlySecret)).toContain('config changed (a sensitive value)');
  });
});
