// Issue 13, point 1: each checkout of a cluster has an identity (io.cluster.id on what it makes). An
// object with this cluster's name but another checkout's id is someone else's: never counted,
// replaced or removed; it still takes ports and capacity like any foreign container; the plan says
// so once per checkout and machine. Objects without an id (earlier versions) stay ours, and so does
// everything while the folder has no id yet (plan never makes one).
import { describe, expect, test } from 'vitest';
import { chooseAdoption } from '../../src/cli/adopt.js';
import { UserError } from '../../src/model/diagnostic.js';
import { LABEL, type Observed, type ObservedContainer } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service, spec } from '../support/build.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const C = 'c'.repeat(32);

/** A container of checkout `id` (undefined: made by an earlier version, no id label). */
function of(id: string | undefined, svc: string, replica: number, over: Partial<ObservedContainer> = {}): ObservedContainer {
  const c = owned(svc, replica, `hash-${svc}`, over);
  if (id === undefined) return c;
  return { ...c, id: `${c.id}-${id.slice(0, 1)}`, labels: { ...c.labels, [LABEL.id]: id }, owner: { ...c.owner!, id } };
}

const actions = (observed: Observed, want = desired([machine('h1'), machine('h2')], [service('web', { scale: 2 })])) =>
  makePlan(want, observed, place(want, observed)).actions.filter((a) => a.kind !== 'image.ensure').map((a) => `${a.kind} ${'name' in a ? a.name : ''} ${a.machine}`.trim());

describe("another checkout's containers", () => {
  const observed = (identity: string | undefined): Observed => ({
    cluster: 'demo',
    ...(identity ? { identity } : {}),
    machines: [running('h1', { containers: [of(A, 'web', 1), of(B, 'api', 1)] }), running('h2', { containers: [of(undefined, 'web', 2), of(B, 'web', 3)] })],
  });

  test('are neither removed nor counted; ours and legacy ones stay; the plan says whose they are, per machine', () => {
    const want = desired([machine('h1'), machine('h2')], [service('web', { scale: 2 })]);
    const plan = makePlan(want, observed(A), place(want, observed(A)));
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toEqual([
      `1 container on machine h1 belongs to another checkout of cluster "demo" (id bbbbbbbbbbbb…): left alone; \`--adopt\` takes them over`,
      `1 container on machine h2 belongs to another checkout of cluster "demo" (id bbbbbbbbbbbb…): left alone; \`--adopt\` takes them over`,
    ]);
  });

  test('without an identity (a plan before the first apply) every object of the name is ours, as before', () => {
    // api is not in the manifest and web-3 is over the scale: both go, as they did before identities.
    expect(actions(observed(undefined)).sort()).toEqual(['container.remove demo-api-1 h1', 'container.remove demo-web-3 h2']);
  });

  test('a replica number another checkout has is still ours to create', () => {
    const want = desired([machine('h1')], [service('web', { scale: 1 })]);
    const seen: Observed = { cluster: 'demo', identity: A, machines: [running('h1', { containers: [of(B, 'web', 1, { name: 'elsewhere-web-1' })] })] };
    expect(actions(seen, want)).toEqual(['container.create demo-web-1 h1']);
  });

  test('their published ports still occupy their machine', () => {
    const want = desired([machine('h1'), machine('h2')], [service('web', { scale: 1, spec: spec({ ports: [{ target: 80, published: 8080, protocol: 'tcp' }] }) })]);
    const theirs = of(B, 'web', 1, { name: 'other-web-1', ports: [{ published: 8080, protocol: 'tcp' }] });
    const seen: Observed = { cluster: 'demo', identity: A, machines: [running('h1', { containers: [theirs] }), running('h2')] };
    const placement = place(want, seen);
    expect(placement.replicas.map((r) => r.machine)).toEqual(['h2']);
  });

  test("their replicas are no replica of ours: a service linked to db goes where our db is, not theirs", () => {
    const want = desired([machine('h1'), machine('h2')], [service('db'), service('web', { spec: spec({ links: ['db'] }) })]);
    const seen: Observed = { cluster: 'demo', identity: A, machines: [running('h1', { containers: [of(B, 'db', 1)] }), running('h2')] };
    const placement = place(want, seen);
    const where = Object.fromEntries(placement.replicas.map((r) => [r.service, r.machine]));
    expect(where.web).toBe(where.db);
  });

  test('counts by kind, in one sentence per checkout and machine', () => {
    const net = (id: string, name: string) => ({ id: `n-${name}`, name, driver: 'bridge', labels: { [LABEL.cluster]: 'demo', [LABEL.network]: name, [LABEL.id]: id } });
    const seen: Observed = {
      cluster: 'demo',
      identity: A,
      machines: [running('h1', { containers: [of(B, 'api', 1), of(B, 'api', 2), of(C, 'db', 1)], networks: [net(B, 'demo_back'), net(A, 'demo_old')] })],
    };
    const want = desired([machine('h1')], []);
    const plan = makePlan(want, seen, place(want, seen));
    // Our own unwanted network goes; theirs stays.
    expect(plan.actions.map((a) => a.id)).toEqual(['network.remove:h1:demo_old']);
    expect(plan.warnings).toEqual([
      `2 containers and 1 network on machine h1 belong to another checkout of cluster "demo" (id bbbbbbbbbbbb…): left alone; \`--adopt\` takes them over`,
      `1 container on machine h1 belongs to another checkout of cluster "demo" (id cccccccccccc…): left alone; \`--adopt\` takes them over`,
    ]);
  });

  test("a network this cluster wants that another checkout made is joined, not made twice, and the plan says so", () => {
    const theirs = { id: 'n-back', name: 'demo_back', driver: 'bridge', labels: { [LABEL.cluster]: 'demo', [LABEL.network]: 'back', [LABEL.id]: B } };
    const seen: Observed = { cluster: 'demo', identity: A, machines: [running('h1', { networks: [theirs], images: [{ id: 'i', tags: ['busybox:latest'] }] })] };
    const want = desired([machine('h1')], [service('web', { spec: spec({ networks: [{ network: 'demo_back', aliases: ['web'] }] }) })], {
      networks: [{ name: 'back', engineName: 'demo_back', external: false, position: { file: '/tmp/cluster.yml', line: 1, col: 1 } }],
    });
    const plan = makePlan(want, seen, place(want, seen));
    expect(plan.actions.map((a) => a.kind)).toEqual(['container.create']);
    expect(plan.warnings).toContain(`network demo_back on machine h1 is another checkout's (id bbbbbbbbbbbb…): this cluster's containers join it, and that checkout cannot remove it while they do; give one cluster another name`);
  });

  test("a swarm service of another checkout is not removed", () => {
    const svc = (id: string, name: string) => ({ id: `s-${name}`, name: `demo_${name}`, labels: { [LABEL.cluster]: 'demo', [LABEL.service]: name, [LABEL.id]: id } });
    const swarm = { state: 'active' as const, role: 'manager' as const, nodeId: 'n1', clusterId: 'c1' };
    const seen: Observed = { cluster: 'demo', identity: A, machines: [running('h1', { swarm, swarmServices: [svc(B, 'theirs'), svc(A, 'gone')] })] };
    const want = desired([machine('h1', { role: 'manager' })], []);
    const plan = makePlan(want, seen, place(want, seen));
    expect(plan.actions.filter((a) => a.kind === 'service.remove').map((a) => a.id)).toEqual(['service.remove:demo_gone']);
    expect(plan.warnings.join('\n')).toMatch(/1 swarm service on machine h1 belongs to another checkout .*bbbbbbbbbbbb/);
  });
});

