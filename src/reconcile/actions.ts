// Runs one plan action against drivers and engines. Every action is idempotent, so a re-run after a
// crash or a retry after a transient failure converges instead of duplicating.
import { isIP } from 'node:net';
import { errorMessage, isEngineError } from '../engine/errors.js';
import type { ContainerCreateRequest, Engine, SwarmServiceRequest } from '../engine/types.js';
import { canonicalJson } from '../manifest/hash.js';
import { contentOf } from '../manifest/mount-content.js';
import { readUserFile } from '../manifest/user-file.js';
import type { Desired, DesiredMachine, DesiredService, DriverName, FileMount, Role } from '../model/desired.js';
import { LABEL, type Observed, type ObservedSwarmService } from '../model/observed.js';
import { ownsContainer, ownsLabels, shortId } from '../model/ownership.js';
import type { Drivers } from '../providers/index.js';
import type { Driver, MachineRecord } from '../providers/types.js';
import { maskedView } from '../plan/sensitive.js';
import { normalizeImage } from '../plan/naming.js';
import { maskText } from '../model/secrets.js';
import { unreachable } from '../plan/summary.js';
import type { Action } from '../plan/types.js';
import { untilConditionHolds, untilTasksRun, type Replica } from './conditions.js';
import { replaceMachine, setAvailability } from './machine-day2.js';
import { STALLED, swarmDefinition, swarmDefinitionDigests, swarmDefinitionHash } from '../plan/swarm-services.js';

export class ActionRunner {
  private readonly machines: Map<string, DesiredMachine>;
  private readonly services: Map<string, DesiredService>;
  private images?: Map<string, string>;
  private tokens?: Promise<{ worker: string; manager: string; leader: string }>;
  /** Containers this apply started, by name (depends_on conditions wait on them). */
  private readonly started = new Map<string, { machine: string; id: string; service: string }>();

  constructor(
    private readonly desired: Desired,
    private readonly observed: Observed,
    private readonly drivers: Drivers,
    /** Machine name → record; create/start update it so later actions reach the new engine. */
    private readonly records: Map<string, MachineRecord>,
  ) {
    this.machines = new Map(desired.machines.map((m) => [m.name, m]));
    this.services = new Map(desired.services.map((s) => [s.name, s]));
  }

  /** Whose objects are ours: this cluster's name and the checkout's identity (another checkout's objects are never touched). */
  private get viewer(): { cluster: string; identity?: string } {
    return { cluster: this.desired.name, identity: this.observed.identity };
  }

  private idLabel(): Record<string, string> {
    return this.observed.identity === undefined ? {} : { [LABEL.id]: this.observed.identity };
  }

