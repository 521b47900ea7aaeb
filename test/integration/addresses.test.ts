// Machines keep their identity across restarts (issue 13, point 2): a docker-driver cluster's machines
// live on a user-defined bridge of their own (<cluster>-machines-<folder hash>) with a fixed address each, so a host
// reboot that starts them in another order gives none of them another address, and the swarm their
// managers advertised those addresses in finds its leader again. On Docker's default bridge the
// addresses are handed out again at every start (measured on dockerd 20.10: three containers started
// in reverse order swap their first and last addresses), and a 3-manager swarm whose members moved has
// no leader, for good.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { machinesNetworkName } from '../../src/providers/docker/machines-network.js';
import { chooseSubnet } from '../../src/providers/docker/machine-subnet.js';
import { background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const host = dockerodeFor(DOCKER_HOST);
const names: string[] = [];

function cluster(tag: string, manifest: (name: string) => string) {
  const name = `ad${tag}${process.pid}`;
  if (!names.includes(name)) names.push(name);
  const dir = mkdtempSync(join(tmpdir(), 'cl-addresses-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, manifest(name));
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const network = machinesNetworkName({ cluster: name, dir });
  const container = async (machine: string) => (await host.listContainers({ all: true, filters: { name: [`^/${name}-${machine}$`] } }))[0];
  const networks = async () => (await host.listNetworks({ filters: { name: [network] } })).filter((n) => n.Name === network);
  /** The machine's address on the host engine: its endpoint on the machines network. */
  const address = async (machine: string) => {
    const info = await host.getContainer((await container(machine))!.Id).inspect();
    return info.NetworkSettings.Networks[network]?.IPAddress;
  };
  return { name, dir, file, network, run, container, networks, address };
}

afterAll(async () => {
  for (const name of names) {
    for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${name}`] } })) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    for (const n of await host.listNetworks({ filters: { label: [`io.cluster.name=${name}`] } })) await host.getNetwork(n.Id).remove().catch(() => undefined);
    for (const v of (await host.listVolumes()).Volumes ?? []) if (v.Name.startsWith(`${name}-`)) await host.getVolume(v.Name).remove().catch(() => undefined);
  }
});

/** `docker node ls` on a manager, through the docker CLI against the machine's own engine. */
async function nodeList(dir: string, manager: string): Promise<string[]> {
  const sock = `unix://${join(dir, '.cluster/machines', manager, 'docker.sock')}`;
  const { stdout } = await promisify(execFile)('docker', ['-H', sock, 'node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'], { timeout: 30_000 });
  return stdout.trim().split('\n').sort();
}

/** Polls until the swarm shows three managers Ready, one of them Leader; returns the last listing either way. */
async function untilLed(dir: string, manager: string, ms: number): Promise<string[]> {
  let last: string[] = [];
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
    last = await nodeList(dir, manager).catch((err: Error) => [err.message]);
    if (last.length === 3 && last.every((l) => / Ready (Leader|Reachable)$/.test(l)) && last.filter((l) => l.endsWith('Leader')).length === 1) return last;
  }
  return last;
}

describe('three managers restarted in reverse order', () => {
  const c = cluster('m', (name) => `name: ${name}\nmachines:\n  m1: { driver: docker, role: manager }\n  m2: { driver: docker, role: manager }\n  m3: { driver: docker, role: manager }\n`);
  const machines = ['m1', 'm2', 'm3'];
  const before = new Map<string, string>();

  test('apply: every machine has a fixed address on the cluster network, and advertises it in the swarm', async () => {
    const r = await c.run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [network] = await c.networks();
    expect(network?.Labels).toMatchObject({ 'io.cluster.name': c.name, 'io.cluster.kind': 'machines-network', 'io.cluster.folder': c.dir });
    const subnet = network!.IPAM?.Config?.[0]?.Subnet;
    // The host engine's MTU (its default bridge's) holds on the machines' network too.
    const bridge = (await host.listNetworks({ filters: { name: ['bridge'] } })).find((n) => n.Name === 'bridge');
    expect(network!.Options?.['com.docker.network.driver.mtu']).toBe(bridge?.Options?.['com.docker.network.driver.mtu']);
    expect(subnet).toMatch(/^10\.(2[0-4]\d|25[0-4])\.\d+\.0\/24$/);
    for (const m of machines) {
      const info = await host.getContainer((await c.container(m))!.Id).inspect();
      const endpoint = info.NetworkSettings.Networks[c.network];
      // Asked for at create (what makes Docker give it back at every start), and recorded on the machine.
      expect(endpoint?.IPAMConfig?.IPv4Address).toBe(endpoint?.IPAddress);
      expect(info.Config.Labels['io.cluster.address']).toBe(endpoint?.IPAddress);
      expect(Object.keys(info.NetworkSettings.Networks)).toEqual([c.network]);
      // `cluster ip` is the machine record's address: the one swarm init/join advertised.
      const ip = await c.run('ip', m);
      expect(ip.stdout.trim()).toBe(endpoint!.IPAddress);
      before.set(m, ip.stdout.trim());
    }
    expect(new Set(before.values()).size).toBe(3);
    const sock = `unix://${join(c.dir, '.cluster/machines/m1/docker.sock')}`;
    const { stdout } = await promisify(execFile)('docker', ['-H', sock, 'node', 'ls', '-q']);
    const { stdout: addrs } = await promisify(execFile)('docker', ['-H', sock, 'node', 'inspect', '--format', '{{.Description.Hostname}} {{.ManagerStatus.Addr}}', ...stdout.trim().split('\n')]);
    expect(addrs.trim().split('\n').sort()).toEqual(machines.map((m) => `${m} ${before.get(m)}:2377`));
  });

  test('docker stop all, docker start in reverse order, one apply: same addresses, three managers Ready with a leader, no changes left', async () => {
    await Promise.all(machines.map(async (m) => host.getContainer((await c.container(m))!.Id).stop({ t: 20 })));
    for (const m of [...machines].reverse()) await host.getContainer((await c.container(m))!.Id).start();
    for (const m of machines) expect(await c.address(m), m).toBe(before.get(m));

    const r = await c.run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const m of machines) expect((await c.run('ip', m)).stdout.trim(), m).toBe(before.get(m));
    const nodes = await untilLed(c.dir, 'm1', 120_000);
    expect(nodes.map((l) => l.replace(/ (Leader|Reachable)$/, ' manager'))).toEqual(machines.map((m) => `${m} Ready manager`));
    expect(nodes.filter((l) => l.endsWith('Leader'))).toHaveLength(1);
    const plan = await c.run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  test('destroy removes the network with the last machine', async () => {
    const r = await c.run('destroy', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await c.networks()).toEqual([]);
    expect((await c.run('destroy', '--auto-approve')).stdout).toMatch(/No changes/);
  });
});

test('two applies at once: one network, distinct addresses, on a subnet clear of the host engine’s networks', async () => {
  const c = cluster('t', (name) => `name: ${name}\nmachines:\n  a: { driver: docker }\n  b: { driver: docker }\n`);
  // Someone else's network already holds the subnet this cluster would pick first.
  const subnets = async () => (await host.listNetworks()).flatMap((n) => (n.IPAM?.Config ?? []).map((x) => x.Subnet ?? ''));
  const first = chooseSubnet(await subnets(), `${c.name}\0${c.dir}`)!;
  const blocker = await host.createNetwork({ Name: `${c.name}-blocker`, Labels: { 'io.cluster.name': c.name }, IPAM: { Driver: 'default', Config: [{ Subnet: first }] } });
  const [one, two] = await Promise.all([c.run('apply', '--auto-approve', '--lock-timeout', '5m'), c.run('apply', '--auto-approve', '--lock-timeout', '5m')]);
  expect(one.code, one.stdout + one.stderr).toBe(0);
  expect(two.code, two.stdout + two.stderr).toBe(0);
  const networks = await c.networks();
  expect(networks).toHaveLength(1);
  const subnet = networks[0]!.IPAM?.Config?.[0]?.Subnet;
  expect(subnet).not.toBe(first);
  expect(subnet).toMatch(/^10\.\d+\.\d+\.0\/24$/);
  await host.getNetwork(blocker.id).remove();
  const addresses = [await c.address('a'), await c.address('b')];
  expect(addresses.every((a) => /^10\.\d+\.\d+\.\d+$/.test(a ?? ''))).toBe(true);
  expect(new Set(addresses).size).toBe(2);
  expect((await c.run('destroy', '--auto-approve')).code).toBe(0);
  expect(await c.networks()).toEqual([]);
});

// The tests below make a cluster each, under names of their own, and run side by side (the file's
// longest part waits on engines). The one above picks the subnet a blocker network takes, so it runs
// before them, alone.
test.concurrent('kill -9 after the network is made: the next apply reuses it; a network left with no machine is cleaned by destroy', async () => {
  const c = cluster('k', (name) => `name: ${name}\nmachines:\n  solo: { driver: docker }\n`);
  const child = background(['apply', '--auto-approve', '-f', c.file], { cwd: c.dir, env: { DOCKER_HOST } });
  let made: string | undefined;
  for (const deadline = Date.now() + 240_000; !made && Date.now() < deadline && child.child.exitCode === null; ) {
    made = (await c.networks())[0]?.Id;
    if (!made) await new Promise((r) => setTimeout(r, 20));
  }
  await child.stop('SIGKILL');
  expect(made, child.output()).toBeDefined();

  const r = await c.run('apply', '--auto-approve');
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect((await c.networks()).map((n) => n.Id)).toEqual([made]);
  expect(await c.address('solo')).toMatch(/^10\.\d+\.\d+\.2$/); // the lowest address after the gateway

  // The machine's container and volume removed by hand: only the network is left, and destroy takes it.
  await host.getContainer((await c.container('solo'))!.Id).remove({ force: true });
  await host.getVolume(`${c.name}-solo-var-lib-docker`).remove();
  const destroy = await c.run('destroy', '--auto-approve');
  expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
  expect(destroy.stdout).toMatch(new RegExp(`- +machine network ${c.network} \\(no machine of this cluster is left on its network`));
  expect(await c.networks()).toEqual([]);
  expect((await c.run('destroy', '--auto-approve')).stdout).toMatch(/No changes/);
});

test.concurrent('Ctrl-C while the first machine is made: it is finished, nothing else starts; the next apply adds the rest on the same network', async () => {
  const c = cluster('i', (name) => `name: ${name}\nmachines:\n  a: { driver: docker, role: manager }\n  b: { driver: docker, role: worker }\n`);
  // One action at a time: when the signal comes, the create that made the network runs, the rest wait.
  const child = background(['apply', '--auto-approve', '--parallelism', '1', '-f', c.file], { cwd: c.dir, env: { DOCKER_HOST } });
  let made: string | undefined;
  for (const deadline = Date.now() + 240_000; !made && Date.now() < deadline && child.child.exitCode === null; ) {
    made = (await c.networks())[0]?.Id;
    if (!made) await new Promise((r) => setTimeout(r, 20));
  }
  expect(made, child.output()).toBeDefined();
  expect(await child.stop('SIGINT'), child.output()).toBe(130);
  // The running create finished (its machine runs); the other never started.
  const machines = (await Promise.all(['a', 'b'].map(c.container))).filter((x) => x !== undefined);
  expect(machines.map((x) => x.State), child.output()).toEqual(['running']);

  const r = await c.run('apply', '--auto-approve');
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect((await c.networks()).map((n) => n.Id)).toEqual([made]);
  const addresses = [await c.address('a'), await c.address('b')].sort();
  expect(addresses.map((a) => a?.replace(/^.*\./, ''))).toEqual(['2', '3']);
  expect((await c.run('plan', '--detailed-exitcode')).code).toBe(0);
  expect((await c.run('destroy', '--auto-approve')).code).toBe(0);
  expect(await c.networks()).toEqual([]);
});

test.concurrent('a network of that name this folder did not make is never joined nor removed', async () => {
  const c = cluster('f', (name) => `name: ${name}\nmachines:\n  solo: { driver: docker }\n`);
  const planted = await host.createNetwork({ Name: c.network, Labels: { 'io.cluster.name': c.name, 'io.cluster.kind': 'machines-network', 'io.cluster.folder': '/somewhere/else' } });
  const r = await c.run('apply', '--auto-approve');
  expect(r.code).toBe(1);
  expect(r.stdout + r.stderr).toMatch(new RegExp(`network ${c.network} \\([0-9a-f]{12}\\) on the host engine has the name of this cluster's machines network but was not made from this folder`));
  expect(await c.container('solo')).toBeUndefined();
  const destroy = await c.run('destroy', '--auto-approve');
  expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
  expect((await c.networks()).map((n) => n.Id)).toEqual([planted.id]);
});

test.concurrent('two checkouts with one cluster name: each folder its own network, neither refuses the other', async () => {
  const a = cluster('s', (name) => `name: ${name}\nmachines:\n  one: { driver: docker }\n`);
  const b = cluster('s', (name) => `name: ${name}\nmachines:\n  two: { driver: docker }\n`);
  expect(a.network).not.toBe(b.network);
  for (const c of [a, b]) {
    const r = await c.run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await c.networks()).toHaveLength(1);
  }
  expect(await a.address('one')).toBeDefined();
  expect(await b.address('two')).toBeDefined();
  expect((await b.run('destroy', '--auto-approve')).code).toBe(0);
  expect(await b.networks()).toEqual([]);
  expect(await a.networks()).toHaveLength(1);
  expect((await a.run('plan', '--detailed-exitcode')).code).toBe(0);
  expect((await a.run('destroy', '--auto-approve')).code).toBe(0);
});
