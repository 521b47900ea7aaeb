// Desired machines as the scheduler sees them after the plan: labels as the plan sets them, health
// from the observation, capacity from the engine (or the manifest for machines not created yet),
// and what stays on them (others' containers and the replicas that keep their place).
import type { Desired } from '../model/desired.js';
import type { EngineFacts, Observed, ObservedContainer } from '../model/observed.js';
import { addResident, imageNames, type Node, type Resident, type Tracking } from './node.js';
import { toMilli } from './task.js';

export function buildNodes(desired: Desired, observed: Observed): Node[] {
  const seen = new Map(observed.machines.map((m) => [m.name, m]));
  const machines = [...desired.machines].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return machines.map((m, index) => {
    const o = seen.get(m.name);
    const facts = o?.engine ?? undefined;
    const node: Node = {
      index,
      name: m.name,
      id: facts?.id ?? '',
      // The plan sets engine labels first; generic machines keep the labels their engine has.
      labels: m.driver === 'generic' && facts ? facts.labels : m.labels,
      facts: factsOf(facts),
      role: m.role ?? '',
      // A declared size is the machine's size (the docker driver enforces it; a nested engine
      // reports its host's); the engine's report counts where nothing was declared.
      cpuTotal: m.cpus ? toMilli(m.cpus) : toMilli(facts?.cpus ?? 0),
      memTotal: m.memory ? m.memory : (facts?.memory ?? 0),
      cpuUsed: 0,
      memUsed: 0,
      containers: 0,
      ports: new Map(),
      containerNames: [],
      images: new Set(facts?.images.flatMap((i) => [i.id, ...i.tags.flatMap(imageNames)]) ?? []),
      containerLabels: new Map(),
      services: new Map(),
    };
    if (o && (o.state === 'error' || (o.state === 'running' && !facts))) {
      node.problem = o.problem ? `engine unreachable (${o.problem})` : o.state === 'error' ? 'machine is in error state' : 'engine unreachable';
    } else if (o && !facts) {
      // What runs on it, its ports and its reservations are unknown until it starts: nothing new goes there before.
      node.problem = `machine is ${o.state}: what it holds is seen once it starts`;
    }
    return node;
  });
}

function factsOf(f: EngineFacts | undefined): Record<string, string> {
  if (!f) return {};
  return { storagedriver: f.storageDriver, executiondriver: f.executionDriver, kernelversion: f.kernelVersion, operatingsystem: f.operatingSystem };
}

/**
 * An observed container as node bookkeeping: its reservations, ports, names, image and labels count.
 * Id and labels are read only when some filter can ask about them: a simulated container builds
 * them on demand, and a million of them is what a converged cluster's plan must not pay for.
 */
const namesOfImage = new Map<string, string[]>();
const NO_PORTS: string[] = [];
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

export function residentOfObserved(c: ObservedContainer, track: Tracking): Resident {
  let images = namesOfImage.get(c.image);
  if (!images) namesOfImage.set(c.image, (images = imageNames(c.image)));
  const resident: Resident = {
    name: c.name,
    images,
    labels: track.labelKeys.length ? c.labels : NO_LABELS,
    ports: c.ports.length ? c.ports.map((p) => `${p.published}/${p.protocol}`) : NO_PORTS,
    cpu: toMilli(c.reservations.cpus),
    memory: c.reservations.memory,
  };
  if (track.names) resident.id = c.id;
  if (c.owner) resident.service = c.owner.service;
  return resident;
}

export { addResident };