  run = async (a: Action): Promise<void> => {
    switch (a.kind) {
      case 'machine.create': {
        const m = this.machines.get(a.machine)!;
        this.records.set(a.machine, await this.driver(a.machine).create(m, this.observed.identity));
        return;
      }
      case 'machine.start':
        await this.driver(a.machine).start(a.machine);
        await this.refresh(a.machine);
        return;
      case 'machine.remove':
        await this.driver(a.machine).remove(a.machine);
        this.records.delete(a.machine);
        return;
      case 'machine.resize': {
        // The manifest's size, not the patch's: a plan applied later still gives what the manifest says.
        const m = this.machines.get(a.machine)!;
        const driver = this.driver(a.machine);
        if (!driver.resize) throw new Error(`machine ${a.machine}: the ${driver.name} driver cannot resize a machine`);
        await driver.resize(a.machine, { ...(m.cpus !== undefined ? { cpus: m.cpus } : {}), ...(m.memory !== undefined ? { memory: m.memory } : {}) });
        return;
      }
      case 'engine.labels':
        if (a.readOnly) return; // the plan said so: out of reach for this driver
        await this.driver(a.machine).setEngineLabels(a.machine, this.machines.get(a.machine)?.labels ?? a.labels);
        await this.mirrorNodeLabels(a.machine);
        return;
      case 'swarm.init': {
        const engine = this.engine(a.machine);
        const facts = await engine.facts();
        if (facts.swarm.state !== 'active') await engine.swarmInit(this.address(a.machine));
        await this.mirrorNodeLabels(a.machine);
        return;
      }
      case 'swarm.join':
        return this.join(a.machine, a.role);
      case 'swarm.promote':
      case 'swarm.demote': {
        const nodeId = await this.nodeId(a.machine);
        const leader = await this.leader(a.machine);
        const role: Role = a.kind === 'swarm.promote' ? 'manager' : 'worker';
        await leader.swarmNodeUpdate(nodeId, { role });
        // Swarm changes a role in the background: the node gets a new certificate, then starts or
        // stops its manager, and the managers add it to or drop it from their raft. Until both
        // sides agree, a plan would misread the role and stopping the node can cost the quorum.
        await this.untilRoleSettled(a.machine, leader, nodeId, role);
        return;
      }
      case 'swarm.leave':
        return this.leave(a.machine);
      case 'swarm.forget':
        return this.forget(a.machine, a.nodeId);
      case 'image.ensure': {
        const driver = this.driver(a.machine);
        await this.engine(a.machine).ensureImage(this.realImage(a.image), driver.hostEngine?.());
        return;
      }
      case 'image.build':
        return this.build(a.service);
      case 'network.create':
        return this.engine(a.machine).createNetwork({ name: a.network, driver: a.driver, labels: { ...a.labels, ...this.idLabel() } });
      case 'network.remove':
        return this.engine(a.machine).removeNetwork(a.network);
      case 'service.create':
      case 'service.update': {
        const engine = this.engine(a.machine);
        const req = await this.withFiles(this.swarmServiceRequest(a.service, a.name), a.name);
        const stalled = a.kind === 'service.update' && STALLED.has(this.observedService(a.serviceId)?.rollout?.state ?? '');
        const id = a.kind === 'service.create' ? await engine.createService(req) : (await engine.updateService(a.serviceId, req, { force: stalled }), a.serviceId);
        return req.swarm.mode === 'replicated' && req.replicas === 0 ? undefined : untilTasksRun(engine, a.name, id);
      }
      case 'service.remove':
        return this.engine(a.machine).removeService(a.serviceId);
      case 'container.create':
        return this.createAndStart(a.machine, a.service, a.replica, a.name);
      case 'container.start':
        await this.engine(a.machine).startContainer(a.containerId);
        return;
      case 'container.remove':
        await this.engine(a.machine).removeContainer(a.containerId);
        return;
      case 'container.replace':
        if (a.from.machine === a.machine) {
          // Same engine: the name and the ports are taken until the old one is gone.
          await this.engine(a.machine).removeContainer(a.from.containerId);
          await this.createAndStart(a.machine, a.service, a.replica, a.name);
        } else {
          // Another machine: bring the new one up first, then retire the old (create before destroy).
          await this.createAndStart(a.machine, a.service, a.replica, a.name);
          if (this.records.has(a.from.machine)) await this.engine(a.from.machine).removeContainer(a.from.containerId);
        }
        return;
      case 'machine.availability':
        // Any manager, itself too: only managers change node specs.
        return setAvailability(await this.leader(''), await this.nodeId(a.machine), a.availability);
      case 'machine.replace':
        return replaceMachine(this.machines.get(a.machine)!, this.driver(a.machine), this.records, () => this.leave(a.machine), this.observed.identity);
      default:
        return unreachable(a);
    }
  };

  private async createAndStart(machine: string, serviceName: string, replica: number, name: string): Promise<void> {
    const service = this.services.get(serviceName);
    if (!service) throw new Error(`service ${serviceName} is not in the manifest any more`);
    for (const [dependency, condition] of Object.entries(service.conditions ?? {})) {
      await untilConditionHolds(serviceName, dependency, condition, this.replicasOf(dependency));
    }
    const engine = this.engine(machine);
    const labels = replicaLabels(this.desired, service, replica, this.observed.identity);
    const spec = engineSpec(this.desired, service);
    const create = () => this.createContainer(machine, { name, spec, labels });
    let id: string;
    try {
      id = await create();
    } catch (err) {
      if (!isEngineError(err, 'conflict')) throw err;
      // A run that crashed after create left our container behind: replace it. Someone else's: stop.
      const facts = await engine.facts();
      const clash = facts.containers.find((c) => c.name === name);
      if (!clash || !ownsLabels(this.viewer, clash.labels)) {
        const other = clash?.labels[LABEL.cluster] === this.desired.name ? clash.labels[LABEL.id] : undefined;
        if (other !== undefined) {
          throw new Error(`container name ${name} is taken on ${machine} by another checkout of cluster "${this.desired.name}" (id ${shortId(other)}): two folders with one cluster name cannot run the same service on one engine; rename one cluster, or take that checkout's objects over with --adopt`);
        }
        throw new Error(`container name ${name} is taken on ${machine} by a container this cluster does not own: ${errorMessage(err)}`);
      }
      await engine.removeContainer(clash.id);
      id = await create();
    }
    for (const f of service.spec.files ?? []) await engine.putFile(id, f.target, await mountBytes(f, name), f.mode);
    await engine.startContainer(id);
    this.started.set(name, { machine, id, service: serviceName });
  }

