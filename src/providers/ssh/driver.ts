// The ssh driver: a machine is a host reachable over SSH that may have no Docker yet (docker-machine's
// generic/ssh provisioner). `create` provisions it: host key checked (./host-keys.ts), root or
// passwordless sudo, Debian or Ubuntu, Debian's docker.io package installed, daemon.json with the
// engine labels and the manifest's `engine:` options, the cluster CA's certificates (./certs.ts), dockerd listening with --tlsverify on
// 2376. From then on the engine is spoken to only over TLS; SSH is used again only to change
// daemon.json (labels live with SIGHUP; options reloaded or restarted by dockerd's rule), restart,
// or give the host back. Every step is idempotent,
// so a run killed anywhere converges on the next apply (./remote.ts says how each step resumes).
import { readFileSync } from 'node:fs';
import { writeStateFile } from '../state-file.js';
import { keyType } from './host-keys.js';
import { join } from 'node:path';
import { connect } from '../docker/engine.js';
import { dockerodeFor } from '../docker/connection.js';
import { EngineError, errorMessage, tolerate } from '../../engine/errors.js';
import type { Engine } from '../../engine/types.js';
import { UserError } from '../../model/diagnostic.js';
import type { DesiredMachine } from '../../model/desired.js';
import { LABEL } from '../../model/observed.js';
import type { Driver, DriverContext, MachineRecord } from '../types.js';
import { ensureClientCerts, ensureServerCert, type ClientFiles } from './certs.js';
import { SshConnection } from './connection.js';
import { checkOs } from './os-release.js';
import { daemonJson, engineConfigScript, EXIT, labelsScript, LOG_TAIL, provisionScript, removeScript, START_SCRIPT, STOP_SCRIPT, TLS_PORT, UPGRADE_SCRIPT, WHOAMI } from './remote.js';
import { bringBack, RELOAD_TIMEOUT_MS, untilReloaded } from '../docker/engine-restart.js';
import { engineChanges, type EngineOptions } from '../../model/engine-options.js';
import { forgetMachine, machineDir, machineNames, pinKey, readMachineState, readPinnedKey, writeMachineState, type SshMachineState } from './state.js';
import { describeTarget, sshTarget, type SshTarget } from './target.js';

const READY_TIMEOUT_MS = 90_000;

export class SshDriver implements Driver {
  readonly name = 'ssh' as const;
  readonly canSetEngineLabels = true;
  private readonly engines = new Map<string, Engine>();
  private readonly stateDir: string;
  private local?: Engine;

  constructor(private readonly ctx: DriverContext) {
    this.stateDir = join(ctx.dir, '.cluster');
  }

  async list(): Promise<MachineRecord[]> {
    const provisioned = machineNames(this.stateDir, this.ctx.cluster).filter((n) => readMachineState(this.stateDir, n)?.provisioned);
    return Promise.all(provisioned.map((n) => this.probe(n)));
  }

  /** Hosts whose provisioning did not finish: resumed by a create when wanted, given back otherwise. */
  async leftovers(): Promise<{ name: string; what: string }[]> {
    return machineNames(this.stateDir, this.ctx.cluster)
      .map((n) => ({ n, s: readMachineState(this.stateDir, n)! }))
      .filter(({ s }) => !s.provisioned)
      .map(({ n, s }) => ({ name: n, what: `host ${describeTarget(s.target)} was being provisioned and` }));
  }

  async create(machine: DesiredMachine): Promise<MachineRecord> {
    const target = sshTarget(machine);
    const known = readMachineState(this.stateDir, machine.name);
    if (known && (known.target.host !== target.host || known.target.port !== target.port)) {
      throw UserError.plain(`ssh machine ${machine.name} was provisioned on ${describeTarget(known.target)}, the manifest now says ${describeTarget(target)}`, `remove the machine from the manifest and apply (it gives the old host back), then add it again with the new host`);
    }
    const ssh = await SshConnection.open(target, readPinnedKey(this.stateDir, machine.name));
    try {
      // Checks that change nothing, anywhere, when they fail.
      const who = await ssh.runAsRoot(WHOAMI);
      if (who.code !== 0 || who.stdout.trim() !== '0') {
        throw UserError.plain(`ssh machine ${machine.name} (${describeTarget(target)}): cannot act as root (${firstLine(who.stderr) || `id -u printed ${who.stdout.trim() || 'nothing'}`})`, `log in as root, or give ${target.user} passwordless sudo (a line \`${target.user} ALL=(ALL) NOPASSWD:ALL\` in /etc/sudoers.d/)`);
      }
      const os = await ssh.run('cat /etc/os-release');
      checkOs(machine.name, describeTarget(target), os.code === 0 ? os.stdout : '');
      // From here on the host changes: the record first, so a killed run is found again.
      const options = machine.engine ?? {};
      const record: SshMachineState = { cluster: this.ctx.cluster, target, provisioned: known?.provisioned ?? false, engine: { written: options, applied: known?.engine?.applied ?? {} } };
      writeMachineState(this.stateDir, machine.name, record);
      pinKey(this.stateDir, machine.name, ssh.hostKey);
      // A resumed host may run an engine already: options it reads only at start need a restart.
      await this.provision(ssh, machine.name, target, machine.labels, options, { renew: false, restartOnConfig: true });
      writeMachineState(this.stateDir, machine.name, { ...record, provisioned: true, engine: { written: options, applied: options } });
    } finally {
      ssh.close();
    }
    return this.probe(machine.name);
  }

