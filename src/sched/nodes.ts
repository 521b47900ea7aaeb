// Desired machines as the scheduler sees them after the plan: labels as the plan sets them, health
// from the observation, capacity from the engine (or the manifest for machines not created yet),
// and what stays on them (others' containers and the replicas that keep their place).
import type { Desired, DesiredMachine } from '../model/desired.js';
import { hostPortKey, type HostPort } from '../model/host-port.js';
import type { EngineFacts, Observed, ObservedContainer, ObservedMachine } from '../model/observed.js';
import type { ConstraintNode } from './filters/constraint.js';
import { addResident, imageNames, type Node, type Resident, type Tracking } from './node.js';
import { toMilli } from './task.js';
import { replacedMachines } from '../model/replacement.js';
import { traitsOf } from '../providers/index.js';

export function buildNodes(desired: Desired, observed: Observed): Node[] {
  const ratio = overcommitRatio(desired.scheduler.overcommit ?? 0);
  return eachMachine(desired, observed, (m, index, o, facts, replaced) => {
    const node: Node = {
      index,
      name: m.name,
      id: facts?.id ?? '',
      labels: nodeLabels(m, facts),
      role: m.role ?? '',
      cpuTotal: overcommitted(toMilli(sizeOf(o?.spec && { had: o.spec.cpus }, m.cpus, facts?.cpus)), ratio, 1000),
      memTotal: overcommitted(sizeOf(o?.spec && { had: o.spec.memory }, m.memory, facts?.memory), ratio, 1),
      cpuUsed: 0,
      memUsed: 0,
      containers: 0,
      ports: new Map(),
      containerNames: [],
      images: new Set(facts?.images.flatMap((i) => [i.id, ...i.tags.flatMap(imageNames)]) ?? []),
      containerLabels: new Map(),
      services: new Map(),
    };
    setAvailability(node, m, replaced);
    if (o && (o.state === 'error' || (o.state === 'running' && !facts))) {
      node.problem = o.problem ? `engine unreachable (${o.problem})` : o.state === 'error' ? 'machine is in error state' : 'engine unreachable';
    } else if (o && !facts) {
      // What runs on it, its ports and its reservations are unknown until it starts: nothing new goes there before.
      node.problem = `machine is ${o.state}: what it holds is seen once it starts`;
    }
    return node;
  });
}

/** What the converged path asks of a machine: may a replica stay there (availability, hard constraints)? */
export type StayNode = ConstraintNode & Pick<Node, 'index' | 'availability' | 'replaced'>;

/**
 * The machines as buildNodes gives them, but only what decides whether a replica may stay: no
 * capacity, no bookkeeping (three Maps, a Set and the image names per machine, ten thousand times),
 * which a converged plan never reads. The same fields hold the same values as buildNodes' nodes.
 */
export function stayNodes(desired: Desired, observed: Observed): StayNode[] {
  return eachMachine(desired, observed, (m, index, _o, facts, replaced) => {
    const node: StayNode = { index, name: m.name, id: facts?.id ?? '', labels: nodeLabels(m, facts), role: m.role ?? '' };
    setAvailability(node, m, replaced);
    return node;
  });
}

/** `make` for each desired machine in name order (its index there), with what was observed of it. */
function eachMachine<T>(desired: Desired, observed: Observed, make: (m: DesiredMachine, index: number, o: ObservedMachine | undefined, facts: EngineFacts | undefined, replaced: ReadonlyMap<string, unknown>) => T): T[] {
  const seen = new Map(observed.machines.map((m) => [m.name, m]));
  const replaced = replacedMachines(desired, observed);
  const machines = [...desired.machines].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return machines.map((m, index) => {
    const o = seen.get(m.name);
    return make(m, index, o, o?.engine ?? undefined, replaced);
  });
}

/** The plan sets engine labels first; generic machines keep the labels their engine has. */
function nodeLabels(m: DesiredMachine, facts: EngineFacts | undefined): Record<string, string> {
  return classicLabels(traitsOf(m.driver).adopted && facts ? facts.labels : m.labels, facts);
}

function setAvailability(node: StayNode, m: DesiredMachine, replaced: ReadonlyMap<string, unknown>): void {
  if (replaced.has(m.name)) (node.availability = 'drain'), (node.replaced = true);
  else if (m.availability && m.availability !== 'active') node.availability = m.availability;
}

