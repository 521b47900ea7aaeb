// The docker driver (the default): every machine is a Docker-in-Docker container on a host engine
// (the `host:` option, DOCKER_HOST, or the local socket). Its engine listens only on a unix socket
// in a per-machine host folder (nothing on the network); /var/lib/docker is a named volume, so a
// stopped machine keeps its images and containers. Engine labels live in daemon.json and change
// live with SIGHUP. Everything found is found by ownership labels; nothing else is touched.
import { mkdirSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { connect, subscribeEvents } from './engine.js';
import { EngineError, errorMessage, toEngineError, tolerate } from '../../engine/errors.js';
import type { EngineOptions } from '../../model/engine-options.js';
import { readAppliedOptions, readDaemonJson, recordAppliedOptions, writeDaemonJson } from './daemon-json.js';
import type { Engine } from '../../engine/types.js';
import { readUserFile } from '../../manifest/user-file.js';
import { UserError } from '../../model/diagnostic.js';
import type { DesiredMachine, Role } from '../../model/desired.js';
import { LABEL, type MachineState } from '../../model/observed.js';
import { dockerodeFor, hostEngineUrl } from './connection.js';
import { readContainerFile } from './archive.js';
import { ensureNodeImage, type NodeImage } from './node.js';
import { freshMachineVolume, machinesWithVolumes } from './volume.js';
import { ADDRESS_LABEL, attachedContainers, ensureMachinesNetwork, findMachinesNetwork, freeMachineAddress, machinesNetworkName, removeMachinesNetworkIfUnused } from './machines-network.js';
import { remoteHostOf } from './host-local.js';
import { machineContainerName, machineFolder, machineVolumeName, socketUrl } from './paths.js';
import type { Driver, DriverContext, MachineRecord } from '../types.js';
import type { LockStore } from '../lock-store.js';
import { ContainerLockStore } from './container-lock.js';
import { writeStateFile } from '../state-file.js';
import { bringBack, RELOAD_TIMEOUT_MS, untilReloaded } from './engine-restart.js';
import { trace } from '../../reconcile/trace.js';

const KIND = 'io.cluster.kind';
// The manifest's machine-name rule: no '/', never '.' or '..', so a name can never leave .cluster/machines/.
const MACHINE_NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const READY_TIMEOUT_MS = 90_000;
const SWARM_NODE_CERT = '/var/lib/docker/swarm/certificates/swarm-node.crt';

/** Addresses tried for one machine whose start the network refuses ("Address already in use"). */
const ADDRESS_ATTEMPTS = 3;

export class DockerDriver implements Driver {
  readonly name = 'docker' as const;
  readonly canSetEngineLabels = true;
  private readonly host: Dockerode;
  private readonly hostUrl: string;
  private readonly engines = new Map<string, Engine>();
  private readonly strangers = new Set<string>();
  private readonly images = new Map<string, Promise<NodeImage>>();
  /** Network steps (make or drop the machines network, pick an address and claim it by a create) run one at a time. */
  private networkSteps: Promise<unknown> = Promise.resolve();
  /** Addresses picked for machine containers whose create is still under way (not on the network yet). */
  private readonly claimed = new Set<string>();
  /** Addresses the network's IPAM refused at a machine's start in this process: never picked again. */
  private readonly refused = new Set<string>();
  /** Manager machines of this process whose container is not started yet: other machines start after them. */
  private readonly managersStarting = new Set<Promise<void>>();

  constructor(private readonly ctx: DriverContext) {
    this.hostUrl = hostEngineUrl(ctx.machines.find((m) => m.options.host)?.options.host, recordedHost(ctx.dir));
    const remote = remoteHostOf(this.hostUrl);
    if (remote !== undefined) {
      throw UserError.plain(
        `the docker driver runs its machines on an engine of this computer (each machine's engine socket is a file in ${join(ctx.dir, '.cluster')}, mounted into the machine by that engine), but its host engine ${this.hostUrl} is on ${remote}`,
        'for machines on other computers use driver: ssh (a bare host: cluster installs the engine) or driver: generic (an engine that already runs); or unset DOCKER_HOST / host: to use the engine of this computer',
      );
    }
    this.host = dockerodeFor(this.hostUrl);
  }

  async list(): Promise<MachineRecord[]> {
    const found = await this.host.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${this.ctx.cluster}`, `${KIND}=machine`] } }).catch((err: unknown) => {
      const e = toEngineError(err);
      throw new EngineError(e.kind, `the docker driver's host engine does not answer at ${this.hostUrl} (${e.message}): set DOCKER_HOST or the machines' host: option, or start a private engine with \`bash scripts/docker-env.sh start\``, { cause: e });
    });
    const records = await Promise.all(found.filter((c) => this.made(c)).map((c) => this.record(c.Id)));
    for (const f of (await findMachinesNetwork(this.host, this.ctx)).foreign) this.strangers.add(f);
    return records.filter((r): r is MachineRecord => r !== undefined).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /**
   * Every machine with a volume this folder made; observe keeps those whose container list() did not
   * find. Their removal also drops the machines network once nothing is on it; when no machine and no
   * volume is left, the network itself is the leftover (the plan drops it unless machines are wanted).
   */
  async leftovers(): Promise<{ name: string; what: string; shared?: { reason: string } }[]> {
    const volumes = await machinesWithVolumes(this.host, this.ctx, (n) => MACHINE_NAME.test(n));
    const found = volumes.map((name) => ({ name, what: `its volume ${machineVolumeName(this.ctx.cluster, name)} and folder are` }));
    if (found.length) return found;
    const { network } = await findMachinesNetwork(this.host, this.ctx);
    if (!network || (await attachedContainers(this.host, network)).length) return found;
    return [{ name: networkLeftover(this.ctx), what: `network ${network.name}`, shared: { reason: `no machine of this cluster is left on its network ${network.name}` } }];
  }

  foreign(): string[] {
    return [...this.strangers].sort();
  }

  /**
   * Labels are claims anyone who can `docker run` on the host engine can make. A machine container is
   * this folder's only when its name, its machine label and its folder label are exactly what this
   * folder would have made; anything else is reported (`strangers`) and never started, changed or
   * removed, and no path or URL is ever taken from a label.
   */
  private made(c: Dockerode.ContainerInfo): boolean {
    const name = c.Labels[LABEL.machine] ?? '';
    const ours =
      MACHINE_NAME.test(name) &&
      c.Names.includes(`/${machineContainerName(this.ctx.cluster, name)}`) &&
      c.Labels['io.cluster.folder'] === machineFolder(this.ctx.dir, this.ctx.cluster, name);
    if (!ours) this.strangers.add(`container ${c.Names[0]?.slice(1) ?? c.Id.slice(0, 12)} (${c.Id.slice(0, 12)}) claims to be machine ${JSON.stringify(name)} of cluster ${this.ctx.cluster} but was not made from this folder (its folder label: ${JSON.stringify(c.Labels['io.cluster.folder'] ?? '')})`);
    return ours;
  }

  async create(machine: DesiredMachine, identity?: string): Promise<MachineRecord> {
    // Registered before the first await: every other machine created alongside sees it (afterManagers).
    const started = machine.role === 'manager' ? this.managerStarting() : undefined;
    try {
      return await this.createMachine(machine, identity, started);
    } catch (err) {
      // The machines network may have been made for this create (beside its volume and image steps):
      // when no machine is on it and no other create holds an address in it, it goes too, so a failed
      // apply leaves nothing it does not report. Its removal failing changes nothing: destroy removes it.
      await this.inNetworkStep(() => this.removeNetworkIfUnused()).catch(() => undefined);
      throw err;
    } finally {
      started?.done();
    }
  }

  private async createMachine(machine: DesiredMachine, identity: string | undefined, started: { done(): void } | undefined, attempt = 1): Promise<MachineRecord> {
    // Only this machine's container (one filtered list), not every machine's record.
    const existing = await this.find(machine.name);
    if (existing) {
      if (existing.state !== 'running') await this.start(machine.name);
      return (await this.find(machine.name))!;
    }
    trace(`${machine.name}: listed`);
    const idLabel: Record<string, string> = identity === undefined ? {} : { [LABEL.id]: identity };
    // The node image (a pull attempt where it is missing), the volume and the address are independent
    // host-engine steps: asked side by side. When one fails, the address claimed is released and the
    // volume made is removed (as if they ran in turn); kill -9 leaves a volume, which the next create
    // replaces and destroy removes (volume.ts).
    const [node, volume, claim] = await Promise.allSettled([this.nodeImage(machine), freshMachineVolume(this.host, this.ctx, machine.name, idLabel), this.claimPlacement()]);
    if (node.status === 'rejected' || volume.status === 'rejected' || claim.status === 'rejected') {
      if (claim.status === 'fulfilled') claim.value.release();
      if (volume.status === 'fulfilled') await this.host.getVolume(volume.value).remove().catch(() => undefined);
      throw [node, volume, claim].find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason;
    }
    const [image, { placed, release }] = [node.value, claim.value];
    const folder = machineFolder(this.ctx.dir, this.ctx.cluster, machine.name);
    mkdirSync(folder, { recursive: true });
    recordHost(this.ctx.dir, this.hostUrl);
    writeDaemonJson(folder, { labels: machine.labels, options: machine.engine ?? {} });
    recordAppliedOptions(folder, machine.engine ?? {});
    const privileged = machine.options.privileged === true;
    trace(`${machine.name}: image, volume and address`);
    // The address stays claimed until the start has taken it from the network's IPAM: a created
    // container holds it only in its config.
    try {
      const container = await this.host.createContainer({
        name: machineContainerName(this.ctx.cluster, machine.name),
        Image: image.image,
        // DOCKER_HOST: `cluster ssh m -- docker ps` talks to the machine's own engine.
        Env: ['DOCKER_HOST=unix:///engine/docker.sock', ...(image.cmd ? ['DOCKER_TLS_CERTDIR='] : [])],
        ...(image.cmd ? { Cmd: image.cmd } : {}),
        Hostname: machine.name,
        Labels: { [LABEL.cluster]: this.ctx.cluster, [LABEL.machine]: machine.name, [KIND]: 'machine', 'io.cluster.folder': folder, ...idLabel, ...(placed ? { [ADDRESS_LABEL]: placed.address } : {}) },
        ...(placed ? { NetworkingConfig: { EndpointsConfig: { [placed.network]: { IPAMConfig: { IPv4Address: placed.address } } } } } : {}),
        HostConfig: <Dockerode.HostConfig>{
          ...(placed ? { NetworkMode: placed.network } : {}),
          Binds: [`${folder}:/engine`, `${volume.value}:/var/lib/docker`],
          Tmpfs: { '/run': '' },
          // The declared size is enforced, so the scheduler's arithmetic matches what the machine gets.
          ...(machine.cpus ? { NanoCpus: Math.round(machine.cpus * 1e9) } : {}),
          ...(machine.memory ? { Memory: machine.memory } : {}),
          // --privileged needs every capability; sandboxes without CAP_SYS_RESOURCE refuse it, so the
          // default asks for all but that one (what Docker-in-Docker actually needs).
          ...(privileged
            ? { Privileged: true }
            : // `--security-opt systempaths=unconfined` is CLI sugar for empty masked/read-only path lists.
              { CapAdd: ['ALL'], CapDrop: ['SYS_RESOURCE'], SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'], MaskedPaths: [], ReadonlyPaths: [] }),
        },
      }).catch((err: unknown) => {
        const e = toEngineError(err);
        // The name is taken by a container this folder did not make (list() left it out): never touched.
        if (e.kind === 'conflict') throw new EngineError('conflict', `the host engine already has a container named ${machineContainerName(this.ctx.cluster, machine.name)} that this folder did not make (another checkout with cluster name "${this.ctx.cluster}", or a planted one): rename the cluster, or remove that container yourself`, { cause: e });
        throw e;
      });
      trace(`${machine.name}: container created`);
      try {
        if (started) {
          await container.start();
          started.done();
        } else await this.afterManagers(() => container.start());
      } catch (err) {
        // Docker's IPAM refuses an address it still counts as allocated although no container on the
        // network shows it (seen once in CI, under concurrent network churn on the host engine). Another
        // address is picked, a bounded number of times; anything else is the start's own failure.
        if (!placed || attempt >= ADDRESS_ATTEMPTS || !/Address already in use/.test(errorMessage(err))) throw err;
        trace(`${machine.name}: address ${placed.address} refused by the network, picking another`);
        this.refused.add(placed.address);
        await container.remove({ force: true }).catch(tolerate('notFound'));
        return this.createMachine(machine, identity, started, attempt + 1);
      }
    } finally {
      release();
    }
    trace(`${machine.name}: container started`);
    await this.waitReady(machine.name, folder);
    trace(`${machine.name}: engine answers`);
    const r = (await this.find(machine.name))!;
    trace(`${machine.name}: found`);
    // A new container on a new, empty volume (freshMachineVolume): its engine is in no swarm yet.
    return { ...r, blank: true };
  }

  async start(name: string): Promise<void> {
    const c = await this.container(name);
    if (!c) throw new Error(`machine ${name} does not exist`);
    // A paused machine is running with its processes frozen: starting it means thawing them.
    if ((await c.inspect()).State.Paused) await c.unpause().catch(tolerate('notModified'));
    else await c.start().catch(tolerate('notModified'));
    await this.waitReady(name, machineFolder(this.ctx.dir, this.ctx.cluster, name));
  }

  async stop(name: string): Promise<void> {
    const c = await this.container(name);
    if (c) await c.stop({ t: 20 }).catch(tolerate('notModified', 'notFound'));
  }

  async remove(name: string): Promise<void> {
    if (name === networkLeftover(this.ctx)) return this.inNetworkStep(() => this.removeNetworkIfUnused());
    const c = await this.container(name);
    const folder = machineFolder(this.ctx.dir, this.ctx.cluster, name);
    if (c) await c.remove({ force: true, v: true }).catch(tolerate('notFound'));
    // Before the volume: a run killed here leaves the volume, whose removal next time retries this.
    await this.inNetworkStep(() => this.removeNetworkIfUnused());
    await this.host.getVolume(machineVolumeName(this.ctx.cluster, name)).remove().catch(tolerate('notFound'));
    rmSync(folder, { recursive: true, force: true });
    this.engines.delete(name);
  }

  /**
   * `docker update --cpus --memory` of the machine container: its cgroup changes at once, nothing
   * restarts. Swap stays twice the memory, as at create (no MemorySwap given: dockerd doubles it);
   * giving it also lets memory grow past the old swap limit, which dockerd would refuse otherwise.
   * An absent field is left as it is: dockerd cannot lift a limit in place (the plan says so).
   * One engine call: a run killed around it leaves the old size or the new one, and the next plan
   * compares the container's HostConfig again (resize twice to one size is one change).
   */
  async resize(name: string, size: { cpus?: number; memory?: number }): Promise<void> {
    const c = await this.container(name);
    if (!c) throw new Error(`machine ${name} does not exist`);
    await c.update({
      ...(size.cpus !== undefined ? { NanoCpus: Math.round(size.cpus * 1e9) } : {}),
      ...(size.memory !== undefined ? { Memory: size.memory, MemorySwap: 2 * size.memory } : {}),
    });
  }

  async setEngineLabels(name: string, labels: Record<string, string>): Promise<void> {
    const c = await this.container(name);
    if (!c) throw new Error(`machine ${name} does not exist`);
    const folder = machineFolder(this.ctx.dir, this.ctx.cluster, name);
    writeDaemonJson(folder, { labels, options: readDaemonJson(folder).options });
    // dockerd is PID 1 in the machine and reloads labels from its config file on SIGHUP.
    await c.kill({ signal: 'HUP' });
    const engine = this.engineAt(name, socketUrl(folder));
    const want = JSON.stringify(sorted(labels));
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
      if (JSON.stringify(sorted((await engine.facts()).labels)) === want) return;
    }
    throw new Error(`machine ${name}: engine did not pick up the new labels within 10 s`);
  }

  /**
   * The manifest's `engine:` options into the machine's daemon.json (labels kept), then dockerd takes
   * them: `reload` is a SIGHUP to dockerd (PID 1 of the machine) confirmed by the engine's own
   * `reload` event; `restart` restarts the machine container (dockerd reads most keys only at start),
   * after which the containers that ran start again where no restart policy did it, and a swarm
   * member is waited for until it is active in its swarm again. A file dockerd refuses is put back as
   * it was (the engine keeps or gets back its previous options) and the error names dockerd's words.
   * Killed half-way: engine-applied.json still holds the old options, so the next plan does it again.
   */
  async setEngineOptions(name: string, options: EngineOptions, how: 'reload' | 'restart'): Promise<void> {
    const c = await this.container(name);
    if (!c) throw new Error(`machine ${name} does not exist`);
    const folder = machineFolder(this.ctx.dir, this.ctx.cluster, name);
    const before = readDaemonJson(folder);
    const previous = { labels: before.labels, options: readAppliedOptions(folder).options };
    const engine = this.engineAt(name, socketUrl(folder));
    if (how === 'reload') {
      const since = Date.now() / 1000;
      writeDaemonJson(folder, { labels: before.labels, options });
      await c.kill({ signal: 'HUP' });
      if (!(await untilReloaded(dockerodeFor(socketUrl(folder)), since))) {
        writeDaemonJson(folder, previous);
        throw new Error(`machine ${name}: its engine did not reload the new options within ${RELOAD_TIMEOUT_MS / 1000} s; dockerd says: ${await this.lastLog(c, /reload|config/i)}; daemon.json is back as it was`);
      }
    } else {
      const facts = await engine.facts();
      const wasRunning = facts.containers.filter((x) => x.state === 'running' && !x.labels['com.docker.swarm.task.id']).map((x) => x.id);
      writeDaemonJson(folder, { labels: before.labels, options });
      await c.restart({ t: 30 });
      try {
        await this.waitReady(name, folder);
      } catch (err) {
        writeDaemonJson(folder, previous);
        await c.start().catch(tolerate('notModified'));
        await this.waitReady(name, folder);
        throw new Error(`machine ${name}: its engine did not start with the new options (${errorMessage(err)}); it runs again with its previous options`);
      }
      await bringBack(engine, wasRunning, facts.swarm.state === 'active' ? facts.swarm.role : undefined);
    }
    recordAppliedOptions(folder, options);
  }

  private async lastLog(c: Dockerode.Container, pattern: RegExp): Promise<string> {
    const logs = printable(await c.logs({ stdout: true, stderr: true, tail: 50 }).catch(() => Buffer.from(''))).trim().split('\n');
    return logs.filter((l) => pattern.test(l)).slice(-2).join(' | ') || '(nothing in its log)';
  }

  async swarmCertificateRole(name: string): Promise<Role | undefined> {
    const c = await this.container(name);
    if (!c) return undefined;
    const pem = await readContainerFile(c, SWARM_NODE_CERT);
    if (!pem) return undefined;
    return /OU=swarm-(manager|worker)/.exec(new X509Certificate(pem).subject)?.[1] as Role | undefined;
  }

  engine(record: MachineRecord): Engine {
    return this.engineAt(record.name, record.engineUrl!);
  }

  subscribe(onEvent: (what: string) => void): () => void {
    return subscribeEvents(this.host, [`${LABEL.cluster}=${this.ctx.cluster}`, `${KIND}=machine`], (what) => onEvent(`machine ${what}`));
  }

  lockStore(): LockStore {
    return new ContainerLockStore(this.host, this.ctx.cluster, this.hostUrl);
  }

  hostEngine(): Engine {
    return this.engineAt('', this.hostUrl);
  }

  async close(): Promise<void> {}

  private engineAt(name: string, url: string): Engine {
    const key = `${name}\0${url}`;
    let e = this.engines.get(key);
    if (!e) this.engines.set(key, (e = connect(url)));
    return e;
  }

  private async nodeImage(machine: DesiredMachine): Promise<NodeImage> {
    const wanted = typeof machine.options.image === 'string' ? machine.options.image : undefined;
    // One per image: machines of one apply may ask for different ones (a machine replaced with a new image).
    const key = wanted ?? '';
    let image = this.images.get(key);
    if (!image) {
      this.images.set(key, (image = ensureNodeImage(this.host, wanted, (line) => process.stderr.write(`${line}\n`))));
      image.catch(() => this.images.delete(key));
    }
    return image;
  }

  private async waitReady(name: string, folder: string): Promise<void> {
    const engine = this.engineAt(name, socketUrl(folder));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    // Ping often: the manager's boot is on the path of every swarm step after it, and a ping before the
    // engine listens fails at once (no socket yet: a local connect, no work for the engine). Every 100 ms
    // of interval cost ~50 ms on average (traced). Ask the host whether the machine died once a second.
    for (let i = 0; Date.now() < deadline; i++) {
      if (await engine.ping()) return;
      if (i % 50 === 49) {
        const c = await this.container(name);
        const state = c && (await c.inspect()).State;
        if (state && !state.Running) {
          const logs = await c!.logs({ stdout: true, stderr: true, tail: 15 }).catch(() => Buffer.from(''));
          throw new Error(`machine ${name} stopped while starting (exit ${state.ExitCode}): ${printable(logs).trim().split('\n').slice(-5).join(' | ')}`);
        }
      }
      await sleep(20);
    }
    throw new Error(`machine ${name}: engine not ready after ${READY_TIMEOUT_MS / 1000} s`);
  }

  /**
   * Where a new machine goes: the machines network and its lowest free address. A cluster that still
   * has machines of an earlier version on the default bridge keeps adding machines there (undefined):
   * a machine on another bridge could not reach them, and its swarm join would fail.
   */
  private async placement(): Promise<{ network: string; address: string } | undefined> {
    const name = machinesNetworkName(this.ctx);
    // Asked side by side (a new machine's create waits on this step); the networks are the first look of ensureMachinesNetwork.
    const [machines, networks] = await Promise.all([this.host.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${this.ctx.cluster}`, `${KIND}=machine`] } }), this.host.listNetworks()]);
    if (machines.filter((c) => this.made(c)).some((c) => c.HostConfig?.NetworkMode !== name)) return undefined;
    const network = await ensureMachinesNetwork(this.host, this.ctx, networks);
    return { network: name, address: await freeMachineAddress(this.host, network, [...this.claimed, ...this.refused]) };
  }

  /**
   * The swarm's first step (init on a manager) waits for that manager's engine only, and joins wait for
   * the init: the manager is the critical path. The host engine starts machine containers largely one
   * at a time (~0.3 s each here: network, mounts, cgroups), and the dockerd boots that follow share the
   * cores; so the managers made in this run get the host engine first, and the other machines start
   * right after them (their boots then overlap the init instead of delaying it). Traced with
   * CLUSTER_TRACE=1; docs/BENCHMARKS.md has the figures. A manager's create that fails releases them.
   */
  private managerStarting(): { done(): void } {
    let resolve!: () => void;
    const started = new Promise<void>((r) => (resolve = r));
    this.managersStarting.add(started);
    return {
      done: () => {
        this.managersStarting.delete(started);
        resolve();
      },
    };
  }

  private async afterManagers<T>(start: () => Promise<T>): Promise<T> {
    await Promise.all([...this.managersStarting]);
    return start();
  }

  /** A create that picked its address is not attached yet, and needs the network: it stays. */
  private async removeNetworkIfUnused(): Promise<void> {
    if (this.claimed.size === 0) await removeMachinesNetworkIfUnused(this.host, this.ctx);
  }

  /**
   * Runs `step` after every earlier network step of this process: two creates must not pick the
   * same address, and a removal must not drop the network a create is about to use. (Two processes
   * never run these at once: both hold the cluster's apply lock.)
   */
  private inNetworkStep<T>(step: () => Promise<T>): Promise<T> {
    const run = this.networkSteps.then(step);
    this.networkSteps = run.catch(() => undefined);
    return run;
  }

  /**
   * A network step that picks an address and claims it in memory until `release` (after the start
   * that uses it): the machines of one apply are created side by side, not one network step each.
   */
  private async claimPlacement(): Promise<{ placed?: { network: string; address: string }; release: () => void }> {
    const placed = await this.inNetworkStep(() => this.placement().then((p) => (p && this.claimed.add(p.address), p)));
    return { ...(placed ? { placed } : {}), release: () => placed && this.claimed.delete(placed.address) };
  }

  private async container(name: string): Promise<Dockerode.Container | undefined> {
    const found = await this.host.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${this.ctx.cluster}`, `${LABEL.machine}=${name}`, `${KIND}=machine`] } });
    const mine = found.find((c) => this.made(c));
    return mine ? this.host.getContainer(mine.Id) : undefined;
  }

  private async find(name: string): Promise<MachineRecord | undefined> {
    const c = await this.container(name);
    return c && this.record(c.id);
  }

  private async record(id: string): Promise<MachineRecord | undefined> {
    const info = await this.host.getContainer(id).inspect().catch(tolerate('notFound'));
    if (!info) return undefined;
    const name = info.Config.Labels[LABEL.machine]!;
    const folder = machineFolder(this.ctx.dir, this.ctx.cluster, name);
    const state: MachineState = info.State.Paused ? 'paused' : info.State.Running ? 'running' : info.State.Status === 'dead' ? 'error' : 'stopped';
    // The fixed address it was given on the machines network; machines made before that network
    // existed have only the default bridge's address of the moment.
    const address = info.Config.Labels[ADDRESS_LABEL] || Object.values(info.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
    // The container's limits are the machine's real size (0 = unlimited); the image it runs is its node image.
    const spec = {
      ...(info.HostConfig.NanoCpus ? { cpus: info.HostConfig.NanoCpus / 1e9 } : {}),
      ...(info.HostConfig.Memory ? { memory: info.HostConfig.Memory } : {}),
      image: info.Config.Image,
      ...engineRecord(folder),
    };
    return { name, driver: 'docker', state, ...(address ? { address } : {}), engineUrl: socketUrl(folder), spec };
  }
}

