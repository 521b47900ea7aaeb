// Swarm health in the plan (src/plan/swarm-health.ts, planSwarm in src/plan/machines.ts), from observed
// fixtures shaped as a real manager reports them (test/integration/swarm-health.test.ts does it for real):
// raft needs floor(n/2)+1 members for a leader (swarmkit manager/state/raft, etcd raft); dockerd says
// "The swarm does not have a leader" when it has none (daemon/cluster/errors.go errNoLeader).
import { describe, expect, test } from 'vitest';
import type { ObservedMachine, SwarmNodeFacts } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { savePlan, verifySavedPlan } from '../../src/plan/saved.js';
import { hasChanges, hasDrift } from '../../src/plan/summary.js';
import { swarmHealth } from '../../src/plan/swarm-health.js';
import type { Action } from '../../src/plan/types.js';
import { place } from '../../src/sched/index.js';
import { renderStatusText, statusReport } from '../../src/ui/status.js';
import { desired, machine, running } from '../support/build.js';

const NO_LEADER = "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
const d = desired(['m1', 'm2', 'm3'].map((n) => machine(n, { role: 'manager' })), []);
const node = (id: string, hostname: string, over: Partial<SwarmNodeFacts> = {}): SwarmNodeFacts => ({ id, hostname, role: 'manager', state: 'ready', reachability: 'reachable', ...over });
const manager = (name: string, nodeId: string, nodes: SwarmNodeFacts[]): ObservedMachine =>
  running(name, { hostname: name, swarm: { state: 'active', role: 'manager', nodeId, clusterId: 'c1', nodeLabels: {}, nodes } });
const stopped = (name: string): ObservedMachine => ({ name, driver: 'sim', state: 'stopped', engine: null });
const planOf = (machines: ObservedMachine[]) => {
  const observed = { cluster: 'demo', machines };
  return makePlan(d, observed, place(d, observed));
};
const ids = (actions: Action[]) => actions.map((a) => a.id);