  /** An image removed since image.ensure ran (dockerd: 404 "No such image") is fetched again, then the create is tried once more. */
  private async createContainer(machine: string, req: ContainerCreateRequest): Promise<string> {
    const engine = this.engine(machine);
    try {
      return await engine.createContainer(req);
    } catch (err) {
      if (!isEngineError(err, 'notFound') || !/no such image/i.test(err.message)) throw err;
      await engine.ensureImage(req.spec.image, this.driver(machine).hostEngine?.());
      return engine.createContainer(req);
    }
  }

  /** On the docker driver's host engine, where image.ensure copies from; simulated clusters only pretend. */
  private async build(serviceName: string): Promise<void> {
    const spec = this.services.get(serviceName)?.spec;
    const build = spec?.build;
    if (!build) throw new Error(`service ${serviceName} has no build in the manifest any more`);
    const image = normalizeImage(spec.image);
    const host = [...this.drivers.values()].map((d) => d.hostEngine?.()).find((e) => e?.buildImage);
    if (host) return host.buildImage!(image, build);
    if (this.desired.machines.every((m) => m.driver === 'sim')) return;
    throw new Error(`cannot build ${image}: building needs a machine on the docker driver (its host engine builds, then copies the image)`);
  }

  /** A plan names images masked (a tag may come from a secret variable): the engine needs the real reference. */
  private realImage(shown: string): string {
    this.images ??= new Map(this.desired.services.map((s) => [maskText(normalizeImage(s.spec.image)), normalizeImage(s.spec.image)]));
    return this.images.get(shown) ?? shown;
  }

  /** The service's secrets and configs with their content, read now (files, variables, inline). */
  private async withFiles(req: SwarmServiceRequest, name: string): Promise<SwarmServiceRequest> {
    const files = req.spec.files ?? [];
    if (!files.length) return req;
    return { ...req, files: await Promise.all(files.map(async (f) => ({ kind: f.kind, name: f.name, target: f.target, sha256: f.sha256, ...(f.mode !== undefined ? { mode: f.mode } : {}), content: await mountBytes(f, name) }))) };
  }

  private swarmServiceRequest(serviceName: string, name: string): SwarmServiceRequest {
    const service = this.services.get(serviceName);
    if (!service?.swarm) throw new Error(`service ${serviceName} is not a swarm-mode service in the manifest any more`);
    const digests = swarmDefinitionDigests(service, this.desired);
    const labels = {
      [LABEL.cluster]: this.desired.name,
      [LABEL.service]: service.name,
      [LABEL.configHash]: swarmDefinitionHash(service),
      [LABEL.spec]: canonicalJson(swarmDefinition(service, this.desired)),
      ...(Object.keys(digests).length ? { [LABEL.sensitive]: canonicalJson(digests) } : {}),
      // Its secrets and configs take these labels too.
      ...this.idLabel(),
    };
    return { name, spec: engineSpec(this.desired, service), swarm: service.swarm, replicas: service.scale, labels };
  }

  /** The containers of `service` after this apply: started by it, else as observed. */
  private replicasOf(service: string): Replica[] {
    const byName = new Map<string, { machine: string; id: string }>();
    for (const m of this.observed.machines) {
      for (const c of m.engine?.containers ?? []) if (c.owner?.service === service && ownsContainer(this.viewer, c)) byName.set(c.name, { machine: m.name, id: c.id });
    }
    for (const [name, c] of this.started) if (c.service === service) byName.set(name, c);
    return [...byName].filter(([, c]) => this.records.has(c.machine)).map(([name, c]) => ({ engine: this.engine(c.machine), id: c.id, name }));
  }

