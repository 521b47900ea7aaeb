// Node availability in the scheduler, as swarmkit has it (moby/swarmkit manager/scheduler/filter.go
// ReadyFilter.Check: `n.Spec.Availability == api.NodeAvailabilityActive`; its Explain: "N nodes not
// available for new tasks"): a paused or drained machine takes no new replica, whatever the strategy
// and whatever scheduler.filters lists; replicas on a drained machine are placed anew
// (manager/orchestrator/task.go InvalidNode), those on a paused one stay.
import { describe, expect, test } from 'vitest';
import type { Observed } from '../../src/model/observed.js';
import { enabledFilters } from '../../src/sched/filters/index.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service } from '../support/build.js';

const none: Observed = { cluster: 'demo', machines: [] };
const where = (p: ReturnType<typeof place>) => p.replicas.map((r) => `${r.replica}@${r.machine}${r.fate === 'new' ? '' : `(${r.fate})`}`);

describe('availability filter (swarmkit ReadyFilter)', () => {
  test('always on, right after health: a manifest that lists only constraint still honours it', () => {
    expect(enabledFilters(['health', 'port', 'constraint']).map((f) => f.name)).toEqual(['health', 'availability', 'port', 'constraint', 'max_replicas_per_node']);
    expect(enabledFilters(['constraint']).map((f) => f.name)).toEqual(['availability', 'constraint', 'max_replicas_per_node']);
  });

  test('binpack and random never pick a paused or drained machine; with none active, the reason is summed per availability', () => {
    const machines = [machine('a', { availability: 'pause' }), machine('b'), machine('c', { availability: 'drain' })];
    for (const strategy of ['spread', 'binpack', 'random'] as const) {
      const p = place(desired(machines, [service('web', { scale: 4 })], { scheduler: { strategy, seed: 7, filters: ['health'] } }), none);
      expect(where(p)).toEqual(['1@b', '2@b', '3@b', '4@b']);
    }
    const p = place(desired([machine('a', { availability: 'pause' }), machine('c', { availability: 'drain' })], [service('web', { scale: 1 })]), none);
    expect(p.unschedulable.map((u) => u.summary)).toEqual(['0/2 machines can take web-1: 1 availability pause, 1 availability drain']);
  });

  test('replicas on a drained machine are placed anew (with the container each replaces); on a paused one they stay', () => {
    const observed: Observed = { cluster: 'demo', machines: [running('a', { containers: [owned('web', 1)] }), running('b', { containers: [owned('web', 2)] }), running('c')] };
    const p = place(desired([machine('a', { availability: 'pause' }), machine('b', { availability: 'drain' }), machine('c')], [service('web', { scale: 2 })]), observed);
    expect(where(p)).toEqual(['1@a(kept)', '2@c']);
    expect(p.replicas[1]).toMatchObject({ existing: { machine: 'b' }, why: 'moves from b: availability drain' });
  });

  test('a replica moving off a drained machine that no other machine can take stays where it runs, and says why', () => {
    const pinned = service('db', { scale: 1, placement: { constraints: [{ key: 'node', op: '==', value: 'a', soft: false, text: 'node==a' }], affinities: [] } });
    const observed: Observed = { cluster: 'demo', machines: [running('a', { containers: [owned('db', 1)] }), running('b')] };
    const p = place(desired([machine('a', { availability: 'drain' }), machine('b')], [pinned]), observed);
    expect(where(p)).toEqual(['1@a(kept)']);
    expect(p.unschedulable).toEqual([]);
    expect(p.retired).toEqual([]);
    expect(p.stayed).toEqual([{ service: 'db', replicas: [1], reason: '0/2 machines can take db-1: 1 availability drain, 1 constraint node==a' }]);
  });
});
