// Rolling updates of a container service on real Docker-in-Docker machines (issue 15 point 4): three
// replicas of a web server publishing host port 8080 with a healthcheck, updated one batch at a time
// while a client polls every 100 ms, then a broken image rolled back.
//
// Topology: three machines, one replica each, each publishing 8080 on its own machine (the port filter
// allows one per machine). The client polls the service the way a load balancer in front of the three
// would (nginx's proxy_next_upstream): each tick it asks every machine, and a request fails only when no
// replica answers. That is the fair question for a rolling update: a replica being replaced is down
// (start-first cannot bind 8080 twice on one machine, so it goes stop-first, as the plan says), and the
// update must never take the next one down before the new one is healthy. With parallelism 1, no tick
// may see two machines down at once; an update of all replicas at once fails ticks.
// Rules followed (read in moby/swarmkit): manager/orchestrator/update/updater.go (batches of
// parallelism, monitor, failure_action rollback, "never roll back a rollback"), api/defaults/service.go
// (defaults), manager/scheduler/filter.go HostPortFilter (a host port is bound once per node).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { connect } from '../../src/providers/docker/engine.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `ru${process.pid}`;
const IMAGE = `${NAME}-web`;
const MACHINES = ['m-1', 'm-2', 'm-3'];

const manifest = (tag: string, side = 'a') => `name: ${NAME}
machines:
  m: { driver: docker, count: 3 }
services:
  web:
    image: ${IMAGE}:${tag}
    scale: 3
    ports: ["8080:80"]
    healthcheck: { test: [CMD, wget, -q, -O, /dev/null, "http://localhost/"], interval: 1s, timeout: 1s, retries: 3 }
    deploy:
      update_config: { parallelism: 1, order: start-first, monitor: 2s, failure_action: rollback }
      rollback_config: { parallelism: 0, monitor: 1s }
  side:
    image: busybox:latest
    command: [sleep, "3600"]
    environment: { SIDE: ${side} }
    deploy:
      update_config: { order: start-first, monitor: 1s }
`;

/** Serves its version; `broken` never serves, so its healthcheck fails. */
const dockerfile = (version: string) =>
  version === 'broken'
    ? 'FROM busybox:latest\nCMD ["sleep", "3600"]\n'
    : `FROM busybox:latest\nRUN mkdir /www && echo ${version} > /www/index.html\nCMD ["httpd", "-f", "-p", "80", "-h", "/www"]\n`;

const host = dockerodeFor(DOCKER_HOST);

interface Tally {
  ticks: number;
  /** Ticks where no replica answered: a client behind a load balancer saw an error. */
  failed: number;
  /** Ticks where two or more replicas were down at once. */
  overlapping: number;
  bodies: Set<string>;
}

/** Polls every machine every 100 ms until stopped. */
function poll(ips: string[]): { stop: () => Promise<Tally> } {
  const tally: Tally = { ticks: 0, failed: 0, overlapping: 0, bodies: new Set() };
  let running = true;
  const ask = async (ip: string) => {
    try {
      const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(1000) });
      return res.ok ? (await res.text()).trim() : undefined;
    } catch {
      return undefined;
    }
  };
  const loop = (async () => {
    while (running) {
      const next = new Promise((r) => setTimeout(r, 100));
      const answers = await Promise.all(ips.map(ask));
      tally.ticks++;
      const down = answers.filter((a) => a === undefined).length;
      if (down === ips.length) tally.failed++;
      if (down >= 2) tally.overlapping++;
      for (const a of answers) if (a !== undefined) tally.bodies.add(a);
      await next;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return tally;
    },
  };
}

