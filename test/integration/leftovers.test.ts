// Nothing leaks (issue 13, F4): a docker-driver machine whose container is gone (removed by hand, or a
// destroy killed half-way) leaves a volume and a folder. The next apply starts that machine afresh
// (never on the old /var/lib/docker: it would boot inside a dead swarm); a destroy removes them even
// though the container is gone; a volume this folder did not make is never booted on, nor removed; a
// create that fails takes the machines network it made with it when nothing else is on it.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `lo${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);
const dir = mkdtempSync(join(tmpdir(), 'cl-leftovers-'));
const file = join(dir, 'cluster.yml');
const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
const volume = (machine: string) => `${NAME}-${machine}-var-lib-docker`;
const machineContainer = async (machine: string) => (await host.listContainers({ all: true, filters: { name: [`^/${NAME}-${machine}$`] } }))[0];
const volumeExists = async (name: string) => (await host.getVolume(name).inspect().then(() => true, () => false));
const machinesNetworks = async () => (await host.listNetworks({ filters: { label: [`io.cluster.name=${NAME}`, 'io.cluster.kind=machines-network'] } })).map((n) => n.Name);

afterAll(async () => {
  for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  for (const v of (await host.listVolumes()).Volumes ?? []) if (v.Name.startsWith(`${NAME}-`)) await host.getVolume(v.Name).remove().catch(() => undefined);
  for (const n of await host.listNetworks({ filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getNetwork(n.Id).remove().catch(() => undefined);
});

test('a machine container removed by hand: apply makes the machine afresh, destroy removes its volume and folder', async () => {
  writeFileSync(file, `name: ${NAME}\nmachines:\n  solo: { driver: docker }\n`);
  expect((await run('apply', '--auto-approve')).code).toBe(0);
  const first = await machineContainer('solo');
  // Both carry the folder's identity (io.cluster.id, .cluster/<cluster>.identity).
  const identity = readFileSync(join(dir, `.cluster/${NAME}.identity`), 'utf8').trim();
  expect(first!.Labels['io.cluster.id']).toBe(identity);
  expect((await host.getVolume(volume('solo')).inspect()).Labels?.['io.cluster.id']).toBe(identity);
  // Something only the old /var/lib/docker has.
  const exec = await host.getContainer(first!.Id).exec({ Cmd: ['sh', '-c', ': > /var/lib/docker/from-the-old-machine'], AttachStdout: true, AttachStderr: true });
  await new Promise<void>((resolve, reject) => exec.start({}, (err, stream) => (err ? reject(err) : (stream!.on('end', () => resolve()), stream!.resume()))));
  expect((await exec.inspect()).ExitCode).toBe(0);
  await host.getContainer(first!.Id).remove({ force: true });

  const plan = await run('plan');
  expect(plan.stdout).toMatch(/\+ +machine solo/);
  const apply = await run('apply', '--auto-approve');
  expect(apply.code, apply.stderr).toBe(0);
  const second = await machineContainer('solo');
  const exists = async (path: string) => {
    const probe = await host.getContainer(second!.Id).exec({ Cmd: ['sh', '-c', 'test -e "$0"', path], AttachStdout: true, AttachStderr: true });
    await new Promise<void>((resolve, reject) => probe.start({}, (err, stream) => (err ? reject(err) : (stream!.on('end', () => resolve()), stream!.resume()))));
    return (await probe.inspect()).ExitCode;
  };
  expect(await exists('/var/lib/docker')).toBe(0); // the probe works
  expect(await exists('/var/lib/docker/from-the-old-machine')).toBe(1); // a fresh volume: the old file is not there

  // Gone again, by hand, and then the cluster is destroyed: the leftovers go with it.
  await host.getContainer(second!.Id).remove({ force: true });
  const destroy = await run('destroy', '--auto-approve');
  expect(destroy.code, destroy.stderr).toBe(0);
  expect(destroy.stdout).toMatch(/- +machine solo.*its container is gone/);
  expect(await volumeExists(volume('solo'))).toBe(false);
  expect(existsSync(join(dir, '.cluster/machines/solo'))).toBe(false);
  expect((await run('destroy', '--auto-approve')).stdout).toMatch(/No changes/);
});

test('a volume this folder did not make is never booted on, nor removed', async () => {
  await host.createVolume({ Name: volume('other') }); // unlabelled: an earlier version's, another checkout's, a planted one
  writeFileSync(file, `name: ${NAME}\nmachines:\n  other: { driver: docker }\n`);
  const apply = await run('apply', '--auto-approve');
  expect(apply.code).toBe(1);
  expect(apply.stdout + apply.stderr).toMatch(new RegExp(`already has a volume named ${volume('other')} that this folder did not make`));
  expect(await volumeExists(volume('other'))).toBe(true);
  expect(await machineContainer('other')).toBeUndefined();
  // The machines network made beside the volume step is not left behind empty (the apply said "0 done").
  expect(apply.stdout + apply.stderr).toMatch(/Apply incomplete: 0 done, 1 failed/);
  expect(await machinesNetworks()).toEqual([]);
});

test('a machine whose node image cannot be had is not made, and leaves no volume behind', async () => {
  // The node image, the volume and the address are asked side by side (DockerDriver.createMachine):
  // when the image fails, the volume made meanwhile is removed, as if the steps had run in turn.
  writeFileSync(file, `name: ${NAME}\nmachines:\n  imageless: { driver: docker, image: "cluster-no-such-node-image:${process.pid}" }\n`);
  const apply = await run('apply', '--auto-approve');
  expect(apply.code).toBe(1);
  expect(apply.stdout + apply.stderr).toMatch(/machine image cluster-no-such-node-image:\d+ is not on the host engine and cannot be pulled/);
  expect(await machineContainer('imageless')).toBeUndefined();
  expect(await volumeExists(volume('imageless'))).toBe(false);
  expect(await machinesNetworks()).toEqual([]);
});
