// The pure part of sealed saved plans: structure, digest, cycles, comparison with a plan made again,
// and the command line that must not contradict the file. Each tamper kind is refused, by name.
import { describe, expect, test } from 'vitest';
import { isLockObject, type Observed } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { checkSavedPlan, comparePlans, findCycle, firstFew, invocationConflicts, observedDigest, planDigest, savePlan, sealedBody, verifySavedPlan, type SavedPlan } from '../../src/plan/saved.js';
import type { Action } from '../../src/plan/types.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service } from '../support/build.js';

// web 1-2 and db 1 run; m3 and web 3-4 are to be made: machine, swarm join, image and containers, with edges.
const d = desired([machine('m1', { role: 'manager' }), machine('m2', { role: 'worker' }), machine('m3', { role: 'worker' })], [service('web', { scale: 4 }), service('db')]);
const observed: Observed = {
  cluster: 'demo',
  machines: [
    running('m1', { images: [{ id: 'img', tags: ['busybox:latest'] }], containers: [owned('web', 1), owned('web', 2)], swarm: { state: 'active', role: 'manager', nodeId: 'n1' } as never }),
    running('m2', { images: [{ id: 'img', tags: ['busybox:latest'] }], containers: [owned('db', 1)], swarm: { state: 'active', role: 'worker', nodeId: 'n2' } as never }),
  ],
};
const freshPlan = () => makePlan(d, observed, place(d, observed));
const choices = { strategy: null, seed: null, target: [] };
const saved = (): SavedPlan => savePlan({ desired: d, observed, compose: [], profiles: [], choices }, freshPlan());
/** As a careful attacker would: edit the plan and compute its digest again. */
const resealed = (s: SavedPlan): SavedPlan => ({ ...s, plan_digest: planDigest(s.plan) });
const edit = (f: (actions: Action[]) => void): SavedPlan => {
  const s = JSON.parse(JSON.stringify(saved())) as SavedPlan;
  f(s.plan.actions);
  return s;
};
const problems = (data: unknown) => {
  const v = verifySavedPlan(JSON.parse(JSON.stringify(data)));
  return v.ok ? [] : v.problems;
};

describe('a saved plan as made', () => {
  test('verifies, is not stale, is identical to a plan made again, and has actions to check', () => {
    const s = saved();
    expect(freshPlan().actions.map((a) => a.id)).toEqual(['machine.create:m3', 'swarm.join:m3', 'image.ensure:m3:busybox:latest', 'container.create:web:3', 'container.create:web:4']);
    expect(verifySavedPlan(JSON.parse(JSON.stringify(s)))).toEqual({ ok: true, saved: s });
    expect(checkSavedPlan(s, d, observed)).toEqual({ stale: false });
    expect(comparePlans(s.plan, freshPlan())).toEqual([]);
    expect(invocationConflicts(s, {})).toEqual([]);
    expect(invocationConflicts(s, { file: '/tmp/cluster.yml', compose: [], profiles: [] })).toEqual([]);
  });
});

const removal: Action = { id: 'container.remove:db:1', kind: 'container.remove', after: [], cause: 'not-in-manifest', machine: 'm2', service: 'db', replica: 1, name: 'demo-db-1', containerId: 'id-db-1' };

