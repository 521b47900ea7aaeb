// Issue 13 F6/F7 on real engines: a machine that is stopped, paused, or whose engine stalls may hold
// replicas nobody can see. They are kept (src/sched/held.ts): never created again elsewhere or on
// top of themselves, so what is in their writable layers and anonymous volumes survives; a stopped or
// paused machine is started and what it holds is planned in the same apply; a stalled engine's
// replicas move only after --unreachable-grace, and the extras retire once it answers again.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type Dockerode from 'dockerode';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST, IDLE } from './env.js';

const NAME = `un${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);
const dir = mkdtempSync(join(tmpdir(), 'cl-unseen-'));
const file = join(dir, 'cluster.yml');
// A stalled engine is waited out for the observe limit on every observe (about ten times in this file):
// what is tested is what happens once it is given up, not the length, so 5 s instead of 15 s
// (CLUSTER_OBSERVE_TIMEOUT, src/reconcile/observe.ts observeLimitMs). A healthy engine answers in well under 1 s.
const env = { DOCKER_HOST, CLUSTER_OBSERVE_TIMEOUT: '5s' };
const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env, timeoutMs: 300_000 });
const machineId = async (m: string) => (await host.listContainers({ all: true, filters: { name: [`^/${NAME}-${m}$`] } }))[0]!.Id;
const engineOf = (m: string) => dockerodeFor(`unix://${join(dir, '.cluster/machines', m, 'docker.sock')}`);
const replicasOn = async (m: string) =>
  (await engineOf(m).listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })).map((c) => ({ id: c.Id, name: c.Names[0]!.slice(1), state: c.State })).sort((a, b) => (a.name < b.name ? -1 : 1));

async function sh(engine: Dockerode, id: string, script: string): Promise<string> {
  const exec = await engine.getContainer(id).exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => exec.start({}, (err, stream) => (err ? reject(err) : (stream!.on('data', (c: Buffer) => chunks.push(c)), stream!.on('end', () => resolve())))));
  // Multiplexed frames: drop the 8-byte headers' non-printing bytes.
  return Buffer.concat(chunks).toString('utf8').replace(/[\x00-\x08\x0e-\x1f]/g, '').trim();
}

beforeAll(async () => {
  writeFileSync(file, `name: ${NAME}\nmachines:\n  m1: { driver: docker }\n  m2: { driver: docker }\nservices:\n  keep:\n    image: busybox:latest\n    command: ${IDLE}\n    volumes: ["/data"]\n    scale: 4\n`);
  const apply = await run('apply', '--auto-approve');
  expect(apply.code, apply.stderr).toBe(0);
}, 600_000);

afterAll(async () => {
  const pid = (await host.getContainer(await machineId('m2')).inspect().catch(() => undefined))?.State.Pid;
  if (pid) process.kill(pid, 'SIGCONT');
  await run('destroy', '--auto-approve');
}, 600_000);

