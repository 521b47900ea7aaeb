// Faults on real engines: the tool killed -9 mid-apply, a machine killed mid-apply, an engine
// restarted mid-apply. Each time a new apply (taking the crashed run's stale lock over)
// converges, with every replica exactly once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { connect } from '../../src/providers/docker/engine.js';
import { background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `ft${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'cl-ft-'));
const file = join(dir, 'cluster.yml');
const host = dockerodeFor(DOCKER_HOST);
const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
const manifest = (scale: number) => `name: ${NAME}\nmachines:\n  a: { driver: docker }\n  b: { driver: docker }\nservices:\n  bird:\n    image: busybox:latest\n    command: [sleep, "86400"]\n    scale: ${scale}\n`;

afterAll(async () => {
  await run('destroy', '--auto-approve');
  for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true, v: true });
  for (const n of await host.listNetworks({ filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getNetwork(n.Id).remove().catch(() => undefined);
});

async function replicas(): Promise<string[]> {
  const names: string[] = [];
  for (const m of ['a', 'b']) {
    for (const c of (await connect(`unix://${join(dir, '.cluster/machines', m, 'docker.sock')}`).facts()).containers) {
      expect(c.state).toBe('running');
      names.push(c.name);
    }
  }
  return names.sort();
}

const want = (n: number) => Array.from({ length: n }, (_, i) => `${NAME}-bird-${i + 1}`).sort();

test('kill -9 of the tool mid-apply: the next apply takes the dead run\'s lock over, every replica exactly once', async () => {
  writeFileSync(file, manifest(12));
  const first = background(['apply', '--auto-approve', '-f', file], { cwd: dir, env: { DOCKER_HOST } });
  await first.waitFor(/done {5}\+ bird/, 120_000);
  await first.stop('SIGKILL');
  const again = await run('apply', '--auto-approve');
  expect(again.code, again.stderr).toBe(0);
  expect(again.stderr).toContain(`pid ${first.child.pid} (apply)`);
  expect(again.stderr).toMatch(/replaced the stale lock \w+ .*: its process \d+ on this host is gone/);
  expect(await replicas()).toEqual(want(12));
  expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
});

test('a machine killed mid-apply fails only what needs it; the next apply repairs everything', async () => {
  writeFileSync(file, manifest(24));
  const first = background(['apply', '--auto-approve', '-f', file], { cwd: dir, env: { DOCKER_HOST } });
  await first.waitFor(/start {4}\+ bird #1[3-9]/, 120_000);
  await host.getContainer(`${NAME}-b`).kill();
  const code = await first.exited();
  expect(code).toBe(1);
  expect(first.output()).toMatch(/Apply incomplete: .* failed/);
  const again = await run('apply', '--auto-approve');
  expect(again.code, again.stderr).toBe(0);
  expect(await replicas()).toEqual(want(24));
  expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
});

test('an engine restarted mid-apply: the apply rides it out or fails cleanly; the next apply converges exactly', async () => {
  writeFileSync(file, manifest(36));
  const first = background(['apply', '--auto-approve', '-f', file], { cwd: dir, env: { DOCKER_HOST } });
  await first.waitFor(/start {4}\+ bird #(2[5-9]|3)/, 120_000);
  // dockerd is the machine's first process: restarting the machine restarts its engine.
  await host.getContainer(`${NAME}-a`).restart({ t: 1 });
  const code = await first.exited();
  expect([0, 1]).toContain(code);
  if (code === 1) expect(first.output()).toMatch(/Apply incomplete: .* failed/);
  const again = await run('apply', '--auto-approve');
  expect(again.code, again.stderr).toBe(0);
  expect(await replicas()).toEqual(want(36));
  expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
});
