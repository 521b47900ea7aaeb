// Node availability and machine removal on real engines (issue 15 point 2): three Docker-in-Docker
// machines in a swarm; draining one moves its replica to another machine, the new container running
// before the old one is destroyed (create before destroy), and sets the swarm node's Availability to
// drain; removing a worker from the manifest drains it the same way before it leaves the swarm; a
// changed node image replaces the machine after its replicas moved, and it re-joins as a worker; a
// replacement killed (kill -9) once it started is finished by the next apply; Ctrl-C lets the running
// replacement finish and starts nothing after it; of two applies at once, one replaces.
// The rules are swarmkit's (manager/scheduler/filter.go ReadyFilter: only active nodes take new tasks;
// manager/orchestrator/task.go InvalidNode: a drained node's tasks need a new home).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { connect } from '../../src/providers/docker/engine.js';
import { background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';
import { judge, race } from '../support/race.js';
import { DOCKER_HOST } from './env.js';

const NAME = `avail${process.pid}`;
const manifest = (machines: string) => `name: ${NAME}
machines:
${machines}
services:
  web:
    image: busybox:latest
    command: [sleep, "3600"]
    scale: 3
`;
const THREE = '  m1: { driver: docker, role: manager }\n  w1: { driver: docker, role: worker AVAIL }\n  w2: { driver: docker, role: worker }';

const host = dockerodeFor(DOCKER_HOST);
/** Another name for the node image the machines were made with: a node image change without a registry. */
const NEW_IMAGE = `${NAME}-node:b`;
const ours = async () => host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } });

interface Event {
  type: string;
  action?: string;
  kind?: string;
}

