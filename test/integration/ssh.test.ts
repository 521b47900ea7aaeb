// The ssh driver on hosts that are really bare: containers running only sshd on a minimal Debian,
// with no Docker and no internet (test/support/bare-host.ts), on the docker driver's machines network
// beside a Docker-in-Docker manager. The driver installs docker.io from the hosts' package source,
// gives each engine a certificate from the cluster CA, joins the swarm, and the CLI then speaks only
// TLS to them. Bad hosts (unknown host key, wrong key, no root, another OS) are refused by name and
// keep nothing. The hosts are shared by the tests of this file (a real install takes ~15 s each).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { connect } from '../../src/providers/docker/engine.js';
import { ensureBareHostImage, startBareHost } from '../support/bare-host.js';
import { background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST, IDLE } from './env.js';

const NAME = `ssh${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);
const TEST_LABEL = 'io.cluster.test-host';

/** A command on a bare host, through the test engine (not through the driver under test). */
function onHost(id: string, script: string): string {
  return execFileSync('docker', ['exec', id, 'sh', '-c', script], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST } });
}

function keygen(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/** What a provisioning would leave on a host: nothing, on a host that was refused. */
function untouched(id: string): string {
  return onHost(id, 'ls /etc/docker 2>/dev/null; command -v dockerd; ls /etc/systemd/system/docker.service.d 2>/dev/null; true').trim();
}

describe('ssh driver on bare hosts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-ssh-'));
  const file = join(dir, 'cluster.yml');
  // HOME is the test folder: known_hosts and default keys are the test's, never the user's.
  const run = (args: string[], where = dir) => clusterAsync([...args, '-f', join(where, 'cluster.yml')], { cwd: where, env: { DOCKER_HOST, HOME: dir, SSH_AUTH_SOCK: undefined }, timeoutMs: 400_000 });
  const hosts: Record<string, { id: string; address: string }> = {};
  let network = '';

  const manifest = (h2Labels: string, extra = '', more: { h2?: string; manager?: string; webScale?: number } = {}) => `name: ${NAME}
machines:
  manager: { driver: docker, role: manager${more.manager ?? ''} }
  h1: { driver: ssh, role: worker, host: ${hosts.h1!.address}, identity: id, labels: { zone: a } }
  h2: { driver: ssh, role: worker, host: "ssh://root@${hosts.h2!.address}:22", identity: id, labels: { ${h2Labels} }${more.h2 ?? ''} }
services:
  web:
    image: busybox:latest
    command: ${IDLE}
    scale: ${more.webScale ?? 2}
    environment: ["constraint:zone==a"]
  db:
    image: busybox:latest
    command: ${IDLE}
    environment: ["constraint:zone==b"]
