// Swarm-mode services on real engines: a global service publishing a host-mode port answers on
// every machine; a replicated one runs its replicas, rolls an update, and goes when removed.
// (The routing mesh forwards through IPVS, which this sandbox's kernel lacks: the ingress publish is checked as the swarm records it.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `sw${process.pid}`;
const manifest = (replicas: number, withWorker = true, command = '[sleep, "3600"]') => `name: ${NAME}
machines:
  manager: { driver: docker, role: manager }
  worker: { driver: docker, role: worker, labels: { size: xxl } }
services:
  edge:
    mode: swarm
    image: busybox:latest
    command: [httpd, -f, -p, "80", -h, /etc]
    ports: [{ target: 80, published: 8090, mode: host }]
    deploy: { mode: global }
${withWorker ? `  api:
    mode: swarm
    image: busybox:latest
    command: ${command}
    ports: ["8091:80"]
    scale: ${replicas}
    deploy:
      placement: { constraints: ["node.labels.size == xxl"] }
      update_config: { parallelism: 1, order: start-first }
  capped:
    mode: swarm
    image: busybox:latest
    command: [sleep, "3600"]
    deploy:
      placement: { max_replicas_per_node: 1 }
` : ''}`;

const host = dockerodeFor(DOCKER_HOST);

describe('swarm-mode services on the docker driver', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const manager = () => dockerodeFor(`unix://${join(dir, '.cluster/machines/manager/docker.sock')}`);
  const tasksOf = async (service: string) =>
    ((await manager().listTasks({ filters: { service: [`${NAME}_${service}`], 'desired-state': ['running'] } })) as { Status: { State: string }; NodeID: string }[]).filter((t) => t.Status.State === 'running');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cl-swarm-'));
    file = join(dir, 'cluster.yml');
    writeFileSync(file, manifest(2));
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
  });

  test('apply creates both services and waits until their tasks run; a second plan has no changes', async () => {
    const p = await run('plan');
    expect(p.stdout).toContain(`+   swarm service ${NAME}_edge on manager`);
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await tasksOf('edge')).length).toBe(2);
    expect((await tasksOf('api')).length).toBe(2);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
    // Task counts come from the manager (GET /services?status=true), as `docker service ls` shows them.
    expect((await run('status')).stdout).toMatch(new RegExp(`edge\\s+${NAME}_edge\\s+2/2\\s+\\S+\\s+manager`));
  });

  test("a replicated service's published port is on the swarm's routing mesh (ingress), as docker stack deploy makes it", async () => {
    // Whether the mesh forwards is the kernel's part (IPVS, absent here); what the swarm was told is ours.
    const api = (await manager().getService(`${NAME}_api`).inspect()) as { Endpoint: { Ports?: { PublishMode: string; PublishedPort: number; TargetPort: number }[] } };
    expect(api.Endpoint.Ports).toEqual([expect.objectContaining({ PublishMode: 'ingress', PublishedPort: 8091, TargetPort: 80 })]);
  });

  test('max_replicas_per_node is sent to the swarm as Placement.MaxReplicas (Engine API ≥ 1.40), not warned about and dropped', async () => {
    // The swarm's own scheduler enforces it (swarmkit filter.go MaxReplicasFilter); what it was told is ours.
    // A service of its own: on api (3 replicas on the one xxl worker, start-first) any limit that binds
    // leaves the update's extra task pending ("max replicas per node limit exceed") and the F5 rollout never
    // ends: Check counts the node's active tasks (nodeinfo.go ActiveTasksCountByService), the old one still running too.
    const capped = (await manager().getService(`${NAME}_capped`).inspect()) as { Spec: { TaskTemplate: { Placement: { MaxReplicas?: number } } } };
    expect(capped.Spec.TaskTemplate.Placement.MaxReplicas).toBe(1);
    expect((await tasksOf('capped')).length).toBe(1);
  });

  test('the global service answers on its published port on every machine', async () => {
    for (const m of ['manager', 'worker']) {
      const ip = Object.values((await host.getContainer(`${NAME}-${m}`).inspect()).NetworkSettings.Networks)[0]!.IPAddress;
      const res = await fetch(`http://${ip}:8090/hostname`);
      expect(res.status).toBe(200);
    }
  });

  test('replicas follow placement constraints; a scale change is an update, rolled by the swarm', async () => {
    const nodes = (await manager().listNodes()) as { ID: string; Description: { Hostname: string } }[];
    const hostnameOf = (id: string) => nodes.find((n) => n.ID === id)?.Description.Hostname;
    expect(new Set((await tasksOf('api')).map((t) => hostnameOf(t.NodeID)))).toEqual(new Set(['worker']));
    writeFileSync(file, manifest(3));
    const p = await run('plan');
    expect(p.stdout).toMatch(/~\s+swarm service .*_api/);
    expect(p.stdout).toContain('replicas: 2 → 3');
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    expect((await tasksOf('api')).length).toBe(3);
  });

  test('a rollout the swarm pauses (the new command exits 3) fails the apply and stays drift until fixed (issue 13, F5)', async () => {
    writeFileSync(file, manifest(3, true, '[sh, -c, "exit 3"]'));
    const failed = await run('apply', '--auto-approve');
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout + failed.stderr).toMatch(/rollout is paused/);
    // The labels say the new definition; the swarm says it gave up: the plan must not say "No changes".
    const drift = await run('plan', '--detailed-exitcode');
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toMatch(/rollout is paused.*rolled out again/);
    expect((await run('status')).stdout).toMatch(new RegExp(`api\\s+${NAME}_api\\s+\\d+/3\\s+paused\\s+manager`));
    writeFileSync(file, manifest(3));
    const fixed = await run('apply', '--auto-approve');
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect((await tasksOf('api')).length).toBe(3);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('a service gone from the manifest is removed', async () => {
    writeFileSync(file, manifest(3, false));
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await manager().listServices()).map((s) => s.Spec?.Name)).toEqual([`${NAME}_edge`]);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });
});
