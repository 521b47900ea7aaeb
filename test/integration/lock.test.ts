// The apply lock on a real engine (docker driver: a never-started container on the host engine).
// Two applies started at the same instant, 10 times: exactly one acts. kill -9 of an apply at two
// points, then `apply --lock-timeout 2m` converges with no person. A lock from another computer
// whose lease ran out is taken over; a live one is not. The lock networks of earlier versions
// (even duplicated, as their race left them) neither block nor confuse, and are cleaned up.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { connect } from '../../src/providers/docker/engine.js';
import { ContainerLockStore } from '../../src/providers/docker/container-lock.js';
import { background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';
import { judge, race } from '../support/race.js';
import { DOCKER_HOST } from './env.js';

const NAME = `lk${process.pid}`;
const LOCK = `${NAME}-cluster-lock`;
const host = dockerodeFor(DOCKER_HOST);
const manifest = (scale: number) => `name: ${NAME}\nmachines:\n  solo: { driver: docker }\nservices:\n  bird:\n    image: busybox:latest\n    command: [sleep, "86400"]\n    scale: ${scale}\n`;

const lockObjects = async () => [
  ...(await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`, 'io.cluster.kind=lock'] } })).map((c) => `container ${c.Id}`),
  ...(await host.listNetworks({ filters: { label: [`io.cluster.name=${NAME}`, 'io.cluster.kind=lock'] } })).map((n) => `network ${n.Id}`),
];

// The lock networks of earlier versions, as their race left them: two with the same name.
const legacyNetworks = () =>
  Promise.all(
    ['old1', 'old2'].map((id) =>
      host.createNetwork({ Name: LOCK, Internal: true, Labels: { 'io.cluster.name': NAME, 'io.cluster.kind': 'lock', 'io.cluster.lock': JSON.stringify({ id, holder: 'old@version pid 1 (apply)', since: '2026-11-01T00:00:00Z' }) } }),
    ),
  );

describe('the apply lock on a real engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-lock-'));
  const file = join(dir, 'cluster.yml');
  const env = { DOCKER_HOST };
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env, timeoutMs: 300_000 });
  const replicas = async () => (await connect(`unix://${join(dir, '.cluster/machines/solo/docker.sock')}`).facts()).containers.map((c) => c.name).sort();
  const want = (n: number) => Array.from({ length: n }, (_, i) => `${NAME}-bird-${i + 1}`).sort();

  beforeAll(async () => {
    writeFileSync(file, manifest(1));
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
  });

  afterAll(async () => {
    await run('unlock', '--force');
    await run('destroy', '--auto-approve');
    for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    for (const n of await host.listNetworks({ filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getNetwork(n.Id).remove().catch(() => undefined);
    for (const v of (await host.listVolumes()).Volumes ?? []) if (v.Name.startsWith(`${NAME}-`)) await host.getVolume(v.Name).remove().catch(() => undefined);
  });

  test('two applies at the same instant, 10 times: exactly one acts; no lock object remains', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const scale = i % 2 ? 2 : 3;
      writeFileSync(file, manifest(scale));
      const wait = i >= 5 ? ['--lock-timeout', '1m'] : [];
      const runs = await race([0, 1].map(() => ['apply', '--auto-approve', ...wait, '-f', file]), { cwd: dir, env });
      const { how } = judge(runs);
      seen.push(how);
      if (wait.length) expect(how).not.toBe('refused');
      expect(await lockObjects()).toEqual([]);
      expect(await replicas()).toEqual(want(scale));
    }
    expect(seen.slice(0, 5)).toContain('refused');
    expect(seen.slice(5)).toContain('waited');
  });

  for (const point of ['lock taken, nothing done yet', 'containers being created'] as const) {
    test(`kill -9 of an apply (${point}), then apply --lock-timeout 2m converges with no person`, async () => {
      const scale = point === 'containers being created' ? 5 : 4;
      writeFileSync(file, manifest(scale));
      const first = background(['apply', '--auto-approve', '-f', file], { cwd: dir, env });
      if (point === 'containers being created') await first.waitFor(/start {4}\+ bird/, 60_000);
      else while (!(await host.listContainers({ all: true, filters: { name: [LOCK] } })).length) await new Promise((r) => setTimeout(r, 10));
      await first.stop('SIGKILL');
      expect((await lockObjects()).length).toBe(1); // the dead run's lock stays behind

      const again = await run('apply', '--lock-timeout', '2m', '--auto-approve');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(new RegExp(`replaced the stale lock \\w+ of .* pid ${first.child.pid} \\(apply\\) .*: its process ${first.child.pid} on this host is gone`));
      expect(await replicas()).toEqual(want(scale));
      expect(await lockObjects()).toEqual([]);
      expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
    });
  }

  test('a lock from another computer: live, it holds (unlock --force refuses without its id); its lease run out, the next apply takes it over', async () => {
    const store = new ContainerLockStore(host, NAME, DOCKER_HOST);
    const other = { id: 'remote01', holder: 'ci@build-7 pid 42 (apply)', host: 'build-7', pid: 42, ttlMs: 30_000 };
    await store.tryCreate({ ...other, since: new Date().toISOString() });
    const refused = await run('apply', '--auto-approve');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the cluster is locked by ci@build-7 pid 42 (apply) since`);
    expect(refused.stderr).toContain(`container ${LOCK} on ${DOCKER_HOST}`);
    const shown = await run('unlock');
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(/lock remote01 of ci@build-7 .* live/);
    expect((await run('unlock', '--force')).code).toBe(1);
    expect((await run('unlock', '--force', 'wrong123')).code).toBe(1);
    expect((await lockObjects()).length).toBe(1);
    const forced = await run('unlock', '--force', 'remote01');
    expect(forced.code, forced.stderr).toBe(0);
    expect(await lockObjects()).toEqual([]);

    // The same holder, last renewed 40 s ago: stale.
    await store.tryCreate({ ...other, since: new Date(Date.now() - 40_000).toISOString() });
    writeFileSync(file, manifest(1));
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/replaced the stale lock remote01 of ci@build-7 pid 42 \(apply\) .*: it was not renewed for 4\d s \(lease 30 s\)/);
    expect(await lockObjects()).toEqual([]);
  });

  test('lock networks of earlier versions, duplicated: unlock --force removes them by id; an apply is not confused and cleans them', async () => {
    await legacyNetworks();
    const shown = await run('unlock');
    expect(shown.code).toBe(1);
    expect(shown.stderr.match(/lock network/g)).toHaveLength(2);
    const forced = await run('unlock', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(await lockObjects()).toEqual([]);

    await legacyNetworks();
    writeFileSync(file, manifest(2));
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/removed the lock network/g)).toHaveLength(2);
    expect(await lockObjects()).toEqual([]);
    expect(await replicas()).toEqual(want(2));
  });
});
