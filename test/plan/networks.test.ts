// Networks from manifest to plan: one overlay on the swarm's leader, or a bridge per machine with
// network peers kept together; removal of what nothing uses; the manifest's errors about them.
import { describe, expect, test } from 'vitest';
import type { Desired } from '../../src/model/desired.js';
import type { Observed } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { place } from '../../src/sched/index.js';
import { desiredOf, loadText } from '../support/manifest.js';
import { owned, running } from '../support/build.js';

const load = loadText;

const fresh = (d: Desired): Observed => ({ cluster: d.name, machines: [] });
const planOf = (d: Desired, o: Observed = fresh(d)) => makePlan(d, o, place(d, o));

const SERVICES = `networks:
  back: {}
services:
  db: { image: postgres:16, networks: [back] }
  web: { image: nginx:1.25, scale: 3, networks: { back: { aliases: [front] } }, depends_on: [db] }
  other: { image: nginx:1.25, scale: 3 }
`;

describe('networks in the plan', () => {
  test('with swarm roles: one attachable overlay on the leader; attached containers wait for it and for their join', () => {
    const d = desiredOf(`name: t\nmachines:\n  mgr: { driver: sim, role: manager, cpus: 2, memory: 2g }\n  w: { driver: sim, role: worker, count: 2, cpus: 2, memory: 2g }\n${SERVICES}`);
    const plan = planOf(d);
    const creates = plan.actions.filter((a) => a.kind === 'network.create');
    expect(creates).toMatchObject([{ machine: 'mgr', network: 't_back', driver: 'overlay', labels: { 'io.cluster.name': 't', 'io.cluster.network': 'back' } }]);
    const webs = plan.actions.filter((a) => a.kind === 'container.create' && a.service === 'web');
    expect(new Set(webs.map((a) => a.machine)).size).toBeGreaterThan(1); // spread across machines: the overlay reaches them all
    for (const a of webs) {
      expect(a.after).toContain('network.create:t_back');
      if (a.machine !== 'mgr') expect(a.after).toContain(`swarm.join:${a.machine}`);
    }
    expect(plan.actions.filter((a) => a.kind === 'container.create' && a.service === 'other').every((a) => !a.after.includes('network.create:t_back'))).toBe(true);
    expect(d.services.find((s) => s.name === 'web')!.spec.networks).toEqual([{ network: 't_back', aliases: ['web', 'front'] }]);
  });

  test('a stopped replica is started only after its machine re-joined the swarm and its network exists (issue 13, F11)', () => {
    const d = desiredOf(`name: t\nmachines:\n  mgr: { driver: sim, role: manager, cpus: 2, memory: 2g }\n  w: { driver: sim, role: worker, cpus: 2, memory: 2g }\nnetworks:\n  back: {}\nservices:\n  web: { image: nginx:1.25, networks: [back], deploy: { placement: { constraints: [node.role == worker] } } }\n`);
    const web = d.services.find((s) => s.name === 'web')!;
    const stopped = owned('web', 1, web.configHash, { name: 't-web-1', state: 'exited', image: 'nginx:1.25', owner: { cluster: 't', service: 'web', replica: 1, configHash: web.configHash } });
    const observed: Observed = {
      cluster: 't',
      machines: [
        running('mgr', { swarm: { state: 'active', role: 'manager', nodeId: 'n1', clusterId: 'c1' } }),
        running('w', { containers: [stopped], images: [{ id: 'i', tags: ['nginx:1.25'] }] }), // left the swarm: must join again
      ],
    };
    const start = planOf(d, observed).actions.find((a) => a.kind === 'container.start')!;
    expect(start).toMatchObject({ machine: 'w', name: 't-web-1' });
    expect(start.after).toEqual(expect.arrayContaining(['swarm.join:w', 'network.create:t_back']));
  });

  test('without a swarm: a bridge on each machine that needs it, dependents kept with what they depend on, and a warning', () => {
    const d = desiredOf(`name: t\nmachines:\n  m: { driver: sim, count: 3, cpus: 2, memory: 2g }\n${SERVICES}`);
    const plan = planOf(d);
    const db = plan.actions.find((a) => a.kind === 'container.create' && a.service === 'db')!;
    const webMachines = plan.actions.filter((a) => a.kind === 'container.create' && a.service === 'web').map((a) => a.machine);
    expect(webMachines).toEqual([db.machine, db.machine, db.machine]);
    expect(plan.actions.filter((a) => a.kind === 'network.create')).toMatchObject([{ machine: (db as { machine: string }).machine, driver: 'bridge' }]);
    expect(plan.warnings.join('\n')).toMatch(/networks do not reach across machines/);
  });

  test('a network of this cluster nothing uses is removed after the containers on it', () => {
    const d = desiredOf(`name: t\nmachines:\n  mgr: { driver: sim, role: manager, cpus: 2, memory: 2g }\nservices:\n  web: { image: nginx:1.25 }\n`);
    const observed: Observed = {
      cluster: 't',
      machines: [
        {
          name: 'mgr',
          driver: 'sim',
          state: 'running',
          engine: {
            url: 'sim://t/mgr', id: 'e', version: 'sim', labels: {}, cpus: 2, memory: 2 ** 31, kernelVersion: '', operatingSystem: '', storageDriver: '', executionDriver: '', images: [],
            containers: [{ id: 'c1', name: 't-old-1', image: 'nginx:1.25', state: 'running', labels: { 'io.cluster.name': 't', 'io.cluster.service': 'old', 'io.cluster.replica': '1' }, ports: [], reservations: { cpus: 0, memory: 0 }, owner: { cluster: 't', service: 'old', replica: 1, configHash: 'x' } }],
            networks: [
              { id: 'n1', name: 't_back', driver: 'overlay', labels: { 'io.cluster.name': 't', 'io.cluster.network': 'back' } },
              { id: 'n2', name: 'someone_else', driver: 'overlay', labels: {} },
            ],
            swarm: { state: 'active', role: 'manager', nodeId: 'n', clusterId: 's' },
          },
        },
      ],
    };
    const plan = planOf(d, observed);
    const removals = plan.actions.filter((a) => a.kind === 'network.remove');
    expect(removals.map((a) => a.id)).toEqual(['network.remove:mgr:t_back']);
    expect(removals[0]!.after).toContain('container.remove:old:1:mgr');
  });
});

describe('networks in the manifest', () => {
  test('a service naming an undeclared network is an error at that entry, with a hint', () => {
    const r = load(`name: t\nmachines:\n  m: { driver: sim, cpus: 2, memory: 2g }\nnetworks:\n  back: {}\nservices:\n  web:\n    image: nginx\n    networks: [bakc]\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toMatchObject([{ line: 9, col: 16, message: 'service web uses network bakc, which is not declared', hint: 'did you mean `back`?' }]);
  });

  test('container_name names the container and allows one replica only', () => {
    const d = desiredOf(`name: t\nmachines:\n  m: { driver: sim, cpus: 2, memory: 2g }\nservices:\n  web: { image: nginx, container_name: my-web }\n`);
    expect(planOf(d).actions.find((a) => a.kind === 'container.create')).toMatchObject({ name: 'my-web' });
    const r = load(`name: t\nmachines:\n  m: { driver: sim, cpus: 2, memory: 2g }\nservices:\n  web: { image: nginx, container_name: my-web, scale: 2 }\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]!.message).toMatch(/container_name my-web allows one replica, but scale is 2/);
  });
});