/** The leftovers() entry for a machines network nothing is on: never a machine's name (those have no spaces). */
function networkLeftover(ctx: DriverContext): string {
  return `network ${machinesNetworkName(ctx)}`;
}

// The machines live on the engine they were created on: later runs find it there even when
// DOCKER_HOST is not set (or set to another engine) in that shell.
function hostFile(dir: string): string {
  return join(dir, '.cluster', 'docker-host');
}

function recordedHost(dir: string): string | undefined {
  const file = readUserFile(hostFile(dir), { what: 'the recorded docker host', maxBytes: 64 * 1024 });
  if (!file.ok && !file.missing) throw UserError.plain(file.message, `it names the engine this folder's machines run on: delete it and run with DOCKER_HOST or \`host:\` set`);
  return file.ok ? file.bytes.toString('utf8').trim() || undefined : undefined;
}

function recordHost(dir: string, url: string): void {
  if (recordedHost(dir) !== url) writeStateFile(hostFile(dir), `${url}\n`);
}

function engineRecord(folder: string): { engine: EngineOptions; enginePending?: true } {
  const applied = readAppliedOptions(folder);
  return { engine: applied.options, ...(applied.pending ? { enginePending: true as const } : {}) };
}

function sorted(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function printable(b: Buffer): string {
  // Multiplexed log frames carry 8-byte headers; drop non-printing bytes rather than parse them.
  return b.toString('utf8').replace(/[\x00-\x08\x0e-\x1f]/g, '');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
