// deploy.placement.max_replicas_per_node follows swarmkit's MaxReplicasFilter
// (manager/scheduler/filter.go): SetTask turns it on when MaxReplicas > 0; Check passes a node
// holding fewer than MaxReplicas active tasks of the service (ActiveTasksCountByService), counting
// the ones just assigned in this pass.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import type { Observed } from '../../src/model/observed.js';
import { explainService } from '../../src/sched/explain-service.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service } from '../support/build.js';

const none: Observed = { cluster: 'demo', machines: [] };
const where = (p: ReturnType<typeof place>) => p.replicas.map((r) => `${r.replica}@${r.machine}`);
const capped = (scale: number, max: number | undefined) => service('web', { scale, placement: { constraints: [], affinities: [], ...(max ? { maxPerMachine: max } : {}) } });
const binpack = { scheduler: { strategy: 'binpack' as const, seed: 0, filters: ['health' as const, 'port' as const, 'constraint' as const] } };
const three = () => [machine('a'), machine('b'), machine('c')];

describe('MaxReplicasFilter.Check: a machine holding N replicas of the service takes no more', () => {
  test('binpack fills a machine up to the limit, then the next (without it, all on one)', () => {
    expect(where(place(desired(three(), [capped(5, undefined)], binpack), none))).toEqual(['1@a', '2@a', '3@a', '4@a', '5@a']);
    expect(where(place(desired(three(), [capped(5, 2)], binpack), none))).toEqual(['1@a', '2@a', '3@b', '4@b', '5@c']);
  });

  test('past every machine\'s limit the rest is unschedulable, and the reason names the limit', () => {
    const p = place(desired([machine('a'), machine('b')], [capped(5, 2)]), none);
    expect(where(p)).toEqual(['1@a', '2@b', '3@a', '4@b']);
    expect(p.unschedulable.map((u) => [u.replicas, u.summary])).toEqual([[[5], '0/2 machines can take web-5: 2 max_replicas_per_node 2 reached']]);
  });

  test('replicas already running count; those past the limit on one machine are placed anew', () => {
    const observed: Observed = { cluster: 'demo', machines: [running('a', { containers: [owned('web', 1), owned('web', 2), owned('web', 3)] }), running('b')] };
    const p = place(desired([machine('a'), machine('b')], [capped(3, 2)]), observed);
    // Moved as a replica on a machine that no longer meets its constraints is: the new one replaces the old.
    expect(p.replicas.map((r) => `${r.replica}@${r.machine}:${r.fate}${r.existing ? ` (was on ${r.existing.machine})` : ''}`)).toEqual(['1@a:kept (was on a)', '2@a:kept (was on a)', '3@b:new (was on a)']);
  });

  test('explain says which machines reached it', () => {
    const x = explainService(desired([machine('a'), machine('b'), machine('c')], [capped(4, 2)], binpack), none, 'web')!;
    expect(x.machines.map((m) => [m.machine, m.replicas.length, 'reason' in m.next ? m.next.reason : 'takes one more'])).toEqual([
      ['a', 2, 'max_replicas_per_node 2 reached'],
      ['b', 2, 'max_replicas_per_node 2 reached'],
      ['c', 0, 'takes one more'],
    ]);
  });
});

describe('the manifest: deploy.placement.max_replicas_per_node', () => {
  const load = (deploy: string, mode = '') => {
    const dir = mkdtempSync(join(tmpdir(), 'max-replicas-'));
    writeFileSync(join(dir, 'cluster.yml'), `name: t\nmachines:\n  m: { driver: sim, role: manager }\nservices:\n  web:\n    image: nginx\n${mode}    deploy:\n      replicas: 4\n      placement:\n${deploy}`);
    return loadManifest(join(dir, 'cluster.yml'));
  };

  test('read as the machine limit; 0 is no limit (SetTask: MaxReplicas > 0)', () => {
    const r = load('        max_replicas_per_node: 2\n');
    expect(r.ok && r.desired.services[0]!.placement.maxPerMachine).toBe(2);
    const zero = load('        max_replicas_per_node: 0\n');
    expect(zero.ok && zero.desired.services[0]!.placement.maxPerMachine).toBeUndefined();
  });

  test('a value that is no whole number ≥ 0 is an error at its place', () => {
    const r = load('        max_replicas_per_node: -1\n');
    expect(r.ok ? [] : r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['10:32 max_replicas_per_node must be a whole number ≥ 0 (got -1)']);
  });

  test('on a mode: swarm service it goes to the swarm (Placement.MaxReplicas), not to our scheduler', () => {
    const r = load('        max_replicas_per_node: 2\n', '    mode: swarm\n');
    expect(r.ok && r.warnings).toEqual([]);
    expect(r.ok && r.desired.services[0]!.swarm?.maxReplicas).toBe(2);
    expect(r.ok && r.desired.services[0]!.placement.maxPerMachine).toBeUndefined();
  });
});