describe('a manager that left the swarm by hand (issue 13 F3)', () => {
  // m3 ran `docker swarm leave --force`: its old entry stays a raft member, ready but unreachable until heartbeats fail.
  const nodes = [node('n1', 'm1', { leader: true }), node('n2', 'm2'), node('n3old', 'm3', { reachability: 'unreachable' })];
  const left = [manager('m1', 'n1', nodes), manager('m2', 'n2', nodes), running('m3', { hostname: 'm3', swarm: { state: 'inactive' } })];

  test('is joined again, then its old entry is forgotten (after the join: the raft never shrinks below its size)', () => {
    const plan = planOf(left);
    expect(ids(plan.actions)).toEqual(['swarm.join:m3', 'swarm.forget:m3:n3old']);
    expect(plan.actions[1]).toMatchObject({ kind: 'swarm.forget', machine: 'm3', nodeId: 'n3old', after: ['swarm.join:m3'] });
    expect(plan.unhealthy).toBeUndefined();
    expect(renderPlanText(plan)).toMatch(/- +swarm node n3old of m3 \(an entry m3 left behind \(ready, unreachable manager\)\)/);
  });

  test('once re-joined, the health says 4 raft managers for 3 and the plan forgets the down entry', () => {
    const after = [node('n1', 'm1', { leader: true }), node('n2', 'm2'), node('n3old', 'm3', { state: 'down', reachability: 'unreachable' }), node('n3', 'm3')];
    const machines = [manager('m1', 'n1', after), manager('m2', 'n2', after), manager('m3', 'n3', after)];
    const health = swarmHealth(d, { cluster: 'demo', machines })!;
    expect(health).toMatchObject({ leader: 'm1', managers: { raft: 4, reachable: 3, quorum: 3 }, hasQuorum: true });
    expect(health.stale).toEqual([{ machine: 'm3', node: after[2] }]);
    expect(health.problems.join('\n')).toMatch(/raft has 4 managers, the manifest wants 3 \(m3's old node n3old still counted/);
    const plan = planOf(machines);
    expect(ids(plan.actions)).toEqual(['swarm.forget:m3:n3old']);
    const saved = JSON.parse(JSON.stringify(savePlan({ desired: d, observed: { cluster: 'demo', machines }, compose: [], profiles: [], choices: { strategy: null, seed: null, target: [] } }, plan)));
    expect(verifySavedPlan(saved)).toMatchObject({ ok: true });
  });

  test('never forgets a node that is no machine of this cluster, a machine that did not answer, or a live node', () => {
    const list = [
      node('n1', 'm1', { leader: true }),
      node('n2', 'm2', { state: 'down', reachability: 'unreachable' }), // m2 is stopped: its own entry, not a stale one
      node('x1', 'old-host', { role: 'worker', state: 'down', reachability: undefined }), // not a machine of the manifest
      node('n3', 'm3'),
      node('n3b', 'm3', { role: 'worker', state: 'ready', reachability: undefined }), // another live host named m3
    ];
    const machines = [manager('m1', 'n1', list), stopped('m2'), manager('m3', 'n3', list)];
    const health = swarmHealth(d, { cluster: 'demo', machines })!;
    expect(health.stale).toEqual([]);
    expect(planOf(machines).actions.some((a) => a.kind === 'swarm.forget')).toBe(false);
    expect(health.problems).toContain('node m2 (n2) is down, unreachable manager');
  });
});

describe('a machine re-created under the name of one that left a down entry (fault suite counterexample)', () => {
  // w-1 was removed, its `swarm leave` cut short: the manager still lists a down w-1. The manifest wants
  // w-1 again, and the machine does not exist yet.
  const dw = desired([machine('m1', { role: 'manager' }), machine('w-1', { role: 'worker' })], []);
  const nodes = [node('n1', 'm1', { leader: true }), node('old', 'w-1', { role: 'worker', state: 'down', reachability: undefined })];
  const observed = { cluster: 'demo', machines: [manager('m1', 'n1', nodes)] };

  test('the old entry is forgotten after the new machine joins, in the same plan (it was left for the next apply)', () => {
    const plan = makePlan(dw, observed, place(dw, observed));
    expect(ids(plan.actions)).toEqual(['machine.create:w-1', 'swarm.join:w-1', 'swarm.forget:w-1:old']);
    expect(plan.actions[2]).toMatchObject({ after: ['swarm.join:w-1'] });
  });

  test('a ready entry of that name is some other live host: left alone', () => {
    const live = [nodes[0]!, node('other', 'w-1', { role: 'worker', state: 'ready', reachability: undefined })];
    const o = { cluster: 'demo', machines: [manager('m1', 'n1', live)] };
    expect(makePlan(dw, o, place(dw, o)).actions.some((a) => a.kind === 'swarm.forget')).toBe(false);
  });
});

describe('a swarm that lost its quorum (issue 13 F2)', () => {
  const leaderless = running('m1', { hostname: 'm1', swarm: { state: 'active', role: 'manager', nodeId: 'n1', error: NO_LEADER, managers: ['n1', 'n2', 'n3'] } });

  test('says so with the numbers and what to do, starts the stopped managers, and proposes no swarm init or join', () => {
    const plan = planOf([leaderless, stopped('m2'), stopped('m3')]);
    expect(ids(plan.actions)).toEqual(['machine.start:m2', 'machine.start:m3']);
    expect(plan.unhealthy).toHaveLength(1);
    expect(plan.unhealthy![0]).toMatch(/^swarm quorum lost: 1 of 3 managers reachable, a quorum needs 2; it has no leader \(m1: .*does not have a leader/);
    expect(plan.unhealthy![0]).toContain('`cluster repair --force-new-cluster`');
    expect(renderPlanText(plan)).toMatch(/Unhealthy \(this plan cannot mend it\):\n {2}- swarm quorum lost/);
  });

  test('is drift for --detailed-exitcode even when the plan has no action', () => {
    const unreachable = (name: string): ObservedMachine => ({ name, driver: 'sim', state: 'running', engine: null, problem: 'engine did not answer' });
    const plan = planOf([leaderless, unreachable('m2'), unreachable('m3')]);
    expect(plan.actions).toEqual([]);
    expect(hasChanges(plan)).toBe(false);
    expect(hasDrift(plan)).toBe(true);
    expect(renderPlanText(plan)).toContain('No changes this plan can make, but the cluster is unhealthy');
  });

  test('a leader that still lists nodes but has fewer reachable members than a quorum counts as lost too', () => {
    const nodes = [node('n1', 'm1', { leader: true }), node('n2', 'm2', { reachability: 'unreachable' }), node('n3', 'm3', { reachability: 'unreachable' })];
    const health = swarmHealth(d, { cluster: 'demo', machines: [manager('m1', 'n1', nodes), stopped('m2'), stopped('m3')] })!;
    expect(health).toMatchObject({ hasQuorum: false, managers: { raft: 3, reachable: 1, quorum: 2 } });
    expect(health.lostQuorum).toMatch(/its leader m1 no longer has a quorum/);
  });
});

test('a manifest manager that is a worker of a swarm no manifest manager manages: no swarm init (dockerd would refuse it), said as unhealthy', () => {
  const worker = running('m1', { hostname: 'm1', swarm: { state: 'active', role: 'worker', nodeId: 'w1' } });
  const plan = planOf([worker, running('m2', { swarm: { state: 'inactive' } }), running('m3', { swarm: { state: 'inactive' } })]);
  expect(plan.actions.filter((a) => a.kind.startsWith('swarm.'))).toEqual([]);
  expect(plan.unhealthy?.[0]).toMatch(/^m1 is in a swarm as a worker and no manager of the manifest manages it/);
});

test('a machine whose swarm node is in error (it cannot say which node it is) never has its entry taken for a stale one', () => {
  const nodes = [node('n1', 'm1', { leader: true }), node('n2', 'm2'), node('n3', 'm3', { state: 'down', reachability: 'unreachable' })];
  const broken = running('m3', { hostname: 'm3', swarm: { state: 'error' } });
  expect(swarmHealth(d, { cluster: 'demo', machines: [manager('m1', 'n1', nodes), manager('m2', 'n2', nodes), broken] })!.stale).toEqual([]);
});

test('cluster status shows the swarm: no leader, N of M managers reachable, the quorum, and what to do', () => {
  const leaderless = running('m1', { hostname: 'm1', swarm: { state: 'active', role: 'manager', nodeId: 'n1', error: NO_LEADER, managers: ['n1', 'n2', 'n3'] } });
  const report = statusReport(d, { cluster: 'demo', machines: [leaderless, stopped('m2'), stopped('m3')] });
  expect(report.swarm).toMatchObject({ leader: null, hasQuorum: false, managers: { raft: 3, reachable: 1, quorum: 2 }, nodes: [] });
  const text = renderStatusText(report);
  expect(text).toContain('Swarm: NO LEADER, 1 of 3 managers reachable (a quorum needs 2)');
  expect(text).toMatch(/Unhealthy:\n(.*\n)*  swarm: swarm quorum lost: .*cluster repair --force-new-cluster/);
});

test('a manifest machine that is part of another swarm (another cluster id) is said as unhealthy and left alone, never joined or changed', () => {
  const nodes = [node('n1', 'm1', { leader: true }), node('n2', 'm2')];
  const own = running('m3', { hostname: 'm3', swarm: { state: 'active', role: 'manager', nodeId: 'x3', clusterId: 'c2', nodes: [node('x3', 'm3', { leader: true })] } });
  const plan = planOf([manager('m1', 'n1', nodes), manager('m2', 'n2', nodes), own]);
  expect(plan.actions).toEqual([]);
  expect(plan.unhealthy).toEqual([expect.stringMatching(/^m3 is part of another swarm \(cluster c2, not c1 that m1 leads\): make it leave/)]);
  expect(hasDrift(plan)).toBe(true);
});
