// The whole tool on real engines: three Docker-in-Docker machines on the private dockerd, a swarm,
// placement by engine labels, a published port that answers, live label changes, destroy.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { connect } from '../../src/providers/docker/engine.js';
import { background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST, IDLE } from './env.js';

const NAME = `it${process.pid}`;
const MANIFEST = `name: ${NAME}
machines:
  manager: { driver: docker, role: manager, labels: { size: small } }
  worker-1: { driver: docker, role: worker, labels: { size: small } }
  worker-2: { driver: docker, role: worker, labels: { size: xxl } }
services:
  bird:
    image: busybox:latest
    command: ${IDLE}
    scale: 4
  db:
    image: busybox:latest
    command: ${IDLE}
    environment: ["constraint:size==xxl"]
  web:
    image: busybox:latest
    command: [httpd, -f, -p, "80", -h, /etc]
    ports: ["8080:80"]
    scale: 2
    depends_on: [db]
    environment: ["affinity:container!=*-db-*"]
`;

const host = dockerodeFor(DOCKER_HOST);
const ours = async () => host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } });

describe('a real cluster on the docker driver', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const machineEngine = (m: string) => connect(`unix://${join(dir, '.cluster/machines', m, 'docker.sock')}`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cl-it-'));
    file = join(dir, 'cluster.yml');
    writeFileSync(file, MANIFEST);
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
    for (const c of await ours()) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    for (const n of await host.listNetworks({ filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getNetwork(n.Id).remove().catch(() => undefined);
    for (const v of (await host.listVolumes()).Volumes ?? []) if (v.Name.startsWith(`${NAME}-`)) await host.getVolume(v.Name).remove().catch(() => undefined);
  });

  test('apply builds machines, a swarm and containers; a second plan has no changes', async () => {
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Apply complete/);
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes');
    // Node's own warnings are not the user's business (a signal shared by a dozen requests once printed
    // MaxListenersExceededWarning on every observe of 3 machines).
    for (const out of [r.stderr, again.stderr]) expect(out).not.toMatch(/Warning|\(node:\d+\)/);
  });

  test('every machine is a running DinD container with its engine labels; the swarm has 3 ready nodes', async () => {
    const machines = await ours();
    expect(machines.map((c) => c.Labels['io.cluster.machine']).sort()).toEqual(['manager', 'worker-1', 'worker-2']);
    expect(machines.every((c) => c.State === 'running')).toBe(true);
    expect((await machineEngine('worker-2').facts()).labels).toEqual({ size: 'xxl' });
    const nodes = await machineEngine('manager').swarmNodes();
    expect(nodes.map((n) => [n.hostname, n.role, n.state]).sort()).toEqual([
      ['manager', 'manager', 'ready'],
      ['worker-1', 'worker', 'ready'],
      ['worker-2', 'worker', 'ready'],
    ]);
    // Engine labels are mirrored as node labels, also on nodes that joined in this apply.
    expect(Object.fromEntries(nodes.map((n) => [n.hostname, n.labels]))).toEqual({ manager: { size: 'small' }, 'worker-1': { size: 'small' }, 'worker-2': { size: 'xxl' } });
    // The manager's container was started first, the workers' after it (DockerDriver.afterManagers):
    // swarm init waits on the manager alone, so it gets the host engine first.
    const startedAt = async (id: string) => Date.parse((await host.getContainer(id).inspect()).State.StartedAt);
    const started = Object.fromEntries(await Promise.all(machines.map(async (c) => [c.Labels['io.cluster.machine'], await startedAt(c.Id)] as const)));
    expect(started.manager).toBeLessThan(started['worker-1']!);
    expect(started.manager).toBeLessThan(started['worker-2']!);
  });

  test('containers run where the scheduler put them: db on xxl, web away from db, web answers on 8080', async () => {
    const where = new Map<string, string>();
    for (const m of ['manager', 'worker-1', 'worker-2']) {
      for (const c of (await machineEngine(m).facts()).containers) {
        expect(c.state).toBe('running');
        where.set(c.name, m);
      }
    }
    expect([...where.keys()].sort()).toEqual([...[1, 2, 3, 4].map((i) => `${NAME}-bird-${i}`), `${NAME}-db-1`, `${NAME}-web-1`, `${NAME}-web-2`].sort());
    expect(where.get(`${NAME}-db-1`)).toBe('worker-2');
    expect(where.get(`${NAME}-web-1`)).not.toBe('worker-2');
    expect(where.get(`${NAME}-web-2`)).not.toBe('worker-2');
    const webMachine = where.get(`${NAME}-web-1`)!;
    const ip = Object.values((await host.getContainer(`${NAME}-${webMachine}`).inspect()).NetworkSettings.Networks)[0]!.IPAddress;
    const res = await fetch(`http://${ip}:8080/passwd`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('root:');
  });

  test('env, ssh and scp reach a machine, like docker-machine', async () => {
    const env = await run('env', 'worker-2');
    expect(env.code, env.stderr).toBe(0);
    expect(env.stdout).toContain(`export DOCKER_HOST="unix://${join(dir, '.cluster/machines/worker-2/docker.sock')}"`);
    const ps = await clusterAsync(['ssh', 'worker-2', '-f', file, '--', 'docker', 'ps', '--format', '{{.Names}}'], { cwd: dir, env: { DOCKER_HOST } });
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toContain(`${NAME}-db-1`);
    writeFileSync(join(dir, 'note.txt'), 'carried by scp\n');
    const scp = (...args: string[]) => clusterAsync(['scp', ...args, '-f', file], { cwd: dir, env: { DOCKER_HOST } });
    expect((await scp(join(dir, 'note.txt'), 'worker-1:/tmp/note.txt')).code).toBe(0);
    expect((await scp('worker-1:/tmp/note.txt', 'manager:/tmp/')).code).toBe(0);
    expect((await scp('manager:/tmp/note.txt', join(dir, 'back.txt'))).code).toBe(0);
    expect(readFileSync(join(dir, 'back.txt'), 'utf8')).toBe('carried by scp\n');
  });

  test('an engine label change is applied live, without restarting the machine', async () => {
    const before = (await host.getContainer(`${NAME}-worker-1`).inspect()).State.StartedAt;
    writeFileSync(file, readFileSync(file, 'utf8').replace('worker-1: { driver: docker, role: worker, labels: { size: small } }', 'worker-1: { driver: docker, role: worker, labels: { size: xxl, zone: b } }'));
    const p = await run('plan');
    expect(p.stdout).toMatch(/engine labels .*worker-1|worker-1.*labels/);
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await machineEngine('worker-1').facts()).labels).toEqual({ size: 'xxl', zone: 'b' });
    expect((await host.getContainer(`${NAME}-worker-1`).inspect()).State.StartedAt).toBe(before);
  });

  test('swarm roles follow the manifest: promote a worker, then demote it again', async () => {
    const roles = async () => Object.fromEntries((await machineEngine('manager').swarmNodes()).map((n) => [n.hostname, `${n.role}/${n.state}`]));
    const worker1 = /worker-1: \{ driver: docker, role: worker,/;
    writeFileSync(file, readFileSync(file, 'utf8').replace(worker1, 'worker-1: { driver: docker, role: manager,'));
    const p = await run('plan');
    expect(p.stdout).toMatch(/promote.*worker-1|worker-1.*manager/);
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    expect(await roles()).toMatchObject({ manager: 'manager/ready', 'worker-1': 'manager/ready', 'worker-2': 'worker/ready' });
    writeFileSync(file, readFileSync(file, 'utf8').replace('worker-1: { driver: docker, role: manager,', 'worker-1: { driver: docker, role: worker,'));
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    expect(await roles()).toMatchObject({ manager: 'manager/ready', 'worker-1': 'worker/ready', 'worker-2': 'worker/ready' });
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('drift: a container removed and a machine stopped behind the tool’s back are planned and repaired', async () => {
    const victim = `${NAME}-bird-2`;
    const holder = (await Promise.all(['manager', 'worker-1', 'worker-2'].map(async (m) => ((await machineEngine(m).facts()).containers.some((c) => c.name === victim) ? m : undefined)))).find(Boolean)!;
    const id = (await machineEngine(holder).facts()).containers.find((c) => c.name === victim)!.id;
    await machineEngine(holder).removeContainer(id);
    await host.getContainer(`${NAME}-worker-1`).stop();
    const p = await run('plan', '--detailed-exitcode');
    expect(p.code, p.stderr).toBe(2);
    expect(p.stdout).toMatch(/start\s+machine worker-1/);
    // bird #2 is seen nowhere, and worker-1 cannot be seen into while stopped: it may be there, so it is
    // kept, not created again (issue 13, F7); the apply starts worker-1, looks, and creates it then.
    expect(p.stdout).toMatch(/bird (#\d+, )*#2(, #\d+)*: not seen, kept as they are \(may be on worker-1\)/);
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/worker-1 is up: planned what it holds/);
    expect(r.stdout).toContain(`+   bird #2 ${victim}`);
    expect((await host.getContainer(`${NAME}-worker-1`).inspect()).State.Running).toBe(true);
    const all = (await Promise.all(['manager', 'worker-1', 'worker-2'].map(async (m) => (await machineEngine(m).facts()).containers))).flat();
    expect(all.filter((c) => c.name === victim).map((c) => c.state)).toEqual(['running']);
    expect(all.every((c) => c.state === 'running')).toBe(true);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('scale down removes the highest replicas and nothing else', async () => {
    writeFileSync(file, readFileSync(file, 'utf8').replace('scale: 4', 'scale: 2'));
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const names = (await Promise.all(['manager', 'worker-1', 'worker-2'].map(async (m) => (await machineEngine(m).facts()).containers.map((c) => c.name)))).flat().sort();
    expect(names).toEqual([`${NAME}-bird-1`, `${NAME}-bird-2`, `${NAME}-db-1`, `${NAME}-web-1`, `${NAME}-web-2`].sort());
  });

  test('the apply lock lives on the host engine: a second apply is refused while the first runs', async () => {
    // Enough work (22 new replicas) that the first apply still runs when the second, a new process, asks for the lock.
    writeFileSync(file, readFileSync(file, 'utf8').replace('scale: 2\n  db:', 'scale: 24\n  db:'));
    const first = background(['apply', '--auto-approve', '-f', file], { cwd: dir, env: { DOCKER_HOST } });
    await first.waitFor(/start /, 60_000);
    const second = await run('apply', '--auto-approve');
    expect(second.code, second.stderr + second.stdout + first.output()).toBe(1);
    expect(second.stderr).toContain(`container ${NAME}-cluster-lock on ${DOCKER_HOST}`);
    expect(await first.exited()).toBe(0);
    expect(await host.listContainers({ all: true, filters: { name: [`${NAME}-cluster-lock`] } })).toEqual([]);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('destroy removes machines, their volumes and folders; nothing of the cluster is left on the host', async () => {
    const r = await run('destroy', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(await ours()).toEqual([]);
    const volumes = (await host.listVolumes()).Volumes ?? [];
    expect(volumes.filter((v) => v.Name.startsWith(`${NAME}-`))).toEqual([]);
    expect((await run('status', '--json')).stdout).toContain('"machines": []');
  });
});
