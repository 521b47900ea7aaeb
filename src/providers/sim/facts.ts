// What a simulated engine reports about itself: the same EngineFacts a real one gives, labelled as
// simulation in every field a person reads (operating system, kernel, drivers, version).
import { LABEL, type ContainerState, type EngineFacts, type ObservedContainer, type ObservedSwarmService } from '../../model/observed.js';
import { imageId, type SimContainer, type SimMachine, type SimState } from './state.js';
import { networkFacts } from './networks.js';
import { serviceFacts } from './services.js';
import { swarmFacts } from './swarm.js';

export const SIM_ENGINE_VERSION = 'sim-1.0';

export function engineFacts(state: SimState, machine: SimMachine, url: string): EngineFacts {
  return {
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
    containers: containerFacts(state, machine),
    images: [...machine.images].sort().map((ref) => ({ id: imageId(ref), tags: [ref] })),
    ...(machine.networks.length || state.membership.get(machine.name)?.swarm.networks.length ? { networks: networkFacts(state, machine) } : {}),
    ...optionalServices(serviceFacts(state, machine)),
    swarm: swarmFacts(state, machine),
  };
}

/** The hot loop of observing a million containers: one small object each, nothing else built. */
function containerFacts(state: SimState, machine: SimMachine): ObservedContainer[] {
  const out = new Array<ObservedContainer>(machine.containers.length);
  for (let i = 0; i < out.length; i++) out[i] = new SimObservedContainer(state, machine.containers[i]!);
  return out;
}

/**
 * A simulated container as observed. Its labels and its id are built on first read: a no-op plan
 * of a million replicas reads neither, and building them was a third of its time. Ports and
 * reservations are the template's own frozen objects, shared by every replica (a consumer that
 * mutates them fails loudly instead of corrupting the state). JSON sees a plain container.
 */
class SimObservedContainer implements ObservedContainer {
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly ports: ObservedContainer['ports'];
  readonly reservations: ObservedContainer['reservations'];
  readonly owner?: ObservedContainer['owner'];
  readonly #sim: SimState;
  readonly #container: SimContainer;
  #labels?: Record<string, string>;
  #id?: string;

  constructor(sim: SimState, container: SimContainer) {
    this.#sim = sim;
    this.#container = container;
    const t = sim.templates[container.template]!;
    this.name = container.name;
    this.image = t.image;
    this.state = container.state;
    this.ports = t.ports as ObservedContainer['ports'];
    this.reservations = t.reservations;
    const o = t.owner;
    if (o && container.replica) {
      this.owner = o.id === undefined ? { cluster: sim.cluster, service: o.service, replica: container.replica, configHash: o.configHash } : { cluster: sim.cluster, service: o.service, replica: container.replica, configHash: o.configHash, id: o.id };
    }
  }

  get id(): string {
    return (this.#id ??= this.#sim.containerId(this.#container.serial));
  }

  get labels(): Record<string, string> {
    if (!this.#labels) {
      const { replica, template } = this.#container;
      this.#labels = { ...this.#sim.templates[template]!.labels, ...(replica ? { [LABEL.replica]: String(replica) } : {}) };
    }
    return this.#labels;
  }

  toJSON(): ObservedContainer {
    const { id, name, image, state, labels, ports, reservations, owner } = this;
    return { id, name, image, state, labels, ports, reservations, ...(owner ? { owner } : {}) };
  }
}

function optionalServices(list: ObservedSwarmService[] | undefined): { swarmServices?: ObservedSwarmService[] } {
  return list?.length ? { swarmServices: list } : {};
}
