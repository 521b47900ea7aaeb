// x-cluster.ignore_changes, as Terraform's lifecycle.ignore_changes (hashicorp/terraform internal/terraform,
// NodeAbstractResource.processIgnoreChanges: only for an object that exists, an ignored attribute is
// planned with its prior value, so it makes no diff):
// a field changed outside cluster, or in the manifest, neither replaces a container nor updates a
// swarm service, and the plan says what it ignored; any other field still does. Sim machines, the
// labels apply records (replicaLabels), the plan as the CLI computes it (computePlan).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { computePlan } from '../../src/cli/pipeline.js';
import { loadManifest } from '../../src/manifest/index.js';
import type { Desired } from '../../src/model/desired.js';
import type { Observed, ObservedContainer } from '../../src/model/observed.js';
import { swarmDefinition, swarmDefinitionHash } from '../../src/plan/swarm-services.js';
import type { Plan } from '../../src/plan/types.js';
import { replicaLabels } from '../../src/reconcile/actions.js';
import { running } from '../support/build.js';
import { desiredOf, loadText } from '../support/manifest.js';

const MACHINES = 'name: demo\nmachines:\n  m: { driver: sim, count: 2, cpus: 2, memory: 4GiB }\n';
const web = (env: string, ignore: string, scale = 2) =>
  `${MACHINES}services:\n  web:\n    image: busybox\n    scale: ${scale}\n    environment: { ${env} }\n${ignore ? `    x-cluster:\n      ignore_changes: [${ignore}]\n` : ''}`;

/** What an apply of `made` left: its replicas (1..n, or those given) spread over m-1 and m-2, with the labels apply records. */
function cluster(made: Desired, replicas = [1, 2]): Observed {
  const s = made.services[0]!;
  const container = (replica: number): ObservedContainer => ({
    id: `c${replica}`,
    name: `demo-web-${replica}`,
    image: 'busybox:latest',
    state: 'running',
    labels: replicaLabels(made, s, replica),
    ports: [],
    reservations: { cpus: 0, memory: 0 },
    owner: { cluster: 'demo', service: 'web', replica, configHash: s.configHash },
  });
  const on = (m: number) => replicas.filter((r) => (r % 2 === 1 ? 1 : 2) === m).map(container);
  const images = [{ id: 'i', tags: ['busybox:latest'] }];
  return { cluster: 'demo', machines: [running('m-1', { containers: on(1), images }), running('m-2', { containers: on(2), images })] };
}

const planOf = (d: Desired, o: Observed): Plan => computePlan(d, { observed: o, records: new Map() }).plan;
const kinds = (p: Plan) => p.actions.map((a) => a.id);

describe('a container service', () => {
  test('an ignored variable changed outside cluster (or in the manifest): no action, a note naming it', () => {
    const made = desiredOf(web('FOO: a, BAR: b', 'environment.FOO'));
    const plan = planOf(desiredOf(web('FOO: changed, BAR: b', 'environment.FOO')), cluster(made));
    expect(plan.actions).toEqual([]);
    expect(plan.notes).toEqual(['web: replicas 1, 2 differ from the manifest only in environment.FOO; kept as they run (x-cluster.ignore_changes)']);
  });

  test('the same change without the rule replaces; a change of a field not ignored replaces too', () => {
    const made = desiredOf(web('FOO: a, BAR: b', 'environment.FOO'));
    expect(kinds(planOf(desiredOf(web('FOO: changed, BAR: b', '')), cluster(made)))).toEqual(['container.replace:web:1', 'container.replace:web:2']);
    const other = planOf(desiredOf(web('FOO: changed, BAR: c', 'environment.FOO')), cluster(made));
    expect(other.actions.map((a) => [a.id, a.cause])).toEqual([
      ['container.replace:web:1', 'spec-changed'],
      ['container.replace:web:2', 'spec-changed'],
    ]);
    expect(other.notes ?? []).toEqual([]);
  });

  test('a whole map ignored: `labels` covers every label', () => {
    const made = desiredOf(`${web('FOO: a', 'labels')}    labels: { team: core }\n`);
    const plan = planOf(desiredOf(`${web('FOO: a', 'labels')}    labels: { team: infra, extra: x }\n`), cluster(made));
    expect(plan.actions).toEqual([]);
    expect(plan.notes?.[0]).toContain('only in labels');
  });

  test('scale ignored: a replica added by hand above the scale is kept (said); without the rule it goes', () => {
    const made = desiredOf(web('FOO: a', 'scale'));
    const withExtra = cluster(made, [1, 2, 3]);
    const plan = planOf(made, withExtra);
    expect(plan.actions).toEqual([]);
    expect(plan.notes).toEqual(["web: replica 3 runs beyond the manifest's scale 2; kept (scale is in x-cluster.ignore_changes)"]);
    expect(planOf(desiredOf(web('FOO: a', '')), withExtra).actions.map((a) => [a.id, a.cause])).toEqual([['container.remove:web:3:m-1', 'scaled-down']]);
    // Existence is never ignored: a replica removed by hand comes back.
    expect(kinds(planOf(made, cluster(made, [1])))).toContain('container.create:web:2');
  });
});