/**
 * A machine's cpus or memory for placement. A machine its driver recorded a size for has that size
 * (absent: unlimited, so what its engine reports) until a resize has run: a pending growth does not
 * count yet, a pending shrink counts at once, so neither over-commits the machine. A machine not made
 * yet has its declared size; the engine's report (a nested engine reports its host's) counts where
 * nothing is declared or recorded.
 */
function sizeOf(recorded: { had?: number } | undefined, declared: number | undefined, reported: number | undefined): number {
  // Nothing recorded (generic: an engine the tool did not make): its report is what it has; a smaller declared size is a share of it.
  if (!recorded) return declared && reported ? Math.min(declared, reported) : declared || reported || 0;
  const real = recorded.had || reported || 0;
  return declared ? Math.min(real, declared) : real;
}

/** classic keeps the overcommit as a whole percentage: int64(overcommit × 100) (cluster/engine.go NewEngine). */
function overcommitRatio(overcommit: number): number {
  return Math.trunc(overcommit * 100);
}

/**
 * A machine's size with the overcommit added as classic adds it (engine.go TotalCpus/TotalMemory):
 * total + total × ratio / 100 in integer arithmetic, over whole cpus and bytes. A 4-cpu machine
 * at 5% stays 4 cpus (4 × 5 / 100 = 0); a 20-cpu one gets 21. A fractional cpu count (ours; classic
 * counts whole cpus) is overcommitted in millicpus.
 */
function overcommitted(total: number, ratio: number, unit: number): number {
  if (ratio === 0 || total === 0) return total;
  const whole = total / unit;
  return Number.isInteger(whole) ? total + unit * Math.trunc((whole * ratio) / 100) : total + Math.trunc((total * ratio) / 100);
}

/**
 * The labels constraints see, built as classic builds an engine's (cluster/engine.go updateSpecs):
 * the engine's facts under their built-in lower-case keys (when the engine reports them), then its own
 * labels, which cannot override a built-in key; a label `node` is dropped (that key means the machine).
 */
function classicLabels(labels: Record<string, string>, f: EngineFacts | undefined): Record<string, string> {
  const out: Record<string, string> = {}; // not Object.create(null): V8 keeps those as slow dictionaries
  if (f?.storageDriver) out.storagedriver = f.storageDriver;
  if (f?.executionDriver) out.executiondriver = f.executionDriver; // older engines and classic releases had it
  if (f?.kernelVersion) out.kernelversion = f.kernelVersion;
  if (f?.operatingSystem) out.operatingsystem = f.operatingSystem;
  if (f?.osType) out.ostype = f.osType;
  for (const [k, v] of Object.entries(labels)) {
    if (k === 'node' || Object.hasOwn(out, k)) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/**
 * An observed container as node bookkeeping: its reservations, ports, names, image and labels count.
 * Id and labels are read only when some filter can ask about them: a simulated container builds
 * them on demand, and a million of them is what a converged cluster's plan must not pay for.
 */
const namesOfImage = new Map<string, string[]>();
const NO_PORTS: string[] = [];
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** `ours`: one of this cluster's replicas (a stranger's container, or another checkout's, is no replica of any service here). */
export function residentOfObserved(c: ObservedContainer, track: Tracking, ours = true): Resident {
  let images = namesOfImage.get(c.image);
  if (!images) namesOfImage.set(c.image, (images = imageNames(c.image)));
  const resident: Resident = {
    name: c.name,
    images,
    labels: track.labelKeys.length ? c.labels : NO_LABELS,
    ports: c.ports.length ? portKeys(c.ports) : NO_PORTS,
    cpu: toMilli(c.reservations.cpus),
    memory: c.reservations.memory,
  };
  if (track.names) resident.id = c.id;
  if (ours && c.owner) resident.service = c.owner.service;
  return resident;
}

/** Bindings as keys, computed once per ports array: a simulated engine hands every replica of a service the same one. */
const keysOfPorts = new WeakMap<readonly HostPort[], string[]>();
function portKeys(ports: readonly HostPort[]): string[] {
  let keys = keysOfPorts.get(ports);
  if (!keys) keysOfPorts.set(ports, (keys = ports.map(hostPortKey)));
  return keys;
}

export { addResident };
