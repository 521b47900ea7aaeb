// What a simulated engine reports about itself: the same EngineFacts a real one gives, labelled as
// simulation in every field a person reads (operating system, kernel, drivers, version).
import { COMPOSE_LABEL } from '../../model/compose-labels.js';
import { LABEL, type ContainerState, type EngineFacts, type ObservedContainer } from '../../model/observed.js';
import { imageId, type SimMachine, type SimState } from './state.js';
import { addLazyContainers, type OwnerBase } from '../../model/container-columns.js';
import { networkFacts } from './networks.js';
import { serviceFacts } from './services.js';
import { swarmFacts } from './swarm.js';

export const SIM_ENGINE_VERSION = 'sim-1.0';

export function engineFacts(state: SimState, machine: SimMachine, url: string): EngineFacts {
  const facts = {
    url,
    id: state.engineId(machine),
    hostname: machine.name,
    version: SIM_ENGINE_VERSION,
    labels: { ...machine.labels },
    cpus: machine.cpus,
    memory: machine.memory,
    kernelVersion: 'sim',
    operatingSystem: 'Simulated Linux',
    osType: 'linux',
    storageDriver: 'sim',
    executionDriver: 'sim',
  } as EngineFacts;
  // Lazy while the machine's containers are the state file's columns (container-columns.ts); the keys after it are added after it.
  const c = machine.columns;
  if (c) addLazyContainers(facts, { name: c.name, state: c.state, owner: c.template, owners: ownerBases(state), replica: c.replica }, () => containerFacts(state, machine));
  else facts.containers = containerFacts(state, machine);
  facts.images = [...machine.images].sort().map((ref) => ({ id: imageId(ref), tags: [ref] }));
  if (machine.networks.length || state.membership.get(machine.name)?.swarm.networks.length) facts.networks = networkFacts(state, machine);
  const services = serviceFacts(state, machine);
  if (services?.length) facts.swarmServices = services;
  facts.swarm = swarmFacts(state, machine);
  return facts;
}

const bases = new WeakMap<SimState, { count: number; owners: (OwnerBase | undefined)[] }>();

/** Each template's owner as observed containers carry it, but the replica (SimObservedContainer's); made again when templates were added. */
function ownerBases(state: SimState): (OwnerBase | undefined)[] {
  let b = bases.get(state);
  if (b?.count !== state.templates.length) {
    const owners = state.templates.map(({ owner: o }) => o && (o.id === undefined ? { cluster: state.cluster, service: o.service, configHash: o.configHash } : { cluster: state.cluster, service: o.service, configHash: o.configHash, id: o.id }));
    bases.set(state, (b = { count: owners.length, owners }));
  }
  return b.owners;
}

/** The hot loop of observing a million containers: one small object each, nothing else built (from the stored columns while there are any). */
function containerFacts(state: SimState, machine: SimMachine): ObservedContainer[] {
  const c = machine.columns;
  if (c) {
    const out = new Array<ObservedContainer>(c.serial.length);
    for (let i = 0; i < out.length; i++) out[i] = new SimObservedContainer(state, c.serial[i]!, c.name[i]!, c.state[i]!, c.template[i]!, c.replica[i]!);
    return out;
  }
  const out = new Array<ObservedContainer>(machine.containers.length);
  for (let i = 0; i < out.length; i++) {
    const r = machine.containers[i]!;
    out[i] = new SimObservedContainer(state, r.serial, r.name, r.state, r.template, r.replica);
  }
  return out;
}

/**
 * A simulated container as observed: a snapshot of its row. Its labels and its id are built on
 * first read: a no-op plan of a million replicas reads neither, and building them was a third of
 * its time. Ports and reservations are the template's own frozen objects, shared by every replica
 * (a consumer that mutates them fails loudly instead of corrupting the state). JSON sees a plain container.
 */
class SimObservedContainer implements ObservedContainer {
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly ports: ObservedContainer['ports'];
  readonly reservations: ObservedContainer['reservations'];
  readonly owner?: ObservedContainer['owner'];
  readonly #sim: SimState;
  // What the id and the labels are made of, when asked (a container's serial, template and replica never change).
  readonly #serial: number;
  readonly #template: number;
  readonly #replica: number;
  #labels?: Record<string, string>;
  #id?: string;

  constructor(sim: SimState, serial: number, name: string, state: ContainerState, template: number, replica: number) {
    this.#sim = sim;
    this.#serial = serial;
    this.#template = template;
    this.#replica = replica;
    const t = sim.templates[template]!;
    this.name = name;
    this.image = t.image;
    this.state = state;
    this.ports = t.ports as ObservedContainer['ports'];
    this.reservations = t.reservations;
    const o = t.owner;
    if (o && replica) {
      this.owner = o.id === undefined ? { cluster: sim.cluster, service: o.service, replica, configHash: o.configHash } : { cluster: sim.cluster, service: o.service, replica, configHash: o.configHash, id: o.id };
    }
  }

  get id(): string {
    return (this.#id ??= this.#sim.containerId(this.#serial));
  }

  get labels(): Record<string, string> {
    if (!this.#labels) {
      const replica = this.#replica;
      const labels = this.#sim.templates[this.#template]!.labels;
      // The replica's number lives in the container, not its template (state.ts PER_REPLICA).
      const number = replica ? { [LABEL.replica]: String(replica), ...(COMPOSE_LABEL.project in labels ? { [COMPOSE_LABEL.containerNumber]: String(replica) } : {}) } : {};
      this.#labels = { ...labels, ...number };
    }
    return this.#labels;
  }

  toJSON(): ObservedContainer {
    const { id, name, image, state, labels, ports, reservations, owner } = this;
    return { id, name, image, state, labels, ports, reservations, ...(owner ? { owner } : {}) };
  }
}