  async start(name: string): Promise<void> {
    await this.onHost(name, async (ssh) => {
      const r = await ssh.runAsRoot(START_SCRIPT);
      if (r.code !== 0) throw new Error(`machine ${name}: could not start its engine: ${lastLine(r.stderr)}`);
      await this.waitReady(name, ssh);
    });
  }

  async stop(name: string): Promise<void> {
    await this.onHost(name, async (ssh) => {
      const r = await ssh.runAsRoot(STOP_SCRIPT);
      if (r.code !== 0) throw new Error(`machine ${name}: could not stop its engine: ${lastLine(r.stderr)}`);
    });
  }

  /**
   * Give the host back: this cluster's containers removed and the swarm left (the engine is asked
   * while it still answers), the engine stopped and its configuration removed; `purge` (destroy
   * --purge) also uninstalls docker.io. The record goes last: a killed run removes again next time.
   */
  async remove(name: string): Promise<void> {
    const state = readMachineState(this.stateDir, name);
    if (!state) return forgetMachine(this.stateDir, name);
    const docker = dockerodeFor(this.urlOf(state.target), this.clientFiles(), 20_000);
    if (await docker.ping().then(() => true, () => false)) {
      const mine = await docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${this.ctx.cluster}`] } });
      for (const c of mine) await docker.getContainer(c.Id).remove({ force: true }).catch(tolerate('notFound'));
      await docker.swarmLeave({ force: true }).catch(() => undefined); // not in a swarm: nothing to leave
    }
    await this.onHost(name, async (ssh) => {
      const r = await ssh.runAsRoot(removeScript(this.ctx.purge === true));
      if (r.code !== 0) throw new Error(`machine ${name}: could not give the host back: ${lastLine(r.stderr)}`);
    }).catch((err: unknown) => {
      // A host that is gone for good would keep its record (and this removal) forever otherwise.
      throw new Error(`${err instanceof Error ? err.message : String(err)} (if ${describeTarget(state.target)} is gone for good, delete ${machineDir(this.stateDir, name)} and run again)`, { cause: err });
    });
    forgetMachine(this.stateDir, name);
    this.engines.delete(name);
  }

  async setEngineLabels(name: string, labels: Record<string, string>): Promise<void> {
    await this.onHost(name, async (ssh) => {
      const r = await ssh.runAsRoot(labelsScript(daemonJson(labels, readMachineState(this.stateDir, name)?.engine?.applied)));
      if (r.code !== 0) throw new Error(`machine ${name}: could not reload its engine's labels (${r.code === EXIT.engineFailed ? 'the engine is not running' : lastLine(r.stderr)})`);
    });
    const engine = this.engineOf(name);
    const want = JSON.stringify(Object.entries(labels).sort());
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(200)) {
      if (JSON.stringify(Object.entries((await engine.facts()).labels).sort()) === want) return;
    }
    throw new Error(`machine ${name}: engine did not pick up the new labels within 15 s`);
  }

  /** `cluster regenerate-certs`: a new server certificate from the cluster CA, the engine restarted with it. */
  async regenerateCerts(name: string): Promise<void> {
    const state = readMachineState(this.stateDir, name);
    if (!state?.provisioned) throw new Error(`machine ${name} is not a provisioned ssh machine of this folder`);
    const labels = this.ctx.machines.find((m) => m.name === name)?.labels ?? (await this.engineOf(name).facts().catch(() => undefined))?.labels ?? {};
    // The engine restarts with the new certificate: the replicas that ran start again (no restart policy does it).
    await this.restarting(name, () => this.onHost(name, (ssh) => this.provision(ssh, name, state.target, labels, state.engine?.applied ?? {}, { renew: true, restartOnConfig: false })));
  }

  /**
   * The manifest's `engine:` options into the host's daemon.json (labels and TLS kept), then dockerd
   * takes them as the docker driver's machines do: `reload` is a SIGHUP confirmed by the engine's own
   * `reload` event; `restart` restarts dockerd and starts again the containers that ran. A file
   * dockerd refuses is put back as it was (the engine keeps or gets back its previous options) and the
   * error says what its log says. Killed half-way: the record's `applied` is still the old options,
   * so the next plan does it again.
   */
  async setEngineOptions(name: string, options: EngineOptions, how: 'reload' | 'restart'): Promise<void> {
    const state = readMachineState(this.stateDir, name);
    if (!state?.provisioned) throw new Error(`machine ${name} is not a provisioned ssh machine of this folder`);
    const labels = this.ctx.machines.find((m) => m.name === name)?.labels ?? (await this.engineOf(name).facts()).labels;
    const applied = state.engine?.applied ?? {};
    writeMachineState(this.stateDir, name, { ...state, engine: { written: options, applied } });
    const put = async (opts: EngineOptions, as: 'reload' | 'restart') =>
      this.onHost(name, async (ssh) => {
        const r = await ssh.runAsRoot(engineConfigScript(daemonJson(labels, opts), as));
        if (r.code !== 0) throw new Error(`machine ${name}: could not ${as} its engine (${r.code === EXIT.engineFailed ? 'the engine is not running' : lastLine(r.stderr)})`);
        if (as === 'restart') await this.waitReady(name, ssh);
        return Number(/^since (\S+)$/m.exec(r.stdout)?.[1] ?? Date.now() / 1000);
      });
    if (how === 'reload') {
      const since = await put(options, 'reload');
      if (!(await untilReloaded(dockerodeFor(this.urlOf(state.target), this.clientFiles(), 20_000), since))) {
        await put(applied, 'reload').catch(() => undefined);
        throw new Error(`machine ${name}: its engine did not reload the new options within ${RELOAD_TIMEOUT_MS / 1000} s (${await this.logTail(name)}); daemon.json is back as it was`);
      }
    } else {
      try {
        await this.restarting(name, () => put(options, 'restart'));
      } catch (err) {
        const log = await this.logTail(name);
        await this.restarting(name, () => put(applied, 'restart'));
        throw new Error(`machine ${name}: its engine did not start with the new options (${errorMessage(err)}; ${log}); it runs again with its previous options`);
      }
    }
    writeMachineState(this.stateDir, name, { ...state, engine: { written: options, applied: options } });
  }

  /** `cluster upgrade`: the engine package to the newest version the host can install; restarted only if it changed. */
  async upgradeEngine(name: string): Promise<{ before: string; after: string }> {
    // Restarted only when the version changed; then what ran starts again (an upgrade with --force: in place).
    return this.restarting(name, () => this.onHost(name, async (ssh) => {
      const r = await ssh.runAsRoot(UPGRADE_SCRIPT);
      if (r.code === EXIT.notInstalled) throw new Error(`machine ${name}: docker.io is not installed (an engine from another package is upgraded by its own means)`);
      if (r.code !== 0) throw new Error(`machine ${name}: apt-get could not upgrade docker.io: ${lastLine(r.stderr)}`);
      const [before = '', after = ''] = r.stdout.trim().split('\n').slice(-1)[0]!.split(' ');
      await this.waitReady(name, ssh);
      return { before, after };
    }));
  }

  /**
   * `cluster ssh`: ssh(1) to the host as the driver logs in, trusting only the key pinned at
   * provisioning (written as a known_hosts file beside it), never the user's known_hosts.
   */
  loginArgv(name: string, command: string[]): string[] {
    const state = readMachineState(this.stateDir, name);
    const pinned = readPinnedKey(this.stateDir, name);
    if (!state || !pinned) throw new Error(`machine ${name} is not a provisioned ssh machine of this folder`);
    const { host, port, user, identity } = state.target;
    const known = join(machineDir(this.stateDir, name), 'known_hosts');
    writeStateFile(known, `${port === 22 ? host : `[${host}]:${port}`} ${keyType(Buffer.from(pinned, 'base64'))} ${pinned}\n`);
    return ['-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=yes', '-p', String(port), ...(identity ? ['-i', identity] : []), '--', `${user}@${host}`, ...command];
  }

  /** The docker CLI's variables for this machine's engine (`cluster env`). */
  dockerEnv(name: string): Record<string, string> {
    const state = readMachineState(this.stateDir, name);
    if (!state?.provisioned) throw new Error(`machine ${name} is not a provisioned ssh machine of this folder`);
    return { DOCKER_HOST: this.urlOf(state.target), DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: this.clientFiles().dir, DOCKER_MACHINE_NAME: name };
  }

  engine(record: MachineRecord): Engine {
    return this.engineOf(record.name);
  }

  /**
   * This computer's engine (DOCKER_HOST, or the default socket): an image a host cannot pull is
   * copied from there (save, then load over TLS), and built there (compose `build:`), as with the
   * docker driver's host engine.
   */
  hostEngine(): Engine {
    return (this.local ??= connect(process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'));
  }

  async close(): Promise<void> {}

  private async provision(ssh: SshConnection, name: string, target: SshTarget, labels: Record<string, string>, options: EngineOptions, how: { renew: boolean; restartOnConfig: boolean }): Promise<void> {
    const client = this.clientFiles();
    const server = ensureServerCert(this.stateDir, this.ctx.cluster, machineDir(this.stateDir, name), target.host, how.renew);
    const files = { ca: readFileSync(client.ca, 'utf8'), cert: readFileSync(server.cert, 'utf8'), key: readFileSync(server.key, 'utf8'), daemonJson: daemonJson(labels, options) };
    const script = provisionScript(files, how.restartOnConfig);
    const r = await ssh.runAsRoot(script);
    if (r.code === EXIT.noPackages) {
      throw new EngineError('refused', `machine ${name} (${describeTarget(target)}): apt-get could not install docker.io: ${lastLine(r.stderr)}`, { transient: false });
    }
    if (r.code !== 0) throw new Error(`machine ${name} (${describeTarget(target)}): provisioning failed (exit ${r.code}): ${lastLine(r.stderr)}`);
    await this.waitReady(name, ssh);
  }

  private async waitReady(name: string, ssh: SshConnection): Promise<void> {
    this.engines.delete(name);
    const engine = this.engineOf(name);
    for (const deadline = Date.now() + READY_TIMEOUT_MS; Date.now() < deadline; await sleep(250)) {
      if (await engine.ping()) return;
    }
    const log = await ssh.runAsRoot(LOG_TAIL).catch(() => undefined);
    throw new Error(`machine ${name}: its engine does not answer over TLS on port ${TLS_PORT} after ${READY_TIMEOUT_MS / 1000} s${log?.stdout.trim() ? `; its log ends: ${log.stdout.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
  }

  /**
   * Runs a step that may restart the engine; after it, the containers that ran before (not swarm
   * tasks: the swarm restarts those) are started again and a swarm member is waited for until it is
   * back in its swarm, as the docker driver does after a restart (../docker/engine-restart.ts).
   */
  private async restarting<T>(name: string, step: () => Promise<T>): Promise<T> {
    const before = await this.engineOf(name).facts().catch(() => undefined);
    const result = await step();
    if (before) {
      const ran = before.containers.filter((c) => c.state === 'running' && !c.labels['com.docker.swarm.task.id']).map((c) => c.id);
      await bringBack(this.engineOf(name), ran, before.swarm.state === 'active' ? before.swarm.role : undefined);
    }
    return result;
  }

  private async logTail(name: string): Promise<string> {
    const log = await this.onHost(name, (ssh) => ssh.runAsRoot(LOG_TAIL)).catch(() => undefined);
    const lines = log?.stdout.trim().split('\n').filter(Boolean).slice(-3) ?? [];
    return lines.length ? `dockerd says: ${lines.join(' | ')}` : 'nothing in its log';
  }

  private async onHost<T>(name: string, fn: (ssh: SshConnection) => Promise<T>): Promise<T> {
    const state = readMachineState(this.stateDir, name);
    if (!state) throw new Error(`machine ${name} is not an ssh machine of this folder`);
    const ssh = await SshConnection.open(state.target, readPinnedKey(this.stateDir, name));
    try {
      return await fn(ssh);
    } finally {
      ssh.close();
    }
  }

  private async probe(name: string): Promise<MachineRecord> {
    const state = readMachineState(this.stateDir, name)!;
    const up = await this.engineOf(name).ping();
    const engine = state.engine ?? { written: {}, applied: {} };
    const pending = engineChanges(engine.applied, engine.written).length > 0;
    return { name, driver: 'ssh', state: up ? 'running' : 'stopped', address: state.target.host, engineUrl: this.urlOf(state.target), spec: { engine: engine.applied, ...(pending ? { enginePending: true as const } : {}) } };
  }

  private engineOf(name: string): Engine {
    let e = this.engines.get(name);
    if (!e) {
      const state = readMachineState(this.stateDir, name);
      if (!state) throw new Error(`machine ${name} is not an ssh machine of this folder`);
      const files = this.clientFiles();
      this.engines.set(name, (e = connect(this.urlOf(state.target), { ca: files.ca, cert: files.cert, key: files.key })));
    }
    return e;
  }

  private clientFiles(): ClientFiles {
    return ensureClientCerts(this.stateDir, this.ctx.cluster);
  }

  private urlOf(target: SshTarget): string {
    return `tcp://${target.host.includes(':') ? `[${target.host}]` : target.host}:${TLS_PORT}`;
  }
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
