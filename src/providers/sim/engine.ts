// A simulated Docker engine: one machine of the sim driver, answering the Engine interface from the
// shared in-memory state (url sim://<cluster>/<machine>). It behaves like dockerd where the core can
// tell the difference — 409 on a name conflict, 404 for a missing image, a port taken at start, swarm
// rules — so plans and applies against it exercise the same paths as against real engines.
//
// Every call first goes through SimWorld.enter: latency and fault injection for the plan action kind
// it serves (SIM_KINDS below), and the stopped-machine check, before anything changes.
import type { Role } from '../../model/desired.js';
import type { EngineFacts } from '../../model/observed.js';
import { hostPortsClash, type HostPort } from '../../model/host-port.js';
import type { SimKind } from './conditions.js';
import { imageRef, type SimContainer, type SimMachine, type SimState } from './state.js';
import { simEngineUrl, type SimWorld } from './world.js';
import { runningMachine, SimEngineError } from './errors.js';
import { engineFacts } from './facts.js';
import * as swarm from './swarm.js';
import * as networks from './networks.js';
import * as services from './services.js';
import type { ContainerCreateRequest, ContainerStatus, Engine, NetworkCreateRequest, SwarmJoinRequest, SwarmNode, SwarmServiceRequest, SwarmServiceTasks } from '../../engine/types.js';

/** Which plan action kind each engine call serves: its latency and failure rate are that kind's. */
export const SIM_KINDS = {
  ping: 'observe',
  facts: 'observe',
  ensureImage: 'image.ensure',
  createContainer: 'container.create',
  startContainer: 'container.start',
  removeContainer: 'container.remove',
  renameContainer: 'container.replace',
  swarmInit: 'swarm.init',
  swarmJoinTokens: 'observe',
  swarmJoin: 'swarm.join',
  swarmLeave: 'swarm.leave',
  swarmNodes: 'observe',
  // swarmNodeUpdate: swarm.promote / swarm.demote for a role change, engine.labels for labels (mirroring),
  // swarm.leave for an availability change alone (draining is the first step of leaving)
  swarmNodeRemove: 'swarm.leave', // drain → leave → node rm: all part of a machine leaving
  containerStatus: 'observe',
  putFile: 'container.create',
  createNetwork: 'network.create',
  removeNetwork: 'network.remove',
  createService: 'service.create',
  updateService: 'service.update',
  removeService: 'service.remove',
  serviceTasks: 'observe',
} as const satisfies Record<string, SimKind>;

/** An image named with the tag `:missing` cannot be pulled, so tests can exercise pull failures. */
const UNPULLABLE_TAG = ':missing';
/** Containers of an image tagged `:unhealthy` report unhealthy, so rolling updates' failure paths can be tried in simulation. */
const UNHEALTHY_TAG = ':unhealthy';

export class SimEngine implements Engine {
  readonly url: string;

  constructor(
    private readonly world: SimWorld,
    readonly machine: string,
  ) {
    this.url = simEngineUrl(world.cluster, machine);
  }

  async ping(): Promise<boolean> {
    try {
      await this.on(SIM_KINDS.ping);
      return true;
    } catch {
      return false;
    }
  }

  async facts(): Promise<EngineFacts> {
    const { state, machine } = await this.on(SIM_KINDS.facts);
    return engineFacts(state, machine, this.url);
  }

  async ensureImage(image: string, source?: Engine): Promise<'present' | 'pulled' | 'copied'> {
    const ref = imageRef(image);
    const { machine } = await this.on(SIM_KINDS.ensureImage);
    if (machine.images.has(ref)) return 'present';
    if (!ref.endsWith(UNPULLABLE_TAG)) {
      machine.images.add(ref);
      this.world.changed();
      return 'pulled';
    }
    // Pulling fails; like the docker driver, fall back to copying from an engine that has it.
    const copyable = source && (await source.facts().catch(() => undefined))?.images.some((i) => i.tags.includes(ref));
    if (!copyable) {
      throw new SimEngineError(`pull access denied for ${image.replace(/:[^:/]*$/, '')}, repository does not exist or may require 'docker login'`, 404);
    }
    // Asking the source took a while: look the machine up again (it may have stopped meanwhile).
    runningMachine(await this.world.file.state(), this.machine).images.add(ref);
    this.world.changed();
    return 'copied';
  }

  async createContainer(req: ContainerCreateRequest): Promise<string> {
    const { state, machine } = await this.on(SIM_KINDS.createContainer);
    const taken = state.findContainer(machine, req.name);
    if (taken) {
      const id = state.containerId(taken.serial);
      throw new SimEngineError(`Conflict. The container name "/${req.name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`, 409);
    }
    if (!machine.images.has(imageRef(req.spec.image))) throw new SimEngineError(`No such image: ${req.spec.image}`, 404);
    const c = state.addContainer(machine, req, 'created');
    this.world.changed();
    return state.containerId(c.serial);
  }

  /** Simulated containers have no processes: healthchecks pass and conditions hold at once (but for an image tagged `:unhealthy`). */
  async containerStatus(id: string): Promise<ContainerStatus> {
    const { machine, state } = await this.on(SIM_KINDS.containerStatus);
    const c = state.findContainer(machine, id);
    if (!c) throw new SimEngineError(`No such container: ${id}`, 404);
    const health = state.templates[c.template]!.image.endsWith(UNHEALTHY_TAG) ? 'unhealthy' : 'healthy';
    return { state: c.state, exitCode: 0, ...(c.state === 'running' ? { health } : {}), simulated: true };
  }