describe('rolling update of a container service on real machines', () => {
  let dir: string;
  let file: string;
  let ips: string[];
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 400_000 });
  /** The web replicas as their machines' engines list them, by replica number. */
  const webContainers = async () => {
    const facts = await Promise.all(MACHINES.map((m) => connect(`unix://${join(dir, '.cluster/machines', m, 'docker.sock')}`).facts()));
    return facts
      .flatMap((f) => f.containers)
      .filter((c) => c.owner?.service === 'web')
      .sort((a, b) => a.owner!.replica - b.owner!.replica)
      .map((c) => ({ id: c.id, image: c.image }));
  };
  const answers = () => Promise.all(ips.map(async (ip) => (await (await fetch(`http://${ip}:8080/`)).text()).trim()));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cl-roll-'));
    file = join(dir, 'cluster.yml');
    const engine = connect(DOCKER_HOST);
    for (const version of ['v1', 'v2', 'broken']) {
      const context = join(dir, `image-${version}`);
      mkdirSync(context);
      writeFileSync(join(context, 'Dockerfile'), dockerfile(version));
      await engine.buildImage!(`${IMAGE}:${version}`, { context });
    }
    writeFileSync(file, manifest('v1'));
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    ips = await Promise.all(MACHINES.map(async (m) => Object.values((await host.getContainer(`${NAME}-${m}`).inspect()).NetworkSettings.Networks)[0]!.IPAddress));
    // Running is not serving yet: the first apply did not wait for health (no update_config applies to creation).
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      if ((await answers().catch(() => [])).join() === 'v1,v1,v1') break;
    }
    expect(await answers()).toEqual(['v1', 'v1', 'v1']);
  }, 600_000);

  afterAll(async () => {
    await run('destroy', '--auto-approve');
    for (const version of ['v1', 'v2', 'broken']) await host.getImage(`${IMAGE}:${version}`).remove().catch(() => undefined);
  });

  test('a new image rolls one replica at a time: every 100 ms poll is answered, never two replicas down at once', async () => {
    writeFileSync(file, manifest('v2'));
    const plan = await run('plan');
    expect(plan.stdout).toContain('web: rolling update, 3 batches of 1, start-first, monitor 2s, on failure rollback; stop-first for #1, #2, #3: 8080/tcp cannot be bound twice on one machine');
    expect(plan.stdout).toContain('batch 3 of 3');
    const poller = poll(ips);
    const r = await run('apply', '--auto-approve');
    const tally = await poller.stop();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(tally.ticks).toBeGreaterThan(30); // three batches of at least 2 s of monitor
    expect(tally.failed).toBe(0);
    expect(tally.overlapping).toBe(0);
    expect([...tally.bodies].sort()).toEqual(['v1', 'v2']);
    expect(await answers()).toEqual(['v2', 'v2', 'v2']);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  }, 600_000);

  test('a broken image (its healthcheck fails) is rolled back: apply exits 1 saying so, the service keeps answering, the next plan still shows the update', async () => {
    writeFileSync(file, manifest('broken'));
    const before = await webContainers();
    const poller = poll(ips);
    const r = await run('apply', '--auto-approve');
    const tally = await poller.stop();
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(new RegExp(`${NAME}-web-1 \\(#1 on m-\\d\\) turned unhealthy`));
    expect(out).toContain('update rolled back (failure_action rollback): #1 back on the previous spec');
    expect(tally.failed).toBe(0);
    expect(await answers()).toEqual(['v2', 'v2', 'v2']);
    // Replicas 2 and 3 were never touched: the same containers; #1 is a new one on the previous spec.
    const after = await webContainers();
    expect(after.slice(1)).toEqual(before.slice(1));
    expect(after[0]!.id).not.toBe(before[0]!.id);
    expect(after.map((c) => c.image)).toEqual([`${IMAGE}:v2`, `${IMAGE}:v2`, `${IMAGE}:v2`]);
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('web: rolling update, 3 batches of 1');
    expect(plan.stdout).toContain(`~ image: "${IMAGE}:v2" → "${IMAGE}:broken"`);
  }, 600_000);

  test('start-first without a published port: the new container runs beside the old one (parked under another name on the real engine), which goes once the new one passed', async () => {
    writeFileSync(file, manifest('v2', 'b'));
    const plan = await run('plan');
    expect(plan.stdout).toContain('side: rolling update, 1 batch of 1, start-first, monitor 1s, on failure pause\n');
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const inside = await Promise.all(MACHINES.map((m) => connect(`unix://${join(dir, '.cluster/machines', m, 'docker.sock')}`).facts()));
    const side = inside.flatMap((f) => f.containers).filter((c) => c.owner?.service === 'side');
    expect(side.map((c) => [c.name, JSON.parse(c.labels['io.cluster.spec']!).environment.SIDE, c.state])).toEqual([[`${NAME}-side-1`, 'b', 'running']]);
  }, 600_000);
});
