// Node availability, machine removal and replacement, replicas following machines, --rebalance
// (issue 15 points 1-3). The rules followed are swarmkit's, read in moby/swarmkit:
// - manager/scheduler/filter.go ReadyFilter.Check: only a node whose Spec.Availability is active takes a new task;
// - manager/orchestrator/task.go InvalidNode: a drained node's tasks need a new home (pause keeps them);
// - manager/orchestrator/global/global.go reconcileOneNode: drain shuts a global task down, pause adds none.
import { describe, expect, test } from 'vitest';
import type { DesiredMachine } from '../../src/model/desired.js';
import type { Observed, ObservedMachine, SwarmNodeFacts } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import type { Action } from '../../src/plan/types.js';
import { explainService } from '../../src/sched/explain-service.js';
import { place, type PlaceOptions } from '../../src/sched/index.js';
import { desired, machine, owned, running, service } from '../support/build.js';

const node = (id: string, hostname: string, over: Partial<SwarmNodeFacts> = {}): SwarmNodeFacts => ({ id, hostname, role: 'worker', state: 'ready', ...over });
/** A swarm of the named machines (the first leads), with the given containers on each. */
function swarm(names: { name: string; role: 'manager' | 'worker'; containers?: ReturnType<typeof owned>[]; availability?: 'pause' | 'drain' }[]): ObservedMachine[] {
  const nodes = names.map((m, i) =>
    node(`n-${m.name}`, m.name, { role: m.role, ...(m.role === 'manager' ? { reachability: 'reachable' } : {}), ...(i === 0 ? { leader: true } : {}), ...(m.availability ? { availability: m.availability } : {}) }),
  );
  return names.map((m) =>
    running(m.name, { hostname: m.name, containers: m.containers ?? [], swarm: { state: 'active', role: m.role, nodeId: `n-${m.name}`, clusterId: 'c1', nodeLabels: {}, ...(m.role === 'manager' ? { nodes } : {}) } }),
  );
}
const planOf = (d: ReturnType<typeof desired>, machines: ObservedMachine[], opts: PlaceOptions = {}) => {
  const observed: Observed = { cluster: 'demo', machines };
  return makePlan(d, observed, place(d, observed, opts));
};
const byId = (plan: { actions: Action[] }, id: string) => plan.actions.find((a) => a.id === id)!;
const web = (scale: number) => service('web', { scale });
const cluster = (w1: Partial<DesiredMachine> = {}) => [machine('m1', { role: 'manager' }), machine('w1', { role: 'worker', ...w1 }), machine('w2', { role: 'worker' })];