  async createService(req: SwarmServiceRequest): Promise<string> {
    const { state, machine } = await this.on(SIM_KINDS.createService);
    const id = services.createService(state, machine, req);
    this.world.changed();
    return id;
  }

  async updateService(id: string, req: SwarmServiceRequest): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.updateService);
    services.updateService(state, machine, id, req);
    this.world.changed();
  }

  async removeService(id: string): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.removeService);
    services.removeService(state, machine, id);
    this.world.changed();
  }

  async serviceTasks(id: string): Promise<SwarmServiceTasks> {
    const { state, machine } = await this.on(SIM_KINDS.serviceTasks);
    return services.serviceTasks(state, machine, id);
  }

  /** A simulated container has no filesystem: the file is accounted as delivered. */
  async putFile(containerId: string): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.putFile);
    if (!state.findContainer(machine, containerId)) throw new SimEngineError(`No such container: ${containerId}`, 404);
  }

  async createNetwork(req: NetworkCreateRequest): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.createNetwork);
    networks.createNetwork(state, machine, req);
    this.world.changed();
  }

  async removeNetwork(name: string): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.removeNetwork);
    networks.removeNetwork(state, machine, name);
    this.world.changed();
  }

  async startContainer(id: string): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.startContainer);
    const c = state.findContainer(machine, id);
    if (!c) throw new SimEngineError(`No such container: ${id}`, 404);
    if (c.state === 'running') return;
    const clash = portClash(state, machine, c);
    if (clash) {
      const at = clash.hostIp ? (clash.hostIp.includes(':') ? `[${clash.hostIp}]` : clash.hostIp) : '0.0.0.0';
      throw new SimEngineError(`driver failed programming external connectivity on endpoint ${c.name}: Bind for ${at}:${clash.published} failed: port is already allocated`, 500);
    }
    c.state = 'running';
    this.world.changed();
  }

  async removeContainer(id: string): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.removeContainer);
    const c = state.findContainer(machine, id);
    if (!c) return;
    state.removeContainer(machine, c);
    this.world.changed();
  }

  async renameContainer(id: string, name: string): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.renameContainer);
    const c = state.findContainer(machine, id);
    if (!c) throw new SimEngineError(`No such container: ${id}`, 404);
    const taken = state.findContainer(machine, name);
    if (taken && taken !== c) throw new SimEngineError(`Conflict. The container name "/${name}" is already in use by container "${state.containerId(taken.serial)}". You have to remove (or rename) that container to be able to reuse that name.`, 409);
    state.renameContainer(machine, c, name);
    this.world.changed();
  }

  async swarmInit(_advertiseAddr: string, opts: { forceNewCluster?: boolean } = {}): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.swarmInit);
    swarm.swarmInit(state, machine, opts);
    this.world.changed();
  }

  async swarmJoinTokens(): Promise<{ worker: string; manager: string }> {
    const { state, machine } = await this.on(SIM_KINDS.swarmJoinTokens);
    return swarm.joinTokens(state, machine);
  }

  async swarmJoin(req: SwarmJoinRequest): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.swarmJoin);
    swarm.swarmJoin(state, machine, req);
    this.world.changed();
  }

  async swarmLeave(force: boolean): Promise<void> {
    const { state, machine } = await this.on(SIM_KINDS.swarmLeave);
    swarm.swarmLeave(state, machine, force);
    this.world.changed();
  }

  async swarmNodes(): Promise<SwarmNode[]> {
    const { state, machine } = await this.on(SIM_KINDS.swarmNodes);
    return swarm.swarmNodes(state, machine);
  }

  async swarmNodeUpdate(nodeId: string, change: { role?: Role; labels?: Record<string, string>; availability?: string }): Promise<void> {
    // Faults and latency are the action's (promote, demote, or mirroring engine labels), reported
    // on the machine the node is, not on the manager that is asked.
    const kind: SimKind = change.role === 'manager' ? 'swarm.promote' : change.role === 'worker' ? 'swarm.demote' : change.labels ? 'engine.labels' : 'swarm.leave';
    const target = swarm.nodeMachine(await this.world.file.state(), nodeId);
    const { state, machine } = await this.on(kind, target);
    swarm.swarmNodeUpdate(state, machine, nodeId, change);
    this.world.changed();
  }

  async swarmNodeRemove(nodeId: string, force: boolean): Promise<void> {
    const target = swarm.nodeMachine(await this.world.file.state(), nodeId);
    const { state, machine } = await this.on(SIM_KINDS.swarmNodeRemove, target);
    swarm.swarmNodeRemove(state, machine, nodeId, force);
    this.world.changed();
  }

  /** Latency, the stopped-machine check and fault injection, in that order (see SimWorld.enter). */
  private on(kind: SimKind, target = this.machine): Promise<{ state: SimState; machine: SimMachine }> {
    return this.world.enter(kind, target, (state) => ({ state, machine: runningMachine(state, this.machine) }));
  }
}

/** The first published port of `c` that a running container on the same machine holds already (same rule as the scheduler's). */
function portClash(state: SimState, machine: SimMachine, c: SimContainer): HostPort | undefined {
  const wanted = state.templates[c.template]!.ports;
  if (wanted.length === 0) return undefined;
  for (const other of machine.containers) {
    if (other === c || other.state !== 'running') continue;
    for (const p of state.templates[other.template]!.ports) {
      const w = wanted.find((x) => hostPortsClash(x, p));
      if (w) return w;
    }
  }
  return undefined;
}