  /**
   * Joins `machine` to the swarm the manifest's managers lead, as `role`. "Already part of a swarm"
   * (the engine's refusal, or its facts) is compared, never taken for success: a manager's cluster id
   * must be the leader's, and the leader must list the node (a worker knows no cluster id). A member
   * with another role (a manager that `swarm init --force-new-cluster` elsewhere made a worker) gets
   * the manifest's role.
   */
  private async join(machine: string, role: Role): Promise<void> {
    const engine = this.engine(machine);
    const { worker, manager, leader } = await this.joinTokens(machine);
    const leaderEngine = this.engine(leader);
    let facts = await engine.facts();
    // A node that just started is 'pending' while it reaches its managers: what it becomes decides.
    for (const until = Date.now() + 60_000; facts.swarm.state === 'pending' && Date.now() < until; facts = await engine.facts()) await new Promise((r) => setTimeout(r, 500));
    // A node bound to an address the machine no longer has (a restart gave it another one) is reached
    // by nobody there; promoting it would add an unreachable raft member and cost the quorum (seen on
    // real engines after a forced new cluster). Compared only for IP addresses: an adopted host's
    // address may be a name its node does not advertise.
    const movedFrom = facts.swarm.state === 'active' && facts.swarm.nodeAddr && isIP(this.address(machine)) && facts.swarm.nodeAddr !== this.address(machine) ? facts.swarm.nodeAddr : undefined;
    if (facts.swarm.state === 'error' || facts.swarm.state === 'pending' || movedFrom) {
      // Its swarm node cannot start (e.g. "can't initialize raft node": its address changed, or a forced
      // new cluster dropped it), or cannot be reached: it leaves, then joins afresh; the entry it leaves
      // behind is forgotten by the next plan (swarm.forget).
      await engine.swarmLeave(true);
      facts = await engine.facts();
    }
    if (facts.swarm.state === 'inactive') {
      const req = { remoteAddrs: [`${this.address(leader)}:2377`], token: role === 'manager' ? manager : worker, advertiseAddr: this.address(machine) };
      // An earlier attempt whose answer was lost may have joined already: compared below like any member.
      await engine.swarmJoin(req).catch((err: unknown) => {
        if (!/already part of a swarm/i.test(errorMessage(err))) throw err;
      });
    }
    const own = (await engine.facts()).swarm;
    const leaderCluster = (await leaderEngine.facts()).swarm.clusterId;
    const members = await leaderEngine.swarmNodes();
    const node = members.find((n) => n.id === own.nodeId);
    const otherCluster = own.clusterId && leaderCluster && own.clusterId !== leaderCluster;
    if (otherCluster || !own.nodeId || !node) {
      throw new Error(
        `${machine} is part of another swarm (${otherCluster ? `cluster ${own.clusterId}, not ${leaderCluster} that ${leader} leads` : `its node ${own.nodeId ?? '(none)'} is not a member of the swarm ${leader} leads; it is ${own.state}`}): ` +
          `run \`cluster ssh ${machine} -- docker swarm leave --force\` and apply again, or remove the machine`,
      );
    }
    // A member can be a manager on paper and not in the raft: a forced new cluster drops the other
    // managers from the raft but not their role, and swarm's role manager acts only on a node update
    // (seen on real engines: the node stays a worker until one comes). So the role is written whenever
    // the node is not what it should be, even if the spec says so already.
    if (node.role !== role || own.role !== role || Boolean(node.raftMember) !== (role === 'manager')) {
      await leaderEngine.swarmNodeUpdate(node.id, { role });
      await this.untilRoleSettled(machine, leaderEngine, node.id, role);
    }
    await this.mirrorNodeLabels(machine);
  }

