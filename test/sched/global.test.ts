// `deploy.mode: global` on a container service follows swarmkit's global orchestrator
// (manager/orchestrator/global/global.go): reconcileServices keeps one task per node that meets the
// service's constraints (constraint.NodeMatches), adds one where a node has none (addTask), shuts
// down the tasks of nodes that no longer match or are gone (shutdownTasks, never re-placed), and
// updateNode drops DOWN nodes (nothing is added to them).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import type { Expression } from '../../src/model/desired.js';
import type { Observed, ObservedContainer } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service, spec } from '../support/build.js';

const none: Observed = { cluster: 'demo', machines: [] };
const where = (p: ReturnType<typeof place>) => p.replicas.map((r) => `${r.service}#${r.replica}@${r.machine}:${r.fate}`);
const retired = (p: ReturnType<typeof place>) => p.retired.map((e) => `${e.container.name}@${e.machine}`);
const eu: Expression = { key: 'zone', op: '==', soft: false, value: 'eu', text: 'zone==eu' };
const web = (over: Parameters<typeof service>[1] = {}) => service('web', { scale: 0, global: true, ...over });
const on = (name: string, ...containers: ObservedContainer[]) => running(name, { containers });
const four = () => ['a', 'b', 'c', 'd'].map((n) => machine(n, { labels: { zone: n < 'c' ? 'eu' : 'us' } }));

describe('global.go reconcileServices: one replica on each machine meeting the constraints', () => {
  test('a fresh cluster: one replica per machine, numbered in machine order', () => {
    expect(where(place(desired(four(), [web()]), none))).toEqual(['web#1@a:new', 'web#2@b:new', 'web#3@c:new', 'web#4@d:new']);
  });

  test('constraint.NodeMatches decides which machines: only those', () => {
    expect(where(place(desired(four(), [web({ placement: { constraints: [eu], affinities: [] } })]), none))).toEqual(['web#1@a:new', 'web#2@b:new']);
  });

  test('addTask: a machine that joins gets one replica, the lowest number no container uses; nothing else moves', () => {
    const observed: Observed = { cluster: 'demo', machines: [on('b', owned('web', 1)), on('c', owned('web', 2)), on('d', owned('web', 4))] };
    const p = place(desired([machine('aa'), ...four().slice(1)], [web()]), observed);
    expect(where(p)).toEqual(['web#1@b:kept', 'web#2@c:kept', 'web#3@aa:new', 'web#4@d:kept']);
    expect(p.retired).toEqual([]);
  });

  test('shutdownTasks: a machine that left keeps nobody\'s replica; it is not placed elsewhere', () => {
    const observed: Observed = { cluster: 'demo', machines: [on('a', owned('web', 1)), on('b', owned('web', 2)), on('c', owned('web', 3))] };
    const p = place(desired([machine('a'), machine('b')], [web()]), observed);
    expect(where(p)).toEqual(['web#1@a:kept', 'web#2@b:kept']);
    expect(retired(p)).toEqual(['demo-web-3@c']);
  });

  test('shutdownTasks: a machine that no longer meets the constraints loses its replica, not moved', () => {
    const observed: Observed = { cluster: 'demo', machines: [on('a', owned('web', 1)), on('b', owned('web', 2)), on('c', owned('web', 3))] };
    const p = place(desired(four().slice(0, 3), [web({ placement: { constraints: [eu], affinities: [] } })]), observed);
    expect(where(p)).toEqual(['web#1@a:kept', 'web#2@b:kept']);
    expect(retired(p)).toEqual(['demo-web-3@c']);
  });

  test('one per machine: of two on one machine the lower number stays; a changed config is replaced in place', () => {
    const observed: Observed = { cluster: 'demo', machines: [on('a', owned('web', 1, 'old'), owned('web', 2))] };
    const p = place(desired([machine('a'), machine('b')], [web()]), observed);
    expect(where(p)).toEqual(['web#1@a:replaced', 'web#3@b:new']);
    expect(retired(p)).toEqual(['demo-web-2@a']);
  });

  test('updateNode: a stopped or silent machine gets nothing new until it is seen; a stopped one\'s replica is held as not seen', () => {
    const observed: Observed = {
      cluster: 'demo',
      machines: [on('a', owned('web', 1)), { name: 'b', driver: 'sim', state: 'stopped', engine: null }, { name: 'c', driver: 'sim', state: 'running', engine: null, problem: 'timeout', silentSince: '2000-01-01T00:00:00Z' }],
    };
    const p = place(desired(four().slice(0, 3), [web()]), observed);
    expect(where(p)).toEqual(['web#1@a:kept']);
    expect(p.unschedulable).toEqual([]);
    // c is silent past the grace period (lost): swarmkit keeps no task there either, so nothing is held for it.
    expect(p.held).toEqual([{ service: 'web', replicas: [], machines: ['b'], global: true }]);
  });

  test('the other filters still apply on the machine: a taken port makes that machine\'s replica unschedulable, explained', () => {
    const stranger = { ...owned('x', 1), owner: undefined, labels: {}, name: 'nginx', ports: [{ published: 80, protocol: 'tcp' as const }] };
    const observed: Observed = { cluster: 'demo', machines: [on('a'), on('b', stranger)] };
    const p = place(desired([machine('a'), machine('b')], [web({ spec: spec({ ports: [{ target: 80, published: 80, protocol: 'tcp' }] }) })]), observed);
    expect(where(p)).toEqual(['web#1@a:new']);
    expect(p.unschedulable.map((u) => [u.replicas, u.summary])).toEqual([[[2], '0/1 machines can take web-2 (one per machine: b): 1 port 80/tcp in use']]);
  });

  test('a replicated service placed after a global one sees its replicas on their machines', () => {
    const port80 = spec({ ports: [{ target: 80, published: 80, protocol: 'tcp' }] });
    const p = place(desired([machine('a'), machine('b')], [web({ spec: port80 }), service('api', { spec: port80 })]), none);
    expect(where(p)).toEqual(['web#1@a:new', 'web#2@b:new']);
    expect(p.unschedulable.map((u) => u.summary)).toEqual(['0/2 machines can take api-1: 2 port 80/tcp in use']);
  });
});

