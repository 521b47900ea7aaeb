// Ctrl-C and SIGTERM on a real engine (a Docker-in-Docker machine on the private dockerd): the
// running container action finishes (no container is left created-but-not-started), nothing else
// starts, the lock is released, exit 130/143; the next apply converges and the status it prints is
// the cluster after the apply. A second SIGINT quits at once and still releases the lock.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { connect } from '../../src/providers/docker/engine.js';
import { background, type Background } from '../support/background.js';
import { BIN, clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `sg${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'cl-sg-'));
const file = join(dir, 'cluster.yml');
const host = dockerodeFor(DOCKER_HOST);
const manifest = (scale: number) => `name: ${NAME}\nmachines:\n  solo: { driver: docker }\nservices:\n  bird:\n    image: busybox:latest\n    command: [sleep, "3600"]\n    scale: ${scale}\n`;
const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
let child: Background | undefined;

afterAll(async () => {
  await child?.stop('SIGKILL');
  await run('destroy', '--auto-approve');
  for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  for (const n of await host.listNetworks({ filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getNetwork(n.Id).remove().catch(() => undefined);
});

const birds = async () => {
  const engine = connect(`unix://${join(dir, '.cluster/machines/solo/docker.sock')}`);
  return (await engine.facts()).containers.filter((c) => c.owner?.cluster === NAME).map((c) => ({ replica: c.owner!.replica, state: c.state }));
};

/** The replicas the printed status shows on solo, e.g. "1-6" with "6/6" running. */
const statusRow = (stdout: string) => /^bird +solo +(\S+) +(\d+\/\d+)$/m.exec(stdout)?.slice(1);

for (const [signal, code, scale] of [
  ['SIGINT', 130, 4],
  ['SIGTERM', 143, 8],
] as const) {
  test(`${signal} mid-apply: the running action finishes, nothing else starts, lock released, exit ${code}; apply again converges and prints the new state`, async () => {
    writeFileSync(file, manifest(scale));
    const before = signal === 'SIGINT' ? 0 : (await birds()).length;
    // One action at a time: when the signal comes, exactly one container action runs, the rest wait.
    child = background(['apply', '--auto-approve', '--parallelism', '1', '-f', file], { cwd: dir, env: { DOCKER_HOST } });
    await child.waitFor(/ start +\+ bird #/, 240_000);
    expect(await child.stop(signal)).toBe(code);
    const out = child.output();
    const signalAt = out.indexOf(`${signal}: stopping`);
    expect(signalAt).toBeGreaterThan(0);
    expect(out.slice(signalAt)).not.toMatch(/ start {4}/);
    expect(out).toMatch(new RegExp(`Apply stopped \\(${signal}\\): \\d+ done, 0 failed, 0 skipped because of a failure, [1-9]\\d* not started`));

    // The container the running action was making exists and runs: it was let finish.
    const now = await birds();
    expect(now.length).toBe(before + 1);
    expect(now.filter((b) => b.state !== 'running')).toEqual([]);

    const again = await run('apply', '--auto-approve');
    expect(again.stderr).not.toMatch(/locked/);
    expect(again.code, again.stderr).toBe(0);
    expect(statusRow(again.stdout)).toEqual([`1-${scale}`, `${scale}/${scale}`]);
    expect((await birds()).filter((b) => b.state === 'running')).toHaveLength(scale);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  }, 300_000);
}

test('a second SIGINT quits at once, still releasing the lock; apply again converges with nothing duplicated', async () => {
  writeFileSync(file, manifest(12));
  child = background(['apply', '--auto-approve', '--parallelism', '2', '-f', file], { cwd: dir, env: { DOCKER_HOST } });
  await child.waitFor(/ start +\+ bird #/, 240_000);
  child.child.kill('SIGINT');
  await child.waitFor(/SIGINT: stopping/, 10_000);
  const second = performance.now();
  expect(await child.stop('SIGINT')).toBe(130);
  expect(performance.now() - second).toBeLessThan(3_000);
  expect(child.output()).toContain('SIGINT again: quitting now, releasing the lock');

  const again = await run('apply', '--auto-approve');
  expect(again.stderr).not.toMatch(/locked/);
  expect(again.code, again.stderr).toBe(0);
  expect(statusRow(again.stdout)).toEqual(['1-12', '12/12']);
  const now = await birds();
  expect(now.map((b) => b.replica).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  expect(now.every((b) => b.state === 'running')).toBe(true);
}, 300_000);

test('`cluster apply --json | head -2` (F8): the closed output stops the run as SIGTERM would, exit 141, the lock released; the next apply converges', async () => {
  writeFileSync(file, manifest(9));
  const out = await new Promise<{ code: number | null; pipe: string }>((resolve) => {
    const sh = spawn('bash', ['-c', `set -o pipefail; node "$BIN" apply --auto-approve --json -f "$FILE" | head -2 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      cwd: dir,
      env: { ...process.env, DOCKER_HOST, BIN, FILE: file },
    });
    let pipe = '';
    sh.stdout.on('data', (c: Buffer) => (pipe += c.toString()));
    sh.on('close', (code) => resolve({ code, pipe }));
  });
  expect(out.pipe.trim()).toBe('141');
  // No container was left created but never started, and nothing holds the lock.
  expect((await birds()).filter((b) => b.state === 'created')).toEqual([]);
  const again = await run('apply', '--auto-approve');
  expect(again.code, again.stderr).toBe(0);
  expect((await birds()).filter((b) => b.state === 'running').length).toBe(9);
}, 600_000);