describe('a tampered plan is refused, naming what differs', () => {
  test('an added action, digests kept: the plan no longer matches its digest', () => {
    const s = edit((actions) => actions.push(removal));
    const v = verifySavedPlan(s);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.problems.join('\n')).toMatch(/edited after it was saved/);
    expect(v.edited).toBeDefined();
    expect(comparePlans(v.edited!.plan, freshPlan())).toEqual(['action container.remove:db:1 is in the saved plan but not in a fresh plan']);
  });

  test('an added action with its digest computed again: well-formed, but not the plan made again', () => {
    const s = resealed(edit((actions) => actions.push(removal, { ...removal, id: 'machine.remove:m2', kind: 'machine.remove', machine: 'm2' } as Action)));
    expect(problems(s)).toEqual([]);
    expect(comparePlans(s.plan, freshPlan())).toEqual([
      'action container.remove:db:1 is in the saved plan but not in a fresh plan',
      'action machine.remove:m2 is in the saved plan but not in a fresh plan',
    ]);
  });

  test('a removed action', () => {
    const s = resealed(edit((actions) => actions.splice(actions.findIndex((a) => a.id === 'container.create:web:3'), 1)));
    expect(comparePlans(s.plan, freshPlan())).toEqual(['action container.create:web:3 is in a fresh plan but not in the saved plan']);
  });

  test('a changed field (replica 3 → 50)', () => {
    const s = resealed(edit((actions) => Object.assign(actions.find((a) => a.id === 'container.create:web:3')!, { replica: 50, name: 'demo-web-50' })));
    expect(comparePlans(s.plan, freshPlan())).toEqual([
      'action container.create:web:3: "replica" is 50 in the saved plan but 3 in a fresh plan',
      'action container.create:web:3: "name" is "demo-web-50" in the saved plan but "demo-web-3" in a fresh plan',
    ]);
  });

  test('a changed `after`', () => {
    const s = resealed(edit((actions) => (actions.find((a) => a.id === 'container.create:web:3')!.after = [])));
    expect(comparePlans(s.plan, freshPlan())).toEqual([expect.stringMatching(/^action container\.create:web:3: "after" is \[\] in the saved plan but \[".+"\] in a fresh plan$/)]);
  });

  test('reordered actions and a changed plan field', () => {
    const s = resealed(edit((actions) => actions.reverse()));
    s.plan.blocked = ['nothing'];
    expect(comparePlans(s.plan, freshPlan())).toEqual(['the actions are in another order than a fresh plan puts them', '"blocked" is ["nothing"] in the saved plan but [] in a fresh plan']);
  });

  test('many differences: the first five and how many more', () => {
    const s = resealed(edit((actions) => actions.push(...Array.from({ length: 8 }, (_, i) => ({ ...removal, id: `container.remove:x:${i}` })))));
    const v = verifySavedPlan(s);
    expect(v.ok).toBe(true);
    const shown = firstFew(comparePlans(s.plan, freshPlan()));
    expect(shown).toHaveLength(6);
    expect(shown[0]).toBe('action container.remove:x:0 is in the saved plan but not in a fresh plan');
    expect(shown[5]).toBe('... and 3 more');
  });
});

describe('a malformed plan is refused before anything runs', () => {
  test('a cycle names the actions that wait for each other; an action waiting for itself too', () => {
    const self = resealed(edit((actions) => actions[0]!.after.push(actions[0]!.id)));
    expect(problems(self)).toEqual(['action machine.create:m3 waits for itself']);
    const two = resealed(
      edit((actions) => {
        actions[0]!.after.push('container.create:web:3'); // machine.create:m3 ← image.ensure ← container.create:web:3
      }),
    );
    expect(problems(two)).toEqual([
      'actions wait for each other in a cycle, so none of them could ever start: machine.create:m3 → container.create:web:3 → machine.create:m3',
    ]);
  });

  test('a dangling `after`, a duplicate id, an unknown kind, wrong types', () => {
    const s = resealed(
      edit((actions) => {
        actions[0]!.after.push('machine.create:ghost');
        actions.push({ ...actions[1]! });
        actions.push({ ...removal, id: 'x', kind: 'container.nuke' } as unknown as Action);
        actions.push({ ...removal, id: 'y', replica: '1' } as unknown as Action);
        actions.push({ ...removal, id: 'z', after: 'x' } as unknown as Action);
      }),
    );
    const p = problems(s);
    expect(p).toEqual([
      `action ${s.plan.actions[1]!.id} appears twice: ids must be unique`,
      'action x has an unknown kind "container.nuke"',
      'action y: "replica" is not an integer',
      'action z: "after" is not a list of action ids',
      `action ${s.plan.actions[0]!.id} waits for machine.create:ghost, which is not in the plan`,
    ]);
  });

  test('an action whose cause is not one of the closed set is refused, naming the set', () => {
    const s = saved();
    const bad = { ...s, plan: { ...s.plan, actions: s.plan.actions.map((a, i) => (i === 0 ? { ...a, cause: 'because' } : a)) } };
    expect(problems(bad)).toEqual([expect.stringMatching(new RegExp(`^action ${s.plan.actions[0]!.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: "cause" is not one of missing, stopped, `))]);
  });

  test('the wrong format_version (a plan saved by an older cluster) gets a hint to plan again', () => {
    const v = verifySavedPlan({ ...saved(), format_version: '2.0' });
    expect(v).toMatchObject({ ok: false, problems: [expect.stringMatching(/format_version "2\.0"; .*only format 2\.1/)], hint: expect.stringMatching(/cluster plan -o FILE/) });
    expect(problems({ kind: 'something else' })[0]).toMatch(/not a saved plan/);
    expect(problems({ ...saved(), plan: [] })).toEqual(['"plan" is not an object']);
    expect(problems({ ...saved(), manifest: { file: 'relative.yml', compose: [], profiles: [], digest: 'x' } })).toEqual(['"manifest.file" is not an absolute path', '"manifest.digest" is not a sha256']);
  });

  test('findCycle walks a 200,000-action chain without recursion', () => {
    const chain = Array.from({ length: 200_000 }, (_, i) => ({ id: `a${i}`, after: i ? [`a${i - 1}`] : [] }));
    expect(findCycle(chain)).toBeUndefined();
    chain[0]!.after = ['a199999'];
    expect(findCycle(chain)).toHaveLength(200_001);
  });
});