describe('--adopt', () => {
  const seen = (identity: string | undefined, ...others: string[]): Observed => ({
    cluster: 'demo',
    ...(identity ? { identity } : {}),
    machines: [running('h1', { containers: [of(A, 'web', 1), ...others.map((id, i) => of(id, 'web', i + 2))] })],
  });

  test('bare: the only other checkout; from a folder without an identity, every id seen', () => {
    expect(chooseAdoption(seen(A, B), true)).toBe(B);
    expect(() => chooseAdoption(seen(undefined, B), true)).toThrow(/2 other checkouts/);
    expect(chooseAdoption(seen(undefined, B), 'bbbb')).toBe(B);
  });

  test('with several, bare --adopt lists them and an id (or prefix) chooses', () => {
    const err = (() => {
      try {
        chooseAdoption(seen(A, B, C), true);
      } catch (e) {
        return e as UserError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UserError);
    expect(err!.diagnostics[0]!.message).toContain(B);
    expect(err!.diagnostics[0]!.message).toContain(C);
    expect(chooseAdoption(seen(A, B, C), 'ccc')).toBe(C);
    expect(() => chooseAdoption(seen(A, B, C), 'dd')).toThrow(/no other checkout .* has that id/);
    expect(() => chooseAdoption(seen(A), true)).toThrow(/nothing to adopt/);
  });

  test("adopting makes that checkout's objects ours, and ours another checkout's; the plan says which id is taken", () => {
    const want = desired([machine('h1')], [service('web', { scale: 2 })]);
    const adopted: Observed = { ...seen(A, B), identity: B, adopted: true };
    const plan = makePlan(want, adopted, place(want, adopted));
    // B's web-2 is kept; replica 1 (A's, now another checkout's) is made anew.
    expect(plan.actions.filter((a) => a.kind.startsWith('container.')).map((a) => a.id)).toEqual(['container.create:web:1']);
    expect(plan.warnings[0]).toMatch(new RegExp(`--adopt: this folder takes over the objects of checkout ${B}`));
    expect(plan.warnings[1]).toMatch(/1 container on machine h1 belongs to another checkout .*aaaaaaaaaaaa/);
  });
});
