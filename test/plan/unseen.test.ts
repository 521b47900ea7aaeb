// Issue 13 F6/F7: a machine that is stopped, paused or whose engine does not answer may hold the
// replicas that look missing. They are kept as "not seen" (src/sched/held.ts), never created
// again elsewhere or on top of themselves; a silent engine's only for --unreachable-grace.
import { describe, expect, test } from 'vitest';
import type { ObservedMachine } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { hasDrift } from '../../src/plan/summary.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service } from '../support/build.js';

const want = desired([machine('m1'), machine('m2', { role: 'manager' })], [service('web', { scale: 4 })]);
const m1 = running('m1', { containers: [owned('web', 1), owned('web', 3)] });
const unseen = (state: ObservedMachine['state'], extra: Partial<ObservedMachine> = {}): ObservedMachine => ({ name: 'm2', driver: 'sim', state, engine: null, ...extra });
const NOW = Date.parse('2026-11-26T03:00:00Z');
const planOf = (m2: ObservedMachine, graceMs = 300_000) => {
  const observed = { cluster: 'demo', machines: [m1, m2] };
  const placement = place(want, observed, { now: NOW, silentGraceMs: graceMs });
  return { placement, plan: makePlan(want, observed, placement) };
};
const kinds = (p: { plan: { actions: { kind: string; machine?: string }[] } }) => p.plan.actions.map((a) => `${a.kind} ${a.machine}`);