describe('availability: drain', () => {
  const observed = () => swarm([{ name: 'm1', role: 'manager' }, { name: 'w1', role: 'worker', containers: [owned('web', 1), owned('web', 2)] }, { name: 'w2', role: 'worker' }]);

  test('sets the swarm node, and moves its replicas elsewhere, each new one up before the old goes (create before destroy)', () => {
    const plan = planOf(desired(cluster({ availability: 'drain' }), [web(2)]), observed());
    expect(byId(plan, 'machine.availability:w1')).toMatchObject({ kind: 'machine.availability', from: 'active', availability: 'drain' });
    const moves = plan.actions.filter((a) => a.kind === 'container.replace');
    expect(moves.map((a) => [a.kind === 'container.replace' && a.from.machine, a.machine])).toEqual([
      ['w1', 'm1'],
      ['w1', 'w2'],
    ]);
    for (const m of moves) expect([m.cause, m.reason]).toEqual(['moved', 'moves from w1: availability drain']);
    // container.replace to another machine runs createAndStart, then removes the old one (src/reconcile/actions.ts).
    expect(plan.placements.web).toEqual({ m1: [1], w2: [2] });
    const text = renderPlanText(plan);
    expect(text).toContain('~   machine w1: availability active → drain (its replicas move elsewhere)');
    expect(text).toMatch(/-\/\+ web #1 demo-web-1 on m1 \(moves from w1: availability drain\)/);
  });

  test('a drained machine takes no new replica (ReadyFilter), and explain says why', () => {
    const d = desired(cluster({ availability: 'drain' }), [web(4)]);
    const plan = planOf(d, observed());
    expect(Object.keys(plan.placements.web!)).toEqual(['m1', 'w2']);
    const why = explainService(d, { cluster: 'demo', machines: observed() }, 'web')!;
    expect(why.machines.find((m) => m.machine === 'w1')!.next).toEqual({ filter: 'availability', reason: 'availability drain: takes no new replicas, its replicas move elsewhere' });
  });

  test('once drained as the manifest says, nothing more is planned; back to active is one node update', () => {
    const drained = swarm([{ name: 'm1', role: 'manager' }, { name: 'w1', role: 'worker', availability: 'drain' }, { name: 'w2', role: 'worker', containers: [owned('web', 1)] }]);
    expect(planOf(desired(cluster({ availability: 'drain' }), [web(1)]), drained).actions).toEqual([]);
    const back = planOf(desired(cluster(), [web(1)]), drained);
    expect(back.actions.map((a) => a.id)).toEqual(['machine.availability:w1']);
    expect(renderPlanText(back)).toContain('~   machine w1: availability drain → active (takes replicas again)');
  });
});

describe('availability: pause', () => {
  test('keeps what runs there, takes nothing new; explain names pause', () => {
    const machines = swarm([{ name: 'm1', role: 'manager' }, { name: 'w1', role: 'worker', containers: [owned('web', 1)] }, { name: 'w2', role: 'worker' }]);
    const d = desired(cluster({ availability: 'pause' }), [web(5)]);
    const plan = planOf(d, machines);
    expect(plan.actions.filter((a) => a.kind === 'container.replace')).toEqual([]);
    expect(plan.placements.web!.w1).toEqual([1]);
    expect(plan.actions.filter((a) => a.kind === 'container.create' && a.machine === 'w1')).toEqual([]);
    expect(byId(plan, 'machine.availability:w1')).toMatchObject({ from: 'active', availability: 'pause' });
    const why = explainService(d, { cluster: 'demo', machines }, 'web')!;
    expect(why.machines.find((m) => m.machine === 'w1')!.next).toMatchObject({ filter: 'availability', reason: expect.stringMatching(/^availability pause/) });
  });

  test('a global service: drain retires its replica there, pause keeps it but adds none (global.go reconcileOneNode)', () => {
    const g = service('agent', { global: true, scale: 0 });
    const machines = swarm([{ name: 'm1', role: 'manager' }, { name: 'w1', role: 'worker', containers: [owned('agent', 2)] }, { name: 'w2', role: 'worker' }]);
    const drained = planOf(desired(cluster({ availability: 'drain' }), [g]), machines);
    expect(Object.keys(drained.placements.agent!)).toEqual(['m1', 'w2']);
    expect(drained.actions.some((a) => a.kind === 'container.remove' && a.machine === 'w1')).toBe(true);
    const paused = planOf(desired([machine('m1', { role: 'manager' }), machine('w1', { role: 'worker', availability: 'pause' }), machine('w2', { role: 'worker', availability: 'pause' })], [g]), machines);
    expect(paused.placements.agent).toEqual({ m1: [1], w1: [2] });
  });
});

describe('removing a machine drains it first', () => {
  test('a worker: its replicas start elsewhere, then its swarm node is drained and leaves, then the machine goes', () => {
    const machines = swarm([{ name: 'm1', role: 'manager' }, { name: 'w1', role: 'worker', containers: [owned('web', 1)] }, { name: 'w2', role: 'worker' }]);
    const plan = planOf(desired([machine('m1', { role: 'manager' }), machine('w2', { role: 'worker' })], [web(1)]), machines);
    const move = plan.actions.find((a) => a.kind === 'container.replace')!;
    expect(move).toMatchObject({ machine: 'm1', from: { machine: 'w1' }, reason: 'moves from w1: the machine leaves the manifest' });
    expect(byId(plan, 'machine.availability:w1')).toMatchObject({ availability: 'drain', reason: 'machine is removed: drained first' });
    expect(byId(plan, 'swarm.leave:w1').after).toEqual(expect.arrayContaining(['machine.availability:w1', move.id]));
    expect(byId(plan, 'machine.remove:w1').after).toEqual(expect.arrayContaining(['swarm.leave:w1', move.id]));
    const order = plan.actions.map((a) => a.id);
    expect(order.indexOf(move.id)).toBeLessThan(order.indexOf('swarm.leave:w1'));
  });

  test('managers: never more than a minority of the managers left per step, each step after the last, and the plan says so', () => {
    const five = ['m1', 'm2', 'm3', 'm4', 'm5'].map((name) => ({ name, role: 'manager' as const }));
    const plan = planOf(desired([machine('m1', { role: 'manager' }), machine('m2', { role: 'manager' })], []), swarm(five));
    // 5 managers: 2 may go (a minority of 5), then 3 are left: 1 may go.
    expect(byId(plan, 'swarm.leave:m3').reason).toBe('machine is removed (manager step 1 of 2)');
    expect(byId(plan, 'swarm.leave:m4').reason).toBe('machine is removed (manager step 1 of 2)');
    expect(byId(plan, 'swarm.leave:m5')).toMatchObject({ reason: 'machine is removed (manager step 2 of 2)', after: expect.arrayContaining(['swarm.leave:m3', 'swarm.leave:m4']) });
    expect(plan.notes).toEqual([expect.stringContaining('3 of 5 managers leave in 2 steps, never more than a minority of the managers left at once so the swarm keeps its quorum: 1) m3, m4 2) m5')]);
    expect(renderPlanText(plan)).toContain('Notes:\n  - 3 of 5 managers leave in 2 steps');
  });

  test('a demotion counts as a manager lost: three of them go one by one from 4 managers', () => {
    const four = ['m1', 'm2', 'm3', 'm4'].map((name) => ({ name, role: 'manager' as const }));
    const d = desired([machine('m1', { role: 'manager' }), ...['m2', 'm3', 'm4'].map((n) => machine(n, { role: 'worker' }))], []);
    const plan = planOf(d, swarm(four));
    expect(plan.actions.map((a) => [a.id, a.after])).toEqual([
      ['swarm.demote:m2', []],
      ['swarm.demote:m3', ['swarm.demote:m2']],
      ['swarm.demote:m4', ['swarm.demote:m3']],
    ]);
  });
});

describe('replicas follow the machines', () => {
  const d = desired([machine('w1'), machine('w2')], [web(2)]);

  test('a machine whose engine is silent past --unreachable-grace: its replicas are placed again, the plan says why', () => {
    const since = '2026-01-01T00:00:00.000Z';
    const machines: ObservedMachine[] = [{ name: 'w1', driver: 'sim', state: 'running', engine: null, silentSince: since }, running('w2', { containers: [owned('web', 2)] })];
    const plan = planOf(d, machines, { now: Date.parse(since) + 301_000, silentGraceMs: 300_000 });
    const create = plan.actions.find((a) => a.kind === 'container.create')!;
    expect(create).toMatchObject({ machine: 'w2', replica: 1, cause: 'machine-lost' });
    expect(create.reason).toBe(`replica 1 of 2, not found on any machine seen; it may have been on w1 (silent since ${since}, past --unreachable-grace)`);
    // Within the grace it is held, not placed.
    expect(planOf(d, machines, { now: Date.parse(since) + 1000, silentGraceMs: 300_000 }).actions.filter((a) => a.kind === 'container.create')).toEqual([]);
  });

  test('a machine whose container was removed by hand: created again, and the replica it held is placed again with the reason', () => {
    const observed: Observed = { cluster: 'demo', machines: [running('w2', { containers: [owned('web', 2)] })], leftovers: [{ name: 'w1', driver: 'sim', what: 'its state' }] };
    const plan = makePlan(d, observed, place(d, observed));
    expect(plan.actions.map((a) => a.id)).toEqual(['machine.create:w1', 'image.ensure:w1:busybox:latest', 'container.create:web:1']);
    expect(byId(plan, 'container.create:web:1').reason).toBe('replica 1 of 2, not found on any machine seen; it may have been on w1 (gone: its machine container was removed)');
  });
});

describe('--rebalance', () => {
  // Three replicas on w1 before w2 and w3 joined.
  const machines = () => [running('w1', { containers: [owned('web', 1), owned('web', 2), owned('web', 3)] }), running('w2'), running('w3')];
  const d = desired([machine('w1'), machine('w2'), machine('w3')], [web(3)]);

  test('without it, running replicas never move for balance (moby#24103)', () => {
    expect(planOf(d, machines()).actions).toEqual([]);
  });

  test('with it, the replicas above each machine’s even share move, create before destroy, and the plan counts them', () => {
    const plan = planOf(d, machines(), { rebalance: true });
    const moves = plan.actions.filter((a) => a.kind === 'container.replace');
    expect(moves.map((a) => [a.kind === 'container.replace' && a.from.machine, a.machine, a.kind === 'container.replace' && a.replica])).toEqual([
      ['w1', 'w2', 2],
      ['w1', 'w3', 3],
    ]);
    expect(moves[0]!.reason).toBe('rebalance: moves from w1, which holds more than its share');
    expect(moves.map((a) => a.cause)).toEqual(['rebalanced', 'rebalanced']);
    expect(plan.placements.web).toEqual({ w1: [1], w2: [2], w3: [3] });
    expect(plan.notes).toEqual(['--rebalance moves 2 replicas (web ×2): spread: even share per machine; each new one runs before its old one is removed']);
    // Balanced already: nothing moves.
    const balanced = [running('w1', { containers: [owned('web', 1)] }), running('w2', { containers: [owned('web', 2)] }), running('w3', { containers: [owned('web', 3)] })];
    expect(planOf(d, balanced, { rebalance: true }).actions).toEqual([]);
  });
});

describe('machine.replace: the node image changes', () => {
  const docker = (name: string, over: Partial<DesiredMachine> = {}) => machine(name, { driver: 'docker', role: 'worker', options: { image: 'node:2' }, ...over });
  const made = (name: string, containers: ReturnType<typeof owned>[] = []) => {
    const [m] = swarm([{ name, role: 'worker', containers }]);
    return { ...m!, driver: 'docker' as const, spec: { cpus: 2, memory: 2 * 1024 ** 3, image: name === 'w1' ? 'node:1' : 'node:2' } };
  };
  const lead = () => ({ ...swarm([{ name: 'm1', role: 'manager' }])[0]!, driver: 'docker' as const, spec: { cpus: 2, memory: 2 * 1024 ** 3, image: 'node:2' } });

  test('its replicas move first, then it is re-created and re-joins with its role', () => {
    const d = desired([docker('m1', { role: 'manager' }), docker('w1'), docker('w2')], [web(1)]);
    const plan = planOf(d, [lead(), made('w1', [owned('web', 1)]), made('w2')]);
    const move = plan.actions.find((a) => a.kind === 'container.replace')!;
    expect(move).toMatchObject({ from: { machine: 'w1' }, reason: 'moves from w1: the machine is replaced (node image changes)' });
    expect(byId(plan, 'machine.replace:w1')).toMatchObject({ image: 'node:2', after: [move.id], reason: 'node image node:1 → node:2: its replicas move elsewhere first, then it is re-created and re-joins as worker' });
    expect(byId(plan, 'swarm.join:w1').after).toContain('machine.replace:w1');
    expect(renderPlanText(plan)).toContain('-/+ machine w1 (node image node:1 → node:2');
    expect(plan.blocked).toEqual([]);
  });

  test('protect: true blocks it like a removal', () => {
    const d = desired([docker('m1', { role: 'manager' }), docker('w1', { protect: true }), docker('w2')], []);
    const plan = planOf(d, [lead(), made('w1'), made('w2')]);
    expect(plan.blocked).toEqual([expect.stringMatching(/^machine w1 is protected \(protect: true\) and this plan would replace it \(node image node:1 → node:2/)]);
  });

  test('managers: the one leading stays until another leads; the others are replaced one step at a time, each after the last re-joined', () => {
    const mgr = (name: string) => ({ ...swarm([{ name: 'm1', role: 'manager' }, { name: 'm2', role: 'manager' }, { name: 'm3', role: 'manager' }]).find((m) => m.name === name)!, driver: 'docker' as const, spec: { cpus: 2, memory: 2 * 1024 ** 3, image: 'node:1' } });
    const d = desired(['m1', 'm2', 'm3'].map((n) => docker(n, { role: 'manager' })), []);
    const plan = planOf(d, [mgr('m1'), mgr('m2'), mgr('m3')]);
    expect(plan.actions.map((a) => [a.id, a.after])).toEqual([
      ['machine.replace:m2', []],
      ['swarm.join:m2', ['machine.replace:m2']],
      ['machine.replace:m3', ['swarm.join:m2']],
      ['swarm.join:m3', ['machine.replace:m3']],
    ]);
    expect(plan.notes).toEqual([expect.stringContaining('2 of 3 managers leave in 2 steps')]);
    expect(plan.warnings).toEqual([expect.stringMatching(/^m1: node image node:1 → node:2 needs the machine re-created, and no other manager keeps the swarm meanwhile/)]);
  });
});

describe('--rebalance in saved plans', () => {
  test('recorded in the choices; apply FILE --rebalance of a plan made without it is refused', async () => {
    const { savePlan, invocationConflicts, verifySavedPlan } = await import('../../src/plan/saved.js');
    const d = desired([machine('w1')], []);
    const observed: Observed = { cluster: 'demo', machines: [running('w1')] };
    const plan = planOf(d, observed.machines);
    const without = savePlan({ desired: d, observed, compose: [], profiles: [], choices: { strategy: null, seed: null, target: [] } }, plan);
    expect(invocationConflicts(without, { rebalance: true })).toEqual(['--rebalance is not what the plan was made with (made without it)']);
    const withIt = savePlan({ desired: d, observed, compose: [], profiles: [], choices: { strategy: null, seed: null, target: [], rebalance: true } }, plan);
    expect(invocationConflicts(withIt, { rebalance: true })).toEqual([]);
    expect(verifySavedPlan(JSON.parse(JSON.stringify(withIt)))).toMatchObject({ ok: true });
  });
});
