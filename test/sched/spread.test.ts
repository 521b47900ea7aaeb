// deploy.placement.preferences spread on a container service follows swarmkit's scheduler:
// nodeset.go tree groups the nodes by the label's value (a node without it is in the "" group) and
// counts the service's tasks on every node of a group; scheduler.go scheduleNTasksOnSubtree evens
// the groups out, leaving out a group with no room (noRoom), and inside a group the nodes are ranked
// as without preferences (here: by the strategy).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import type { Expression } from '../../src/model/desired.js';
import type { Observed } from '../../src/model/observed.js';
import { explainService } from '../../src/sched/explain-service.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service, spec } from '../support/build.js';

const none: Observed = { cluster: 'demo', machines: [] };
const where = (p: ReturnType<typeof place>) => p.replicas.map((r) => `${r.replica}@${r.machine}`);
const binpack = { scheduler: { strategy: 'binpack' as const, seed: 0, filters: ['health' as const, 'port' as const, 'constraint' as const] } };
// a and b in eu, c in us, d without a zone.
const zones = () => [machine('a', { labels: { zone: 'eu' } }), machine('b', { labels: { zone: 'eu' } }), machine('c', { labels: { zone: 'us' } }), machine('d')];
const web = (scale: number, over: Parameters<typeof service>[1] = {}) => service('web', { scale, placement: { constraints: [], affinities: [], spread: ['zone'] }, ...over });

describe('nodeset.go tree + scheduleNTasksOnSubtree: replicas even across the values of the label', () => {
  test('each value, and the machines without the label, get as many; binpack still packs inside a group', () => {
    expect(where(place(desired(zones(), [web(6)], binpack), none))).toEqual(['1@d', '2@a', '3@c', '4@d', '5@a', '6@c']);
    // Without the preference binpack puts all six on one machine.
    expect(new Set(where(place(desired(zones(), [service('web', { scale: 6 })], binpack), none)).map((w) => w.split('@')[1])).size).toBe(1);
  });

  test('replicas already running count for their group: new ones go to the emptier groups', () => {
    const observed: Observed = { cluster: 'demo', machines: [running('a', { containers: [owned('web', 1), owned('web', 2)] }), running('b'), running('c'), running('d')] };
    expect(where(place(desired(zones(), [web(4)]), observed))).toEqual(['1@a', '2@a', '3@d', '4@c']);
  });

  test('noRoom: a group whose machines cannot take one is left out; the others stay even', () => {
    const port = spec({ ports: [{ target: 80, published: 80, protocol: 'tcp' }] });
    const p = place(desired([...zones(), machine('e', { labels: { zone: 'eu' } })], [web(4, { spec: port })]), none);
    // One per machine (port 80): '' has d, eu has a, b, e, us has c.
    expect(where(p)).toEqual(['1@d', '2@a', '3@c', '4@b']);
  });

  test('a group whose machines the constraints refuse takes nothing: the others share the replicas evenly', () => {
    const notUs: Expression = { key: 'zone', op: '!=', soft: false, value: 'us', text: 'zone!=us' };
    const p = place(desired(zones(), [web(4, { placement: { constraints: [notUs], affinities: [], spread: ['zone'] } })]), none);
    expect(where(p)).toEqual(['1@d', '2@a', '3@d', '4@b']);
  });

  test('several preferences nest, outermost first', () => {
    const ms = [
      machine('p', { labels: { region: 'r1', zone: 'z1' } }),
      machine('q', { labels: { region: 'r1', zone: 'z2' } }),
      machine('r', { labels: { region: 'r2', zone: 'z3' } }),
    ];
    const p = place(desired(ms, [web(4, { placement: { constraints: [], affinities: [], spread: ['region', 'zone'] } })]), none);
    expect(where(p)).toEqual(['1@p', '2@r', '3@q', '4@r']);
  });

  test('explain shows the replicas per value', () => {
    const x = explainService(desired(zones(), [web(5)]), none, 'web')!;
    expect(x.notes?.find((n) => n.startsWith('spread'))).toMatch(/replicas per value: \(no label\) 2, eu 2, us 1$/);
  });
});

describe('the manifest: deploy.placement.preferences', () => {
  const load = (spread: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'spread-'));
    writeFileSync(join(dir, 'cluster.yml'), `name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        preferences:\n          - spread: ${spread}\n`);
    return loadManifest(join(dir, 'cluster.yml'));
  };

  test('node.labels.KEY and engine.labels.KEY (any case, as swarmkit reads the prefix) spread over machine label KEY', () => {
    for (const d of ['node.labels.zone', 'engine.labels.zone', 'Node.Labels.zone']) {
      const r = load(d);
      expect(r.ok && r.desired.services[0]!.placement.spread).toEqual(['zone']);
    }
  });

  test('any other descriptor is an error at its place (swarmkit skips it silently)', () => {
    const r = load('node.hostname');
    expect(r.ok ? [] : r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['10:21 cannot spread over "node.hostname": a machine label is spread over, written node.labels.KEY']);
  });
});
