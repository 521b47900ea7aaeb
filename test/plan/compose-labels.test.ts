// Compose's labels on replicas (docker/compose pkg/api/labels.go: project, service, container-number,
// oneoff, config-hash, project.config_files) and the stack namespace on swarm services (docker/cli
// cli/compose/convert LabelNamespace): they are for the docker CLI's views and decide nothing, so a
// cluster made before they existed plans no replacement and no update for them.
import { describe, expect, test } from 'vitest';
import { COMPOSE_LABEL } from '../../src/model/compose-labels.js';
import { LABEL } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { swarmDefinition, swarmDefinitionHash } from '../../src/plan/swarm-services.js';
import { replicaLabels } from '../../src/reconcile/actions.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service, spec } from '../support/build.js';
import { desiredOf } from '../support/manifest.js';

const withoutCompose = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith('com.docker.')));

describe('compose labels on replicas', () => {
  const d = desired([machine('m1')], [service('web', { scale: 2, spec: spec({ labels: { team: 'a' } }) })], { name: 'shop', file: '/srv/shop/cluster.yml' });
  const web = d.services[0]!;

  test('each replica carries the set `docker compose -p shop ps` lists by', () => {
    const labels = replicaLabels(d, web, 2);
    expect(labels).toMatchObject({
      [COMPOSE_LABEL.project]: 'shop',
      [COMPOSE_LABEL.service]: 'web',
      [COMPOSE_LABEL.containerNumber]: '2',
      [COMPOSE_LABEL.oneoff]: 'False',
      [COMPOSE_LABEL.configHash]: web.configHash,
      [COMPOSE_LABEL.configFiles]: '/srv/shop/cluster.yml',
      [COMPOSE_LABEL.workingDir]: '/srv/shop',
      team: 'a',
    });
    // Not in the spec the plan diffs against: the spec label is the user's labels only.
    expect(JSON.parse(labels[LABEL.spec]!).labels).toEqual({ team: 'a' });
  });

  test('containers made by a version without them: no action (no replacement just for labels)', () => {
    const containers = [1, 2].map((r) => owned('web', r, web.configHash, { name: `shop-web-${r}`, labels: withoutCompose(replicaLabels(d, web, r)), owner: { cluster: 'shop', service: 'web', replica: r, configHash: web.configHash } }));
    const observed = { cluster: 'shop', machines: [running('m1', { containers, images: [{ id: 'i', tags: [web.spec.image] }] })] };
    expect(makePlan(d, observed, place(d, observed)).actions).toEqual([]);
  });

  test('a swarm service labelled by a version without the stack namespace: no update', () => {
    const made = desiredOf('name: t\nmachines:\n  mgr: { driver: sim, role: manager }\nservices:\n  api: { mode: swarm, image: nginx:1.25, scale: 2 }\n');
    const api = made.services[0]!;
    const labels = { [LABEL.cluster]: 't', [LABEL.service]: 'api', [LABEL.configHash]: swarmDefinitionHash(api), [LABEL.spec]: JSON.stringify(swarmDefinition(api)) };
    const engine = { url: 'sim://t/mgr', id: 'mgr', version: 'sim', labels: {}, cpus: 2, memory: 2 ** 31, kernelVersion: '', operatingSystem: '', storageDriver: '', executionDriver: '', containers: [], images: [{ id: 'i', tags: ['nginx:1.25'] }], swarm: { state: 'active' as const, role: 'manager' as const, nodeId: 'mgr', clusterId: 's' }, swarmServices: [{ id: 's1', name: 't_api', labels }] };
    const observed = { cluster: 't', machines: [{ name: 'mgr', driver: 'sim' as const, state: 'running' as const, engine }] };
    expect(makePlan(made, observed, place(made, observed)).actions).toEqual([]);
  });
});