  /**
   * Removes a node entry `machine` left behind (src/plan/swarm-health.ts staleNodes), checked again
   * now: it must still carry the machine's hostname and must not be the node of any machine the plan
   * knows. A manager's entry is demoted first (swarm removes no raft member); the raft drops an
   * unreachable member in the background, so removal is retried until it has.
   * kill -9 between demotion and removal: the entry stays, down, and the next plan forgets it again;
   * Ctrl-C: it finishes within the grace period like any running action; two runs: the apply lock.
   */
  private async forget(machine: string, nodeId: string): Promise<void> {
    const leader = await this.leader('');
    const node = (await leader.swarmNodes()).find((n) => n.id === nodeId);
    if (!node) return; // gone already (a re-run after a crash)
    const now = this.records.has(machine) ? await this.engine(machine).facts().catch(() => undefined) : undefined;
    const hostname = now?.hostname ?? this.observed.machines.find((m) => m.name === machine)?.engine?.hostname ?? machine;
    const live = new Set([now?.swarm.nodeId, ...this.observed.machines.map((m) => m.engine?.swarm.nodeId)].filter(Boolean));
    if (node.hostname !== hostname || live.has(nodeId)) {
      throw new Error(`node ${nodeId} is not an entry ${machine} left behind (hostname ${node.hostname}${live.has(nodeId) ? ', and it is a machine’s live node' : ''}): left alone`);
    }
    // Only a raft member needs the demotion; an entry whose role says manager but that the raft dropped
    // already (after --force-new-cluster) is refused one ("can't find manager in raft memberlist").
    if (node.raftMember) await leader.swarmNodeUpdate(nodeId, { role: 'worker' });
    for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 500))) {
      try {
        await leader.swarmNodeRemove(nodeId, true);
        return;
      } catch (err) {
        if (isEngineError(err, 'notFound')) return;
        if (!/raft|demoted|manager/i.test(errorMessage(err)) || Date.now() > deadline) throw err;
      }
    }
  }

  private async untilRoleSettled(machine: string, leader: Engine, nodeId: string, role: Role): Promise<void> {
    const settled = async () => {
      const node = (await leader.swarmNodes()).find((n) => n.id === nodeId);
      if (!node || Boolean(node.raftMember) !== (role === 'manager')) return false;
      const own = (await this.engine(machine).facts()).swarm;
      if (own.state !== 'active' || own.role !== role) return false;
      // The node's certificate changes last; a restart before that brings back the old role.
      const certified = await this.driver(machine).swarmCertificateRole?.(machine);
      return certified === undefined || certified === role;
    };
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      if (await settled().catch(() => false)) return;
    }
    throw new Error(`${machine} was made a ${role} but had not become one after 60 s (its certificate or the managers' raft lag)`);
  }

  private async leave(machine: string): Promise<void> {
    const engine = this.records.has(machine) ? this.engine(machine) : undefined;
    const facts = engine ? await engine.facts() : undefined;
    const nodeId = facts?.swarm.nodeId ?? this.observedNodeId(machine);
    const leader = await this.leader(machine).catch(() => undefined);
    // Swarm refuses to remove a manager's node: demote it first, while another manager leads.
    if (leader && nodeId && facts?.swarm.role === 'manager') await leader.swarmNodeUpdate(nodeId, { role: 'worker' });
    if (engine && facts?.swarm.state === 'active') await engine.swarmLeave(true);
    // A node that left still shows as "down" on the managers until it is removed from the list.
    if (leader && nodeId) {
      await leader.swarmNodeRemove(nodeId, true).catch((err) => {
        if (!isEngineError(err, 'notFound')) throw err;
      });
    }
  }

  /** Join tokens from the first desired manager that is an active swarm manager, asked once per apply. */
  private joinTokens(except: string): Promise<{ worker: string; manager: string; leader: string }> {
    this.tokens ??= (async () => {
      const leader = await this.leaderName(except);
      const t = await this.engine(leader).swarmJoinTokens();
      return { ...t, leader };
    })();
    this.tokens.catch(() => (this.tokens = undefined));
    return this.tokens;
  }

  private async leaderName(except: string): Promise<string> {
    for (const m of this.desired.machines) {
      if (m.role !== 'manager' || m.name === except || !this.records.has(m.name)) continue;
      const facts = await this.engine(m.name).facts().catch(() => undefined);
      if (facts?.swarm.state === 'active' && facts.swarm.role === 'manager') return m.name;
    }
    throw new Error('no reachable swarm manager among the manifest’s managers');
  }

  private async leader(except: string): Promise<Engine> {
    return this.engine(await this.leaderName(except));
  }

  private async nodeId(machine: string): Promise<string> {
    const id = (await this.engine(machine).facts()).swarm.nodeId ?? this.observedNodeId(machine);
    if (!id) throw new Error(`${machine} is not in the swarm`);
    return id;
  }

  private observedNodeId(machine: string): string | undefined {
    return this.observed.machines.find((m) => m.name === machine)?.engine?.swarm.nodeId;
  }

  /** Engine labels are mirrored as swarm node labels, so swarm-mode constraints can use them. */
  private async mirrorNodeLabels(machine: string): Promise<void> {
    const m = this.machines.get(machine);
    if (!m?.role) return;
    const facts = await this.engine(machine).facts();
    if (facts.swarm.state !== 'active' || !facts.swarm.nodeId) return;
    // Ask the machine itself only if the manifest makes it a manager: a node's own claim to be one
    // lags behind a demotion (and outlives it across a restart).
    const leader = m.role === 'manager' && facts.swarm.role === 'manager' ? this.engine(machine) : await this.leader(machine);
    await leader.swarmNodeUpdate(facts.swarm.nodeId, { labels: m.labels });
  }

  private observedService(id: string): ObservedSwarmService | undefined {
    for (const m of this.observed.machines) for (const s of m.engine?.swarmServices ?? []) if (s.id === id) return s;
    return undefined;
  }

  private driverName(machine: string): DriverName {
    const name =
      this.machines.get(machine)?.driver ??
      this.records.get(machine)?.driver ??
      this.observed.machines.find((m) => m.name === machine)?.driver ??
      this.observed.leftovers?.find((l) => l.name === machine)?.driver;
    if (!name) throw new Error(`unknown machine ${machine}`);
    return name;
  }

  private driver(machine: string): Driver {
    const name = this.driverName(machine);
    const d = this.drivers.get(name);
    if (!d) throw new Error(`driver ${name} is not open`);
    return d;
  }

  private engine(machine: string): Engine {
    const record = this.records.get(machine);
    if (!record) throw new Error(`machine ${machine} does not exist`);
    return this.driver(machine).engine(record);
  }

  private address(machine: string): string {
    const address = this.records.get(machine)?.address;
    if (!address) throw new Error(`machine ${machine} has no address yet`);
    return address;
  }

  private async refresh(machine: string): Promise<void> {
    const record = (await this.driver(machine).list()).find((r) => r.name === machine);
    if (record) this.records.set(machine, record);
  }
}