describe('stale plans and the command line', () => {
  test('a changed cluster or manifest makes the plan stale', () => {
    const s = saved();
    const moved: Observed = { ...observed, machines: [observed.machines[0]!, { ...observed.machines[1]!, state: 'stopped', engine: null }] };
    expect(checkSavedPlan(s, d, moved)).toMatchObject({ stale: true, why: expect.stringMatching(/cluster changed/) });
    expect(checkSavedPlan(s, { ...d, services: [service('web', { scale: 5 }), service('db')] }, observed)).toMatchObject({ stale: true, why: expect.stringMatching(/manifest/) });
  });

  test('a plan made as one checkout is refused as another; one made before the folder had an identity passes only for the run that makes it', () => {
    const A = 'a'.repeat(32);
    const B = 'b'.repeat(32);
    const asA = savePlan({ desired: d, observed: { ...observed, identity: A }, compose: [], profiles: [], choices }, freshPlan());
    expect(asA.identity).toEqual({ id: A, adopted: false });
    expect(checkSavedPlan(asA, d, { ...observed, identity: A })).toEqual({ stale: false });
    expect(checkSavedPlan(asA, d, { ...observed, identity: B })).toMatchObject({ stale: true, why: expect.stringMatching(new RegExp(`made as checkout ${A}.*now checkout ${B}`)) });
    expect(checkSavedPlan(asA, d, observed)).toMatchObject({ stale: true });
    const before = saved();
    expect(before.identity).toEqual({ id: null, adopted: false });
    expect(checkSavedPlan(before, d, { ...observed, identity: B }, true)).toEqual({ stale: false });
    expect(checkSavedPlan(before, d, { ...observed, identity: B }, false)).toMatchObject({ stale: true });
    // Adopted: recorded, and --adopt on apply FILE must agree with it.
    const adopted = savePlan({ desired: d, observed: { ...observed, identity: B, adopted: true }, compose: [], profiles: [], choices }, freshPlan());
    expect(adopted.identity).toEqual({ id: B, adopted: true });
    expect(invocationConflicts(adopted, { adopt: true })).toEqual([]);
    expect(invocationConflicts(adopted, { adopt: 'bbb' })).toEqual([]);
    expect(invocationConflicts(adopted, { adopt: 'aaa' })).toHaveLength(1);
    expect(invocationConflicts(asA, { adopt: true })).toEqual([`--adopt is not what the plan was made with (no --adopt)`]);
    // Files of earlier versions have no identity: still well-formed; a malformed one is not.
    const { identity: _dropped, ...older } = asA;
    expect(problems(older)).toEqual([]);
    expect(problems({ ...asA, identity: { id: 7, adopted: 'no' } })).toEqual(['"identity" is not {id: string or null, adopted: true or false}']);
  });

  test('an object without labels (the engine says null) is not the lock, and digests like any other', () => {
    expect(isLockObject(null)).toBe(false);
    expect(isLockObject(undefined)).toBe(false);
    const m1 = observed.machines[0]!;
    const bare = { id: 'id-none', name: 'none', driver: 'null', labels: null as unknown as Record<string, string> };
    expect(() => observedDigest({ ...observed, machines: [{ ...m1, engine: { ...m1.engine!, networks: [bare] } }, observed.machines[1]!] })).not.toThrow();
  });

  test('the observed digest ignores list order and the apply lock object, not a real change', () => {
    const net = (name: string, labels: Record<string, string> = {}) => ({ id: `id-${name}`, name, driver: 'bridge', labels });
    const m1 = observed.machines[0]!;
    const withNets = (nets: ReturnType<typeof net>[], extra: Observed['machines'][number]['engine'] = m1.engine): Observed => ({
      ...observed,
      machines: [{ ...m1, engine: { ...extra!, networks: nets } }, observed.machines[1]!],
    });
    const base = observedDigest(withNets([net('bridge'), net('host')]));
    expect(observedDigest(withNets([net('host'), net('bridge')]))).toBe(base);
    expect(observedDigest(withNets([net('bridge'), net('demo-cluster-lock', { 'io.cluster.kind': 'lock', 'io.cluster.lock': '{}' }), net('host')]))).toBe(base);
    const lockContainer = owned('lock', 0, 'x', { name: 'demo-cluster-lock', state: 'created', labels: { 'io.cluster.lock': '{"id":"1"}' } });
    expect(observedDigest(withNets([net('bridge'), net('host')], { ...m1.engine!, containers: [lockContainer, ...m1.engine!.containers] }))).toBe(base);
    expect(observedDigest(withNets([net('bridge'), net('host')], { ...m1.engine!, containers: [...m1.engine!.containers].reverse() }))).toBe(base);
    expect(observedDigest(withNets([net('bridge'), net('host'), net('demo_back')]))).not.toBe(base);
    expect(observedDigest(withNets([net('bridge')], { ...m1.engine!, containers: [m1.engine!.containers[0]!] }))).not.toBe(base);
  });

  test('a plan made under the lock (its lock network observed) is the plan made without it', () => {
    const lock = { id: 'lock-id', name: 'demo-cluster-lock', driver: 'bridge', labels: { 'io.cluster.name': 'demo', 'io.cluster.kind': 'lock', 'io.cluster.lock': '{}' } };
    const m1 = observed.machines[0]!;
    const locked: Observed = { ...observed, machines: [{ ...m1, engine: { ...m1.engine!, networks: [lock] } }, observed.machines[1]!] };
    expect(comparePlans(sealedBody(freshPlan()), makePlan(d, locked, place(d, locked)))).toEqual([]);
    const unlocked: Observed = { ...observed, machines: [{ ...m1, engine: { ...m1.engine!, networks: [] } }, observed.machines[1]!] };
    expect(observedDigest(locked)).toBe(observedDigest(unlocked));
  });

  test('-f naming another manifest, or other -c, --profile, --strategy, --seed, --target: refused', () => {
    const s = saved();
    expect(invocationConflicts(s, { file: '/tmp/other/cluster.yml' })).toEqual(['-f /tmp/other/cluster.yml is not the manifest the plan was made from (/tmp/cluster.yml)']);
    expect(invocationConflicts(s, { compose: ['/tmp/docker-compose.yml'], profiles: ['debug'], strategy: 'binpack', seed: 7, target: ['service.web'] })).toHaveLength(5);
    const random = savePlan({ desired: d, observed, compose: [], profiles: [], choices: { strategy: 'random', seed: 7, target: [] } }, freshPlan());
    expect(invocationConflicts(random, { strategy: 'random', seed: 7 })).toEqual([]);
  });
});