describe('a swarm-mode service', () => {
  const SWARM = 'name: demo\nmachines:\n  mgr: { driver: sim, role: manager, cpus: 2, memory: 2g }\n';
  const api = (env: string, ignore: string, scale = 3) =>
    `${SWARM}services:\n  api:\n    mode: swarm\n    image: nginx:1.25\n    scale: ${scale}\n    environment: { ${env} }\n    x-cluster:\n      ignore_changes: [${ignore}]\n`;
  const swarm = (made: Desired, liveReplicas: number): Observed => {
    const s = made.services[0]!;
    return {
      cluster: 'demo',
      machines: [
        running('mgr', {
          images: [{ id: 'i', tags: ['nginx:1.25'] }],
          swarm: { state: 'active', role: 'manager', nodeId: 'mgr', clusterId: 's' },
          swarmServices: [{ id: 'svc1', name: 'demo_api', labels: { 'io.cluster.name': 'demo', 'io.cluster.service': 'api', 'io.cluster.config-hash': swarmDefinitionHash(s), 'io.cluster.spec': JSON.stringify(swarmDefinition(s, made)) }, tasks: { running: liveReplicas, desired: liveReplicas } }],
        }),
      ],
    };
  };

  test('an ignored field: no update, a note; replicas scaled by hand are kept; another field updates', () => {
    const made = desiredOf(api('FOO: a, BAR: b', 'environment.FOO, deploy.replicas'));
    const edited = planOf(desiredOf(api('FOO: b, BAR: b', 'environment.FOO, deploy.replicas')), swarm(made, 3));
    expect(edited.actions).toEqual([]);
    expect(edited.notes).toEqual(['api: the swarm service differs from the manifest only in environment.FOO; not updated (x-cluster.ignore_changes)']);

    const scaled = planOf(made, swarm(made, 7));
    expect(scaled.actions).toEqual([]);
    expect(scaled.notes).toEqual(['api: the swarm runs 7 replicas, the manifest says 3; kept at 7 (scale is in x-cluster.ignore_changes)']);

    const other = planOf(desiredOf(api('FOO: a, BAR: c', 'environment.FOO, deploy.replicas')), swarm(made, 7));
    expect(other.actions.map((a) => [a.id, a.cause])).toEqual([['service.update:api', 'spec-changed']]);
    const update = other.actions[0]!;
    // The update carries the live replica count, not the manifest's.
    expect(update.kind === 'service.update' && update.patch.filter((op) => op.op !== 'test').map((op) => op.path).sort()).toEqual(['/replicas', '/spec/environment/BAR']);
  });
});

describe('the rule as written', () => {
  test('an unknown field is an error at file:line:col with the closest name', () => {
    const r = loadText(web('FOO: a', 'environment.FOO, lables'));
    expect(r.ok).toBe(false);
    const d = !r.ok ? r.diagnostics[0]! : undefined;
    expect(d).toMatchObject({ line: 10, col: 41, message: 'ignore_changes: "lables" is not a service field that can be ignored', hint: 'did you mean `labels`?' });
  });

  test('an unknown key of x-cluster is refused by name', () => {
    const r = loadText(`${MACHINES}services:\n  web:\n    image: busybox\n    x-cluster: { ignore_change: [labels] }\n`);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message} ${d.hint ?? ''}`).join('\n')).toMatch(/^7:\d+ unknown key `ignore_change` .*did you mean `ignore_changes`/);
  });

  test('a compose file carries it as an x- extension (docker compose ignores it); its errors point into the compose file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ignore-compose-'));
    writeFileSync(join(dir, 'cluster.yml'), `${MACHINES}compose: app.yml\n`);
    writeFileSync(join(dir, 'app.yml'), 'services:\n  web:\n    image: busybox\n    x-cluster:\n      ignore_changes: [environment.FOO, deploy.replicas]\n');
    const r = loadManifest(join(dir, 'cluster.yml'), { env: {} });
    expect(r.ok && r.desired.services[0]!.ignoreChanges!.map((f) => f.field)).toEqual(['environment.FOO', 'deploy.replicas']);

    writeFileSync(join(dir, 'app.yml'), 'services:\n  web:\n    image: busybox\n    x-cluster:\n      ignore_changes: [enviroment]\n');
    const bad = loadManifest(join(dir, 'cluster.yml'), { env: {} });
    expect(!bad.ok && bad.diagnostics[0]).toMatchObject({ file: join(dir, 'app.yml'), line: 5, hint: 'did you mean `environment`?' });
  });
});