${extra}`;
  const engineOf = (h: string) => {
    const certs = join(dir, '.cluster/certs', NAME);
    return connect(`tcp://${hosts[h]!.address}:2376`, { ca: join(certs, 'ca.pem'), cert: join(certs, 'cert.pem'), key: join(certs, 'key.pem') });
  };

  beforeAll(async () => {
    await ensureBareHostImage(host, (line) => process.stderr.write(`${line}\n`));
    const key = keygen(join(dir, 'id'));
    // The manager first: its machines network is where the bare hosts are plugged in.
    writeFileSync(file, `name: ${NAME}\nmachines:\n  manager: { driver: docker, role: manager }\n`);
    const first = await run(['apply', '--auto-approve']);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    network = Object.keys((await host.getContainer(`${NAME}-manager`).inspect()).NetworkSettings.Networks)[0]!;
    const debian12 = undefined;
    const alien = 'ID=alpine\nNAME="Alpine Linux"\nPRETTY_NAME="Alpine Linux v3.20"';
    for (const [n, osRelease] of [['h1', debian12], ['h2', debian12], ['stranger', debian12], ['alien', alien]] as const) {
      hosts[n] = await startBareHost(host, { name: `${NAME}-host-${n}`, network, authorizedKey: key, labels: { [TEST_LABEL]: NAME }, ...(osRelease ? { osRelease } : {}) });
    }
    // known_hosts as an administrator would make it: every host but `stranger`. sshd starts after
    // the host keys are made, so scan until each host answers.
    const lines: string[] = [];
    for (const n of ['h1', 'h2', 'alien']) {
      for (let i = 0; i < 50 && !lines.some((l) => l.startsWith(`${hosts[n]!.address} `)); i++) {
        const out = (() => { try { return execFileSync('ssh-keyscan', ['-T', '5', hosts[n]!.address], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return ''; } })();
        lines.push(...out.split('\n').filter((l) => l && !l.startsWith('#')));
        if (!lines.some((l) => l.startsWith(`${hosts[n]!.address} `))) await new Promise((r) => setTimeout(r, 200));
      }
    }
    execFileSync('mkdir', ['-p', join(dir, '.ssh')]);
    writeFileSync(join(dir, '.ssh/known_hosts'), lines.join('\n') + '\n');
  });

  afterAll(async () => {
    await run(['destroy', '--auto-approve']);
    for (const c of await host.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    for (const n of await host.listNetworks({ filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getNetwork(n.Id).remove().catch(() => undefined);
    for (const v of (await host.listVolumes()).Volumes ?? []) if (v.Name.startsWith(`${NAME}-`)) await host.getVolume(v.Name).remove().catch(() => undefined);
  });

  test('an unknown host key (strict), a wrong key, a user without root, another OS: each refused by name, nothing changed', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'cl-ssh-bad-'));
    keygen(join(bad, 'wrong'));
    writeFileSync(join(bad, 'cluster.yml'), `name: ${NAME}bad
machines:
  unknown: { driver: ssh, host: ${hosts.stranger!.address}, identity: ${join(dir, 'id')} }
  wrongkey: { driver: ssh, host: ${hosts.h1!.address}, identity: wrong }
  noroot: { driver: ssh, host: ${hosts.h1!.address}, user: plain, identity: ${join(dir, 'id')} }
  alien: { driver: ssh, host: ${hosts.alien!.address}, identity: ${join(dir, 'id')} }
`);
    const r = await run(['apply', '--auto-approve'], bad);
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    expect(out).toMatch(new RegExp(`the host key of ${hosts.stranger!.address.replace(/\./g, '\\.')} \\(ssh-ed25519 SHA256:\\S+\\) is not in known_hosts, and \`host-key\` is strict`));
    expect(out).toContain(`ssh root@${hosts.h1!.address}: the host refused the key (${join(bad, 'wrong')})`);
    expect(out).toMatch(/ssh machine noroot \(plain@[\d.]+\): cannot act as root \(sudo: a password is required\)/);
    expect(out).toContain('ssh machine alien (root@' + hosts.alien!.address + ') runs Alpine Linux v3.20: the ssh driver provisions Debian and Ubuntu only');
    for (const h of ['h1', 'stranger', 'alien']) expect(untouched(hosts[h]!.id), h).toBe('');
    expect(existsSync(join(bad, '.cluster/ssh')) ? readdirSync(join(bad, '.cluster/ssh')) : []).toEqual([]);
  });

  test('kill -9 while a host is being provisioned, apply again: it converges; accept-new pins the unknown host key', async () => {
    const k = mkdtempSync(join(tmpdir(), 'cl-ssh-kill-'));
    writeFileSync(join(k, 'cluster.yml'), `name: ${NAME}kill\nmachines:\n  k: { driver: ssh, host: ${hosts.stranger!.address}, identity: ${join(dir, 'id')}, host-key: accept-new, labels: { zone: k } }\n`);
    const first = background(['apply', '--auto-approve', '-f', join(k, 'cluster.yml')], { cwd: k, env: { DOCKER_HOST, HOME: dir, SSH_AUTH_SOCK: undefined } });
    // Killed once the host is changing: daemon.json written, the engine not installed yet.
    for (const deadline = Date.now() + 60_000; Date.now() < deadline && !onHost(hosts.stranger!.id, 'ls /etc/docker/daemon.json 2>/dev/null || true').trim(); ) await new Promise((r) => setTimeout(r, 50));
    await first.stop('SIGKILL');
    expect(JSON.parse(readFileSync(join(k, '.cluster/ssh/k/machine.json'), 'utf8')).provisioned).toBe(false);
    const again = await run(['apply', '--auto-approve'], k);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(onHost(hosts.stranger!.id, "dpkg-query -W -f '${Status}' docker.io")).toBe('install ok installed');
    const offered = onHost(hosts.stranger!.id, 'cat /etc/ssh/ssh_host_ed25519_key.pub').split(' ')[1];
    expect(readFileSync(join(k, '.cluster/ssh/k/host-key'), 'utf8').trim()).toBe(offered);
    expect((await run(['plan', '--detailed-exitcode'], k)).code).toBe(0);
    const gone = await run(['destroy', '--auto-approve'], k);
    expect(gone.code, gone.stderr + gone.stdout).toBe(0);
    // Without --purge the engine package stays; its configuration and process go.
    expect(onHost(hosts.stranger!.id, "dpkg-query -W -f '${Status}' docker.io")).toBe('install ok installed');
    expect(onHost(hosts.stranger!.id, 'ls /etc/docker/daemon.json /etc/docker/cluster 2>/dev/null; cat /proc/[0-9]*/comm 2>/dev/null | grep -x dockerd; true').trim()).toBe('');
  });

  test('two bare hosts are provisioned, join the swarm, and run the services their labels allow; a second plan has no changes', async () => {
    writeFileSync(file, manifest('zone: b'));
    const r = await run(['apply', '--auto-approve']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const h of ['h1', 'h2']) {
      // docker.io from the host's package source; dockerd listening with TLS verification only.
      expect(onHost(hosts[h]!.id, "dpkg-query -W -f '${Status}' docker.io")).toBe('install ok installed');
      const daemon = JSON.parse(onHost(hosts[h]!.id, 'cat /etc/docker/daemon.json'));
      expect(daemon).toMatchObject({ tlsverify: true, hosts: expect.arrayContaining(['tcp://0.0.0.0:2376']) });
    }
    // Without a client certificate of the cluster CA the engine refuses.
    const anonymous = dockerodeFor(`https://${hosts.h1!.address}:2376`, { ca: join(dir, '.cluster/certs', NAME, 'ca.pem') }, 10_000);
    await expect(anonymous.ping()).rejects.toThrow();
    expect((await engineOf('h2').facts()).labels).toEqual({ zone: 'b' });
    const nodes = await engineOf('h1').facts().then(() => connect(`unix://${join(dir, '.cluster/machines/manager/docker.sock')}`).swarmNodes());
    expect(nodes.map((n) => [n.hostname, n.role, n.state]).sort()).toEqual([
      ['manager', 'manager', 'ready'],
      [`${NAME}-host-h1`, 'worker', 'ready'],
      [`${NAME}-host-h2`, 'worker', 'ready'],
    ]);
    // Placement by engine labels (classic Swarm's constraint filter): web on h1 (zone a), db on h2.
    const names = async (h: string) => (await engineOf(h).facts()).containers.filter((c) => c.labels['io.cluster.name'] === NAME && c.state === 'running').map((c) => c.labels['io.cluster.service']).sort();
    expect(await names('h1')).toEqual(['web', 'web']);
    expect(await names('h2')).toEqual(['db']);
    // Private keys 0600; the CA and client certificate where DOCKER_CERT_PATH points.
    for (const f of ['certs/' + NAME + '/ca-key.pem', 'certs/' + NAME + '/key.pem', 'ssh/h1/server-key.pem']) expect(execFileSync('stat', ['-c', '%a', join(dir, '.cluster', f)], { encoding: 'utf8' }).trim(), f).toBe('600');
    const env = await run(['env', 'h2']);
    expect(env.stdout).toContain(`export DOCKER_HOST="tcp://${hosts.h2!.address}:2376"`);
    expect(env.stdout).toContain('export DOCKER_TLS_VERIFY="1"');
    expect(env.stdout).toContain(`export DOCKER_CERT_PATH="${join(dir, '.cluster/certs', NAME)}"`);
    expect(env.stdout).toContain('export DOCKER_MACHINE_NAME="h2"');
    // `cluster ssh` logs in as the driver does, trusting only the pinned host key.
    const shell = await clusterAsync(['ssh', '-f', file, 'h1', '--', 'cat', '/etc/hostname'], { cwd: dir, env: { DOCKER_HOST, HOME: dir, SSH_AUTH_SOCK: undefined } });
    expect(shell.code, shell.stderr).toBe(0);
    expect(shell.stdout.trim()).toBe(`${NAME}-host-h1`);
    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  test('a label changed in the manifest changes live: dockerd reloads, nothing restarts, a new service lands by the new label', async () => {
    const pid = onHost(hosts.h2!.id, 'cat /var/run/docker.pid').trim();
    writeFileSync(file, manifest('zone: b, disk: ssd', `  cache:\n    image: busybox:latest\n    command: ${IDLE}\n    environment: ["constraint:disk==ssd"]\n`));
    const plan = await run(['plan']);
    expect(plan.stdout).toMatch(/~\s+engine labels of h2/);
    expect(plan.stdout).not.toMatch(/machine h2/);
    const r = await run(['apply', '--auto-approve']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await engineOf('h2').facts()).labels).toEqual({ disk: 'ssd', zone: 'b' });
    expect(onHost(hosts.h2!.id, 'cat /var/run/docker.pid').trim()).toBe(pid);
    const running = (await engineOf('h2').facts()).containers.filter((c) => c.labels['io.cluster.name'] === NAME && c.state === 'running').map((c) => c.labels['io.cluster.service']).sort();
    expect(running).toEqual(['cache', 'db']);
  });

  const cache = `  cache:\n    image: busybox:latest\n    command: ${IDLE}\n    environment: ["constraint:disk==ssd"]\n`;
  const ours = async (h: string) => (await engineOf(h).facts()).containers.filter((c) => c.labels['io.cluster.name'] === NAME);
  /** web scaled to `n`, with two of its replicas on h1 (spread: the emptiest machine with zone a), for an upgrade of h1 to drain. */
  const scaleWebOntoH1 = async (n: number) => {
    writeFileSync(file, manifest('zone: b, disk: ssd', cache, { h2: ', engine: { debug: true, log-driver: local }', manager: ', labels: { zone: a }', webScale: n }));
    const scaled = await run(['apply', '--auto-approve']);
    expect(scaled.code, scaled.stderr + scaled.stdout).toBe(0);
    expect((await ours('h1')).map((c) => c.labels['io.cluster.service'])).toEqual(['web', 'web']);
  };

  test('engine: options are written to the host\'s daemon.json: a reloadable key by SIGHUP (same dockerd), a start-only key by a restart that brings the replicas back', async () => {
    const pid = onHost(hosts.h2!.id, 'cat /var/run/docker.pid').trim();
    const tls = { ca: join(dir, '.cluster/certs', NAME, 'ca.pem'), cert: join(dir, '.cluster/certs', NAME, 'cert.pem'), key: join(dir, '.cluster/certs', NAME, 'key.pem') };
    const info = () => dockerodeFor(`tcp://${hosts.h2!.address}:2376`, tls, 20_000).info() as Promise<{ Debug: boolean; LoggingDriver: string }>;
    // `debug` is one of the keys dockerd reloads (moby v20.10 daemon/reload.go Daemon.Reload).
    writeFileSync(file, manifest('zone: b, disk: ssd', cache, { h2: ', engine: { debug: true }' }));
    const plan = await run(['plan']);
    expect(plan.stdout).toContain('~   machine h2: engine debug (default) → true (reload)');
    expect(plan.stderr + plan.stdout).not.toContain('does not set engine options');
    const r = await run(['apply', '--auto-approve']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await info()).Debug).toBe(true);
    expect(onHost(hosts.h2!.id, 'cat /var/run/docker.pid').trim()).toBe(pid);
    // `log-driver` is read only at start: dockerd restarts; db and cache (no restart policy) run again, same containers.
    const before = (await ours('h2')).filter((c) => c.state === 'running').map((c) => c.id).sort();
    expect(before).toHaveLength(2);
    writeFileSync(file, manifest('zone: b, disk: ssd', cache, { h2: ', engine: { debug: true, log-driver: local }' }));
    expect((await run(['plan'])).stdout).toContain('~   machine h2: engine log-driver (default) → local (restart: its containers stop and start again)');
    const restart = await run(['apply', '--auto-approve']);
    expect(restart.code, restart.stderr + restart.stdout).toBe(0);
    expect((await info()).LoggingDriver).toBe('local');
    expect(onHost(hosts.h2!.id, 'cat /var/run/docker.pid').trim()).not.toBe(pid);
    expect((await ours('h2')).filter((c) => c.state === 'running').map((c) => c.id).sort()).toEqual(before);
    // The driver's own keys stay: TLS with the cluster CA, the labels.
    expect(JSON.parse(onHost(hosts.h2!.id, 'cat /etc/docker/daemon.json'))).toMatchObject({ debug: true, 'log-driver': 'local', tlsverify: true, labels: ['disk=ssd', 'zone=b'] });
    const after = await run(['plan', '--detailed-exitcode']);
    expect(after.code, after.stdout).toBe(0);
  });

  test('regenerate-certs gives the engine a new certificate; the CLI still reaches it; the replicas the restart stopped run again', async () => {
    const running = async () => (await ours('h1')).filter((c) => c.state === 'running').map((c) => c.id).sort();
    const web = await running();
    expect(web).toHaveLength(2);
    const before = readFileSync(join(dir, '.cluster/ssh/h1/server.pem'), 'utf8');
    const r = await run(['regenerate-certs', 'h1']);
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(join(dir, '.cluster/ssh/h1/server.pem'), 'utf8');
    expect(after).not.toBe(before);
    expect(onHost(hosts.h1!.id, 'cat /etc/docker/cluster/server.pem')).toBe(after);
    expect(await engineOf('h1').ping()).toBe(true);
    // dockerd restarted with the new certificate; web has no restart policy, so the driver starts it again.
    expect(await running()).toEqual(web);
  });

  // The upgrade's apt-get on h1, seen from inside: each call records the host's time and how many of
  // this cluster's containers h1 holds then; with the gate closed, `apt-get update` waits for it.
  const APT_LOG = '/tmp/cluster-test-apt';
  const shimApt = (gate: boolean) =>
    onHost(
      hosts.h1!.id,
      `rm -f ${APT_LOG} /tmp/apt-go; printf '%s\\n' '#!/bin/sh' ` +
        `'echo "$(date +%s.%N) $(docker ps -aq --filter label=io.cluster.name=${NAME} | wc -l) $1" >> ${APT_LOG}' ` +
        (gate ? `'if [ "$1" = update ]; then while [ ! -e /tmp/apt-go ]; do sleep 0.1; done; fi' ` : '') +
        `'exec /usr/bin/apt-get "$@"' > /usr/local/sbin/apt-get; chmod 0755 /usr/local/sbin/apt-get`,
    );
  const aptCalls = () =>
    onHost(hosts.h1!.id, `cat ${APT_LOG} 2>/dev/null || true`)
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [at, held, verb] = l.split(' ');
        return { at: Number(at), held: Number(held), verb };
      });
  const availabilityOf = async (hostname: string) => (await connect(`unix://${join(dir, '.cluster/machines/manager/docker.sock')}`).swarmNodes()).find((n) => n.hostname === hostname)?.availability ?? 'active';

  test('upgrade drains first: refused when a replica could run nowhere else (nothing changed), --force upgrades in place; another machine is not ours to upgrade', async () => {
    shimApt(false);
    const web = (await ours('h1')).map((c) => c.id).sort();
    expect(web).toHaveLength(2);
    // web's constraint zone==a holds only on h1 (classic Swarm's constraint filter): draining h1 would strand it.
    const r = await run(['upgrade', 'h1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/machine h1 cannot be drained before its engine is upgraded: .*nowhere else to run \(.*web/);
    expect(r.stderr).toContain('--force to upgrade without draining');
    expect(aptCalls()).toEqual([]);
    expect(await availabilityOf(`${NAME}-host-h1`)).toBe('active');
    expect((await ours('h1')).map((c) => c.id).sort()).toEqual(web);
    const pid = onHost(hosts.h1!.id, 'cat /var/run/docker.pid').trim();
    const forced = await run(['upgrade', 'h1', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^machine h1: docker\.io \S+ is already the newest version its package source has$/m);
    expect(aptCalls().map((c) => [c.verb, c.held])).toEqual([['update', 2], ['install', 2]]); // in place, as asked
    expect(onHost(hosts.h1!.id, 'cat /var/run/docker.pid').trim()).toBe(pid);
    const refused = await run(['upgrade', 'manager']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('machine manager (docker driver): its engine is not installed by this tool');
  });

  test('kill -9 while the machine is drained for its upgrade: plan says availability drain → active, the next apply makes it active', async () => {
    // The manager takes zone a too: web has somewhere to go.
    writeFileSync(file, manifest('zone: b, disk: ssd', cache, { h2: ', engine: { debug: true, log-driver: local }', manager: ', labels: { zone: a }' }));
    const labelled = await run(['apply', '--auto-approve']);
    expect(labelled.code, labelled.stderr + labelled.stdout).toBe(0);
    shimApt(true);
    const up = background(['upgrade', 'h1', '-f', file], { cwd: dir, env: { DOCKER_HOST, HOME: dir, SSH_AUTH_SOCK: undefined } });
    try {
      await up.waitFor(/machine h1: draining \(2 replicas of this cluster move elsewhere\)/, 120_000);
      for (const deadline = Date.now() + 180_000; Date.now() < deadline && !aptCalls().length; ) await new Promise((r) => setTimeout(r, 100));
      expect(aptCalls(), up.output()).toMatchObject([{ held: 0, verb: 'update' }]);
    } finally {
      await up.stop('SIGKILL');
      onHost(hosts.h1!.id, 'touch /tmp/apt-go'); // the orphaned upgrade script on the host runs to its end
    }
    expect(await availabilityOf(`${NAME}-host-h1`)).toBe('drain');
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/~\s+machine h1: availability drain → active/);
    const again = await run(['apply', '--auto-approve']);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(await availabilityOf(`${NAME}-host-h1`)).toBe('active');
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  test('upgrade: the replicas run elsewhere before the engine package is upgraded, then the machine is active again', async () => {
    await scaleWebOntoH1(4);
    shimApt(false);
    const r = await run(['upgrade', 'h1']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^machine h1: docker\.io \S+ is already the newest version its package source has$/m);
    expect(r.stderr).toContain('machine h1: availability active again');
    // When apt-get ran on h1, h1 held none of the cluster's containers, and all four web replicas had
    // started on the manager before (one clock: the hosts are containers of one kernel).
    const calls = aptCalls();
    expect(calls.map((c) => [c.verb, c.held])).toEqual([['update', 0], ['install', 0]]);
    const manager = dockerodeFor(`unix://${join(dir, '.cluster/machines/manager/docker.sock')}`);
    const webs = await manager.listContainers({ filters: { label: [`io.cluster.name=${NAME}`, 'io.cluster.service=web'] } });
    expect(webs).toHaveLength(4);
    for (const w of webs) expect(Date.parse((await manager.getContainer(w.Id).inspect()).State.StartedAt) / 1000).toBeLessThan(calls[0]!.at);
    expect(await availabilityOf(`${NAME}-host-h1`)).toBe('active');
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  test('Ctrl-C while the machine is drained for its upgrade: the package step on the host finishes, the availability is set back, exit 130', async () => {
    await scaleWebOntoH1(6);
    shimApt(true);
    const up = background(['upgrade', 'h1', '-f', file], { cwd: dir, env: { DOCKER_HOST, HOME: dir, SSH_AUTH_SOCK: undefined } });
    await up.waitFor(/machine h1: draining/, 120_000);
    for (const deadline = Date.now() + 180_000; Date.now() < deadline && !aptCalls().length; ) await new Promise((r) => setTimeout(r, 100));
    expect(aptCalls(), up.output()).toMatchObject([{ held: 0, verb: 'update' }]);
    up.child.kill('SIGINT');
    await up.waitFor(/SIGINT: stopping/, 30_000);
    onHost(hosts.h1!.id, 'touch /tmp/apt-go'); // the host's script was running: it runs to its end
    expect(await up.exited(), up.output()).toBe(130);
    expect(up.output()).toContain('machine h1: availability active again');
    expect(await availabilityOf(`${NAME}-host-h1`)).toBe('active');
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  test('destroy --purge removes the containers, leaves the swarm and uninstalls the engine', async () => {
    const r = await run(['destroy', '--auto-approve', '--purge']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const h of ['h1', 'h2']) {
      expect(onHost(hosts[h]!.id, "dpkg-query -W -f '${Status}' docker.io 2>/dev/null || true")).not.toContain('install ok installed');
      expect(untouched(hosts[h]!.id), h).toBe('');
      expect(onHost(hosts[h]!.id, 'cat /proc/[0-9]*/comm 2>/dev/null | grep -x dockerd || true').trim()).toBe('');
    }
    expect(readdirSync(join(dir, '.cluster/ssh'))).toEqual([]);
  });
});