describe('replicas on a machine that cannot be seen', () => {
  for (const state of ['stopped', 'paused'] as const) {
    test(`${state}: the plan starts it and plans nothing else for it; its replicas are kept, not re-created`, () => {
      const p = planOf(unseen(state));
      expect(kinds(p)).toEqual(['machine.start m2']); // no swarm join of a member, no container anywhere
      expect(p.plan.unseen).toEqual({ machines: [{ machine: 'm2', state, starts: true }], replicas: [{ service: 'web', replicas: [2, 4], machines: ['m2'] }] });
      expect(renderPlanText(p.plan)).toMatch(new RegExp(`m2 is ${state}: apply starts it, then sees what it holds[\\s\\S]*web #2, #4: not seen, kept as they are \\(may be on m2\\)`));
    });
  }

  test('a silent engine: its replicas are kept for the grace period counted from when it was first seen silent', () => {
    const since = new Date(NOW - 60_000).toISOString();
    const p = planOf(unseen('running', { problem: 'engine did not answer within 15 s', silentSince: since }));
    expect(kinds(p)).toEqual([]);
    expect(p.plan.unseen?.machines).toEqual([{ machine: 'm2', state: 'running', starts: false, until: new Date(NOW - 60_000 + 300_000).toISOString() }]);
    expect(renderPlanText(p.plan)).toMatch(/No changes can be made now; 2 replicas could not be seen/);
  });

  test('first seen silent by this run: the grace period starts now', () => {
    const p = planOf(unseen('running'), 1000);
    expect(p.plan.unseen?.machines[0]?.until).toBe(new Date(NOW + 1000).toISOString());
  });

  test('after the grace period the machine counts as lost: its replicas are placed on the machines that answer', () => {
    const p = planOf(unseen('running', { silentSince: new Date(NOW - 301_000).toISOString() }));
    expect(p.plan.unseen).toBeUndefined();
    expect(kinds(p).filter((k) => k.startsWith('container.'))).toEqual(['container.create m1', 'container.create m1']);
  });

  test('a machine in error is treated like a silent engine', () => {
    expect(planOf(unseen('error')).plan.unseen?.replicas).toEqual([{ service: 'web', replicas: [2, 4], machines: ['m2'] }]);
  });

  test('replicas whose container was seen on a machine that goes still move: only unseen ones are kept', () => {
    const w = desired([machine('m1'), machine('m2')], [service('web', { scale: 2 })]);
    const observed = { cluster: 'demo', machines: [running('m1'), unseen('stopped'), running('m3', { containers: [owned('web', 1)] })] };
    const placement = place(w, observed, { now: NOW });
    expect(placement.held).toEqual([{ service: 'web', replicas: [2], machines: ['m2'] }]);
    expect(placement.replicas.map((r) => `${r.replica}@${r.machine}:${r.fate}`)).toEqual(['1@m1:new']);
  });

  test('a service whose hard constraints exclude the unseen machine is placed as usual', () => {
    const w = desired([machine('m1', { labels: { zone: 'a' } }), machine('m2', { labels: { zone: 'b' } })], [service('web', { scale: 2, placement: { constraints: [{ key: 'zone', op: '==', value: 'a', soft: false, text: 'zone==a' }], affinities: [] } })]);
    const placement = place(w, { cluster: 'demo', machines: [running('m1'), unseen('stopped')] }, { now: NOW });
    expect(placement.held).toEqual([]);
    expect(placement.unseen).toEqual([{ machine: 'm2', state: 'stopped', starts: true }]); // still said: the plan starts it
    expect(placement.replicas.map((r) => r.machine)).toEqual(['m1', 'm1']);
  });

  test('nothing new is placed on a machine whose contents are unknown', () => {
    const w = desired([machine('m1'), machine('m2')], [service('web', { scale: 2 }), service('db', { scale: 1 })]);
    const observed = { cluster: 'demo', machines: [running('m1', { containers: [owned('web', 1), owned('web', 2)] }), unseen('stopped')] };
    const placement = place(w, observed, { now: NOW });
    // db #1 was never seen either, so it may be on m2: kept; web is complete and untouched.
    expect(placement.held).toEqual([{ service: 'db', replicas: [1], machines: ['m2'] }]);
    expect(placement.replicas.filter((r) => r.fate === 'new')).toEqual([]);
  });

  // Stop 20's follow-up: a global service's replica there was neither placed nor said, so a plan with
  // only global services called a silent machine's cluster converged (and --detailed-exitcode gave 0).
  describe('a global service (one per machine, global.go updateNode adds nothing to a DOWN node)', () => {
    const agent = service('agent', { scale: 0, global: true });
    const planFor = (w: ReturnType<typeof desired>, m2: ObservedMachine) => {
      const observed = { cluster: 'demo', machines: [running('m1', { containers: [owned('agent', 1)] }), m2] };
      const placement = place(w, observed, { now: NOW });
      return makePlan(w, observed, placement);
    };

    test('its replica on a silent machine is listed as not seen (its number is unknown), and the plan is not "converged"', () => {
      const plan = planFor(desired([machine('m1'), machine('m2')], [agent]), unseen('running', { silentSince: new Date(NOW - 60_000).toISOString() }));
      expect(plan.actions).toEqual([]);
      expect(plan.unseen?.replicas).toEqual([{ service: 'agent', replicas: [], machines: ['m2'], global: true }]);
      expect(hasDrift(plan)).toBe(true);
      const text = renderPlanText(plan);
      expect(text).toContain('? agent (global): the replica on m2 not seen, kept as it is');
      expect(text).toContain('No changes can be made now; 1 replica could not be seen');
    });

    test('a stopped machine: started, and its replica said as not seen; a drained or constrained-out one has none to say', () => {
      expect(planFor(desired([machine('m1'), machine('m2')], [agent]), unseen('stopped')).unseen?.replicas).toEqual([{ service: 'agent', replicas: [], machines: ['m2'], global: true }]);
      expect(planFor(desired([machine('m1'), machine('m2', { availability: 'drain' })], [agent]), unseen('stopped')).unseen?.replicas).toEqual([]);
      const onlyA = service('agent', { scale: 0, global: true, placement: { constraints: [{ key: 'zone', op: '==', value: 'a', soft: false, text: 'zone==a' }], affinities: [] } });
      const w = desired([machine('m1', { labels: { zone: 'a' } }), machine('m2', { labels: { zone: 'b' } })], [onlyA]);
      expect(planFor(w, unseen('stopped')).unseen?.replicas).toEqual([]);
    });
  });
});