test('the plan for an added machine is only that machine, its image and its replica', () => {
  const d = desired([machine('a'), machine('aa'), machine('b'), machine('c')], [web()]);
  const o: Observed = { cluster: 'demo', machines: ['a', 'b', 'c'].map((m, i) => on(m, owned('web', i + 1))) };
  const plan = makePlan(d, o, place(d, o));
  expect(plan.actions.map((a) => a.id)).toEqual(['machine.create:aa', 'image.ensure:aa:busybox:latest', 'container.create:web:4']);
  expect(renderPlanText(plan)).toContain('+   web #4 demo-web-4 on aa (global: replica 4, one per machine)');
});

describe('the manifest: deploy.mode: global', () => {
  const load = (services: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'global-'));
    writeFileSync(join(dir, 'cluster.yml'), `name: t\nmachines:\n  m: { driver: sim }\nservices:\n${services}`);
    return loadManifest(join(dir, 'cluster.yml'));
  };
  const said = (r: ReturnType<typeof load>) => (r.ok ? r.warnings ?? [] : r.diagnostics).map((d) => `${d.severity} ${d.line}:${d.col} ${d.message}`);

  test('a container service reads it as one replica per machine', () => {
    const r = load('  web:\n    image: nginx\n    deploy:\n      mode: global\n');
    expect(r.ok && r.desired.services[0]!.global).toBe(true);
  });

  test('a replica count with it is an error at its place (swarmkit\'s GlobalService has none: api/specs.proto)', () => {
    expect(said(load('  web:\n    image: nginx\n    scale: 3\n    deploy:\n      mode: global\n'))).toEqual([
      'error 7:12 scale sets a replica count, but deploy.mode is global: one replica runs on each eligible machine',
    ]);
    expect(said(load('  web:\n    image: nginx\n    deploy:\n      mode: global\n      replicas: 2\n'))).toEqual([
      'error 9:17 deploy.replicas sets a replica count, but deploy.mode is global: one replica runs on each eligible machine',
    ]);
  });
});

describe('compose files: deploy.mode global and the placement keys read', () => {
  const compose = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'global-compose-'));
    writeFileSync(join(dir, 'app.yml'), text);
    writeFileSync(join(dir, 'cluster.yml'), 'name: t\nmachines:\n  m: { driver: sim, count: 3 }\ncompose: app.yml\n');
    return loadManifest(join(dir, 'cluster.yml'), { env: {}, profiles: [] });
  };

  test('a compose service with deploy.mode global runs on each of the 3 machines', () => {
    const r = compose('services:\n  agent:\n    image: nginx\n    deploy:\n      mode: global\n');
    if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
    expect(place(r.desired, { cluster: 't', machines: [] }).replicas.map((x) => `${x.replica}@${x.machine}`)).toEqual(['1@m-1', '2@m-2', '3@m-3']);
  });

  test('preferences and max_replicas_per_node are read, with no warning', () => {
    const r = compose('services:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        preferences: [{ spread: node.labels.zone }]\n        max_replicas_per_node: 2\n');
    expect(r.ok && r.warnings).toEqual([]);
    expect(r.ok && r.desired.services[0]!.placement).toMatchObject({ maxPerMachine: 2, spread: ['zone'] });
  });
});