describe('availability and removal on the docker driver', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 420_000 });
  const sock = (m: string) => `unix://${join(dir, '.cluster/machines', m, 'docker.sock')}`;
  const webOn = async (m: string) => (await connect(sock(m)).facts()).containers.filter((c) => c.owner?.service === 'web');
  const events = (stdout: string): Event[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
  const at = (list: Event[], type: string, action: string) => list.findIndex((e) => e.type === type && e.action === action);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cl-avail-'));
    file = join(dir, 'cluster.yml');
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
    await host.getImage(NEW_IMAGE).remove().catch(() => undefined); // only our tag: the image keeps its own name
    for (const c of await ours()) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    for (const v of (await host.listVolumes()).Volumes ?? []) if (v.Name.startsWith(`${NAME}-`)) await host.getVolume(v.Name).remove().catch(() => undefined);
  }, 300_000);

  test('a drain moves the replica before the machine loses it, and the swarm node shows Availability drain', async () => {
    writeFileSync(file, manifest(THREE.replace(' AVAIL', '')));
    const made = await run('apply', '--auto-approve');
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const [held] = await webOn('w1');
    expect(held?.state).toBe('running');
    const since = Math.floor(Date.now() / 1000) - 1;

    writeFileSync(file, manifest(THREE.replace(' AVAIL', ', availability: drain')));
    const plan = await run('plan');
    expect(plan.stdout).toContain('~   machine w1: availability active → drain (its replicas move elsewhere)');
    expect(plan.stdout).toMatch(new RegExp(`-/\\+ web #${held!.owner!.replica} \\S+ on (m1|w2) \\(moves from w1: availability drain\\)`));
    const drained = await run('apply', '--auto-approve', '--json');
    expect(drained.code, drained.stdout + drained.stderr).toBe(0);

    // The replica runs elsewhere; w1 holds none; the node is drained in the swarm.
    expect(await webOn('w1')).toEqual([]);
    const moved = [...(await webOn('m1')), ...(await webOn('w2'))].find((c) => c.owner!.replica === held!.owner!.replica)!;
    expect(moved.state).toBe('running');
    const nodes = await connect(sock('m1')).swarmNodes();
    expect(nodes.find((n) => n.hostname === 'w1')?.availability).toBe('drain');

    // Create before destroy, as the engines recorded it: the new container started before w1 destroyed the old one.
    const machineOf = (await webOn('m1')).some((c) => c.id === moved.id) ? 'm1' : 'w2';
    const startedAt = Date.parse((await dockerodeFor(sock(machineOf)).getContainer(moved.id).inspect()).State.StartedAt);
    const stream = await dockerodeFor(sock('w1')).getEvents({ since, until: Math.ceil(Date.now() / 1000) + 1, filters: { type: ['container'], event: ['destroy'], container: [held!.id] } });
    const raw = await new Promise<string>((resolve, reject) => {
      let text = '';
      stream.on('data', (b: Buffer) => (text += b.toString()));
      stream.on('end', () => resolve(text));
      stream.on('error', reject);
    });
    const destroyed = raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { timeNano: number })[0];
    expect(destroyed, 'w1 recorded the old container’s destroy').toBeDefined();
    expect(startedAt).toBeLessThan(destroyed!.timeNano / 1e6);

    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect((await run('status')).stdout).toMatch(/w1 +worker +ready +drain/);
  }, 420_000);

  test('back to active moves nothing back; a worker removed from the manifest is drained, its replica started elsewhere, then it leaves', async () => {
    writeFileSync(file, manifest(THREE.replace(' AVAIL', '')));
    const active = await run('plan');
    expect(active.stdout).toContain('~   machine w1: availability drain → active (takes replicas again)');
    expect(active.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expect((await run('apply', '--auto-approve')).code).toBe(0);

    const [held] = await webOn('w2');
    writeFileSync(file, manifest('  m1: { driver: docker, role: manager }\n  w1: { driver: docker, role: worker }'));
    const removed = await run('apply', '--auto-approve', '--json');
    expect(removed.code, removed.stdout + removed.stderr).toBe(0);
    const list = events(removed.stdout);
    const move = `container.replace:web:${held!.owner!.replica}`;
    expect(at(list, 'done', 'machine.availability:w2')).toBeGreaterThanOrEqual(0);
    expect(at(list, 'done', move)).toBeGreaterThanOrEqual(0);
    expect(at(list, 'done', move)).toBeLessThan(at(list, 'start', 'swarm.leave:w2'));
    expect(at(list, 'done', 'machine.availability:w2')).toBeLessThan(at(list, 'start', 'swarm.leave:w2'));
    expect(at(list, 'done', 'swarm.leave:w2')).toBeLessThan(at(list, 'start', 'machine.remove:w2'));

    const web = [...(await webOn('m1')), ...(await webOn('w1'))];
    expect(web.map((c) => c.owner!.replica).sort()).toEqual([1, 2, 3]);
    expect(web.every((c) => c.state === 'running')).toBe(true);
    expect((await connect(sock('m1')).swarmNodes()).map((n) => n.hostname).sort()).toEqual(['m1', 'w1']);
    expect((await ours()).filter((c) => c.Labels['io.cluster.machine'] === 'w2')).toEqual([]);
  }, 420_000);

  test('a changed node image replaces the machine: its replicas move first, then it is re-created and re-joins as a worker', async () => {
    const two = (image: string) => manifest(`  m1: { driver: docker, role: manager }\n  w1: { driver: docker, role: worker${image} }`);
    const [before] = (await ours()).filter((c) => c.Labels['io.cluster.machine'] === 'w1' && c.Labels['io.cluster.kind'] === 'machine');
    const held = await webOn('w1');
    expect(held.length).toBeGreaterThan(0);
    await host.getImage(before!.Image).tag({ repo: NEW_IMAGE.split(':')[0]!, tag: 'b' });

    writeFileSync(file, two(`, image: "${NEW_IMAGE}"`));
    const plan = await run('plan');
    expect(plan.stdout).toContain(`-/+ machine w1 (node image ${before!.Image} → ${NEW_IMAGE}: its replicas move elsewhere first, then it is re-created and re-joins as worker)`);
    const replaced = await run('apply', '--auto-approve', '--json');
    expect(replaced.code, replaced.stdout + replaced.stderr).toBe(0);
    const list = events(replaced.stdout);
    for (const c of held) expect(at(list, 'done', `container.replace:web:${c.owner!.replica}`)).toBeLessThan(at(list, 'start', 'machine.replace:w1'));
    expect(at(list, 'done', 'machine.replace:w1')).toBeLessThan(at(list, 'start', 'swarm.join:w1'));

    const [after] = (await ours()).filter((c) => c.Labels['io.cluster.machine'] === 'w1' && c.Labels['io.cluster.kind'] === 'machine');
    expect(after!.Id).not.toBe(before!.Id);
    expect(after!.Image).toBe(NEW_IMAGE);
    const nodes = await connect(sock('m1')).swarmNodes();
    expect(nodes.map((n) => [n.hostname, n.role, n.state]).sort()).toEqual([
      ['m1', 'manager', 'ready'],
      ['w1', 'worker', 'ready'],
    ]);
    const web = await webOn('m1');
    expect(web.map((c) => c.owner!.replica).sort()).toEqual([1, 2, 3]);
    expect(web.every((c) => c.state === 'running')).toBe(true);
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 420_000);

  test('kill -9 once a replacement started: the next apply re-creates the machine on the manifest\'s image and it re-joins, one node per name', async () => {
    const machineOf = async (m: string) => (await ours()).find((c) => c.Labels['io.cluster.machine'] === m && c.Labels['io.cluster.kind'] === 'machine');
    const original = (await machineOf('m1'))!.Image; // the test before moved w1 to NEW_IMAGE; back to m1's
    writeFileSync(file, manifest(`  m1: { driver: docker, role: manager }\n  w1: { driver: docker, role: worker, image: "${original}" }`));
    const killed = background(['apply', '--auto-approve', '--json', '-f', file], { cwd: dir, env: { DOCKER_HOST } });
    await killed.waitFor(/"type":"start","action":"machine\.replace:w1"/, 120_000);
    await killed.stop('SIGKILL'); // half-way: it left the swarm, or was removed, or is being made again (machine-day2.ts)
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(2); // whatever step it reached (replace, create or join), something is left to do
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await machineOf('w1'))!.Image).toBe(original);
    // A kill that landed while w1 was leaving the swarm (dockerd finishes `swarm leave` without the killed
    // client, which then never removes the entry) leaves the old entry listed as ready until the manager
    // misses its heartbeats. A ready entry is never forgotten: it may be another live host of that name
    // (src/plan/swarm-health.ts staleNodes). Once it is down, the next apply forgets it.
    const leader = connect(sock('m1'));
    const current = (await connect(sock('w1')).facts()).swarm.nodeId;
    const oldReady = async () => (await leader.swarmNodes()).some((n) => n.hostname === 'w1' && n.id !== current && n.state === 'ready');
    if (await oldReady()) {
      for (const until = Date.now() + 120_000; (await oldReady()) && Date.now() < until; ) await new Promise((done) => setTimeout(done, 1000));
      const forgets = await run('apply', '--auto-approve');
      expect(forgets.code, forgets.stdout + forgets.stderr).toBe(0);
      expect(forgets.stdout).toMatch(/swarm node \S+ of w1/);
    }
    const nodes = await leader.swarmNodes();
    expect(nodes.map((n) => [n.hostname, n.role, n.state]).sort()).toEqual([
      ['m1', 'manager', 'ready'],
      ['w1', 'worker', 'ready'],
    ]);
    expect((await webOn('m1')).map((c) => c.owner!.replica).sort()).toEqual([1, 2, 3]);
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 420_000);

  /** w1 on `image`, re-joined as the one worker node named w1, and nothing left to do. */
  const convergedOn = async (image: string) => {
    expect((await ours()).find((c) => c.Labels['io.cluster.machine'] === 'w1' && c.Labels['io.cluster.kind'] === 'machine')!.Image).toBe(image);
    const nodes = await connect(sock('m1')).swarmNodes();
    expect(nodes.map((n) => [n.hostname, n.role, n.state]).sort()).toEqual([
      ['m1', 'manager', 'ready'],
      ['w1', 'worker', 'ready'],
    ]);
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
  };
  const withW1 = (image: string) => writeFileSync(file, manifest(`  m1: { driver: docker, role: manager }\n  w1: { driver: docker, role: worker, image: "${image}" }`));

  test('Ctrl-C during a replacement: the running replacement finishes (w1 on the new image), exit 130; the next apply re-joins it', async () => {
    withW1(NEW_IMAGE);
    const stopped = background(['apply', '--auto-approve', '--json', '-f', file], { cwd: dir, env: { DOCKER_HOST } });
    await stopped.waitFor(/"type":"start","action":"machine\.replace:w1"/, 120_000);
    expect(await stopped.stop('SIGINT')).toBe(130);
    // The step under way when the signal came ran to its end (the machine is there, made from the new image); the join after it never started.
    const summary = stopped.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; done?: string[]; not_started?: string[] }).find((e) => e.type === 'summary');
    expect([summary?.done, summary?.not_started]).toEqual([['machine.replace:w1'], ['swarm.join:w1']]);
    expect((await ours()).find((c) => c.Labels['io.cluster.machine'] === 'w1' && c.Labels['io.cluster.kind'] === 'machine')!.Image).toBe(NEW_IMAGE);
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await convergedOn(NEW_IMAGE);
  }, 420_000);

  test('two applies at once asking for a replacement: one replaces, the other is refused naming it or finds nothing to do', async () => {
    const original = (await ours()).find((c) => c.Labels['io.cluster.machine'] === 'm1' && c.Labels['io.cluster.kind'] === 'machine')!.Image;
    withW1(original);
    const runs = await race([0, 1].map(() => ['apply', '--auto-approve', '-f', file]), { cwd: dir, env: { DOCKER_HOST } });
    const { winner } = judge(runs);
    expect(winner.output).toMatch(/machine w1 \(node image/);
    await convergedOn(original);
  }, 420_000);
});
