// The generic driver adopts an engine that already exists (here: the private dockerd itself): it
// runs this cluster's containers there, and destroy removes exactly those, never the engine or
// anything else on it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { ContainerLockStore } from '../../src/providers/docker/container-lock.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `gen${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);

describe('generic driver on an existing engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-gen-'));
  const file = join(dir, 'cluster.yml');
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST: undefined }, timeoutMs: 120_000 });
  let foreign = '';

  afterAll(async () => {
    await host.getContainer(foreign).remove({ force: true }).catch(() => undefined);
    for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true });
  });

  test('apply runs the service on the adopted engine; destroy removes only it', async () => {
    foreign = (await host.createContainer({ name: `${NAME}-not-ours`, Image: 'busybox:latest', Cmd: ['sleep', '600'], Labels: { 'io.cluster.service': 'web' } })).id;
    writeFileSync(
      file,
      `name: ${NAME}\nmachines:\n  host1:\n    driver: generic\n    url: ${DOCKER_HOST}\nnetworks:\n  back: {}\nservices:\n  web:\n    image: busybox:latest\n    command: [sleep, "600"]\n    scale: 2\n    networks: [back]\n`,
    );
    const plan = await run('plan');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).not.toMatch(/machine host1/); // adopted, not created
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const ours = await host.listContainers({ filters: { label: [`io.cluster.name=${NAME}`] } });
    expect(ours.map((c) => c.Names[0]).sort()).toEqual([`/${NAME}-web-1`, `/${NAME}-web-2`]);
    expect((await host.listNetworks({ filters: { name: [`${NAME}_back`] } })).map((n) => n.Driver)).toEqual(['bridge']); // no swarm: a bridge
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);

    const d = await run('destroy', '--auto-approve');
    expect(d.code, d.stderr + d.stdout).toBe(0);
    expect(await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })).toEqual([]);
    expect(await host.listNetworks({ filters: { name: [`${NAME}_back`] } })).toEqual([]);
    expect((await host.getContainer(foreign).inspect()).State.Status).toBe('created');
    expect(await host.ping()).toBeTruthy();
  });

  test('the apply lock lives on the adopted engine: a run from another folder (another computer) sees it', async () => {
    await new ContainerLockStore(host, NAME, DOCKER_HOST).tryCreate({ id: 'elsewhere1', holder: 'ci@other-host (pid 1)', since: new Date().toISOString(), host: 'other-host', pid: 1, ttlMs: 600_000 });
    const other = mkdtempSync(join(tmpdir(), 'cl-gen-other-'));
    writeFileSync(join(other, 'cluster.yml'), readFileSync(file, 'utf8'));
    const runThere = (...args: string[]) => clusterAsync([...args, '-f', join(other, 'cluster.yml')], { cwd: other, env: { DOCKER_HOST: undefined }, timeoutMs: 120_000 });
    const r = await runThere('apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ci@other-host');
    expect(r.stderr).toContain(`container ${NAME}-cluster-lock on ${DOCKER_HOST}`);
    expect((await runThere('unlock', '--force', 'elsewhere1')).code).toBe(0);
    expect(await host.listContainers({ all: true, filters: { name: [`${NAME}-cluster-lock`] } })).toEqual([]);
    expect((await runThere('plan')).code).toBe(0); // plan takes no lock
    // The lock container an apply holds on this engine is not part of the cluster it observes: a
    // plan saved without it is not stale for the apply that holds it.
    const saved = join(other, 'saved.plan');
    expect((await runThere('plan', '-o', saved)).code).toBe(0);
    const applied = await runThere('apply', saved);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await runThere('destroy', '--auto-approve')).code).toBe(0);
  });
});