describe('replicas on a machine that cannot be seen', () => {
  test('a stopped machine: one apply starts it and starts its own replicas again; the data in their anonymous volumes is still there', async () => {
    const before = await replicasOn('m2');
    expect(before.length).toBe(2);
    const precious = `precious-${process.pid}`;
    await sh(engineOf('m2'), before[0]!.id, `echo ${precious} > /data/file`);
    await host.getContainer(await machineId('m2')).stop();

    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/~ +start machine m2 \(machine is stopped\)/);
    expect(plan.stdout).toMatch(/keep #\d+, #\d+: not seen, kept as they are \(may be on m2\)/);
    expect(plan.stdout).not.toMatch(/^\s*\+ .*keep/m); // nothing created again, here or elsewhere
    expect(plan.stdout).not.toMatch(/swarm|join/);

    const apply = await run('apply', '--auto-approve');
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toMatch(/m2 is up: planned what it holds/);
    const after = await replicasOn('m2');
    expect(after.map((c) => [c.id, c.state])).toEqual(before.map((c) => [c.id, 'running'])); // the same containers, running
    expect(await sh(engineOf('m2'), before[0]!.id, 'cat /data/file')).toBe(precious);
    expect((await replicasOn('m1')).length).toBe(2); // no duplicate anywhere
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  }, 600_000);

  test('a paused machine: plan answers at once and moves nothing; apply unpauses it', async () => {
    const before = await replicasOn('m2');
    await host.getContainer(await machineId('m2')).pause();
    const t0 = Date.now();
    const plan = await run('plan', '--detailed-exitcode');
    const took = Date.now() - t0;
    expect(plan.code).toBe(2);
    // A paused machine's engine is not asked at all (asking hung for minutes before).
    expect(took).toBeLessThan(60_000);
    expect(plan.stdout).toMatch(/m2 is paused: apply starts it/);
    expect(plan.stdout).not.toMatch(/^\s*\+ .*keep/m);
    const apply = await run('apply', '--auto-approve');
    expect(apply.code, apply.stderr).toBe(0);
    expect((await host.getContainer(await machineId('m2')).inspect()).State.Paused).toBe(false);
    expect((await replicasOn('m2')).map((c) => c.id)).toEqual(before.map((c) => c.id));
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  }, 600_000);

  test('a stalled engine: kept within --unreachable-grace, moved after it, and the extras retire once it answers', async () => {
    const pid = (await host.getContainer(await machineId('m2')).inspect()).State.Pid;
    process.kill(pid, 'SIGSTOP'); // the machine's dockerd (PID 1 in it) stops answering; the machine still runs
    try {
      const plan = await run('plan', '--detailed-exitcode');
      expect(plan.code).toBe(2);
      expect(plan.stdout).toMatch(/m2: its engine does not answer; what may be on it is kept until/);
      expect(plan.stdout).toMatch(/No changes can be made now; 2 replicas could not be seen/);
      // An apply records since when it is silent; once that is longer ago than the grace, the replicas move.
      const first = await run('apply', '--auto-approve', '--unreachable-grace', '2s');
      expect(first.code, first.stderr).toBe(0);
      await new Promise((r) => setTimeout(r, 2500));
      const moved = await run('apply', '--auto-approve', '--unreachable-grace', '2s');
      expect(moved.code, moved.stderr).toBe(0);
      expect(moved.stdout).toMatch(/\+ +keep #\d+ .* on m1/);
      expect((await replicasOn('m1')).filter((c) => c.state === 'running').length).toBe(4);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const back = await run('apply', '--auto-approve');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/duplicate replica/);
    const all = [...(await replicasOn('m1')), ...(await replicasOn('m2'))];
    expect(all.map((c) => c.name).sort()).toEqual([1, 2, 3, 4].map((n) => `${NAME}-keep-${n}`));
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  }, 600_000);

  test('watch: a stalled engine moves nothing within the grace period; a paused machine is thawed, its replicas untouched', async () => {
    const ids = async () => [...(await replicasOn('m1')), ...(await replicasOn('m2'))].map((c) => `${c.name}@${c.id}`).sort();
    const before = await ids();
    const watcher = background(['watch', '-f', file, '--interval', '1'], { cwd: dir, env });
    try {
      await watcher.waitFor(/converged, no changes/, 120_000);
      // The test before leaves all replicas on one machine or the other: stall one that holds some.
      const victim = (await replicasOn('m2')).length ? 'm2' : 'm1';
      const other = victim === 'm2' ? 'm1' : 'm2';
      const held = (await replicasOn(victim)).length;
      const onOther = (await replicasOn(other)).map((c) => `${c.name}@${c.id}`);
      const pid = (await host.getContainer(await machineId(victim)).inspect()).State.Pid;
      process.kill(pid, 'SIGSTOP');
      try {
        // Two re-observes that could not see it (each waits out the observe limit): nothing moved.
        await watcher.waitFor(new RegExp(`periodic re-observe: no changes can be made now; ${held} replicas? not seen \\(${victim} silent, kept until`), 120_000, 2);
        expect((await replicasOn(other)).map((c) => `${c.name}@${c.id}`)).toEqual(onOther);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await host.getContainer(await machineId(victim)).pause();
      await watcher.waitFor(new RegExp(`start machine ${victim} \\(machine is paused\\)`), 60_000);
      await watcher.waitFor(/converged in/, 120_000);
      expect((await host.getContainer(await machineId(victim)).inspect()).State.Paused).toBe(false);
      expect(await ids()).toEqual(before);
    } finally {
      expect(await watcher.stop('SIGINT')).toBe(130);
    }
  }, 600_000);
});