/**
 * What makes a container this cluster's replica: ownership, config hash (over the real spec, so a
 * rotated secret replaces it), the masked spec it was made from and digests of its masked fields.
 * Labels are read by anyone who can list containers: the user's own are masked too.
 */
export function replicaLabels(desired: Desired, service: DesiredService, replica: number, identity?: string): Record<string, string> {
  const view = maskedView(service.spec, desired.sensitive, `${desired.name}/${service.name}`);
  return {
    ...view.spec.labels,
    [LABEL.cluster]: desired.name,
    [LABEL.service]: service.name,
    [LABEL.replica]: String(replica),
    [LABEL.configHash]: service.configHash,
    [LABEL.spec]: canonicalJson(view.spec),
    ...(Object.keys(view.digests).length ? { [LABEL.sensitive]: canonicalJson(view.digests) } : {}),
    ...(identity === undefined ? {} : { [LABEL.id]: identity }),
  };
}

/** The spec the engine gets: real values (the container needs its password, the pull its tag), labels masked. */
function engineSpec(desired: Desired, service: DesiredService): DesiredService['spec'] {
  const { spec } = maskedView(service.spec, desired.sensitive, `${desired.name}/${service.name}`);
  return spec.labels === service.spec.labels ? service.spec : { ...service.spec, labels: spec.labels };
}

/** What a secret or config puts into the container: its file, its variable's value, or its inline content. */
async function mountBytes(f: FileMount, container: string): Promise<Buffer> {
  if (f.source !== undefined) {
    const file = readUserFile(f.source, { what: `the file of ${f.kind} ${f.name}` });
    if (!file.ok) throw new Error(`${f.kind} ${f.name} for ${container}: ${file.message}`);
    return file.bytes;
  }
  if (f.content !== undefined) return Buffer.from(f.content);
  const value = contentOf(f);
  if (value === undefined) throw new Error(`${f.kind} ${f.name} for ${container}: variable ${f.env} is not set`);
  return Buffer.from(value);
}
