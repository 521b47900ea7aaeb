// The simulated cluster in memory: machines, their images and containers, swarms. Bookkeeping and
// indexes only; Docker's rules (name conflicts, join tokens, the last manager) live in src/providers/sim/ (engine.ts and its parts).
//
// Built for 10,000 machines and 1,000,000 containers: what the replicas of one service share (image,
// labels, ports, reservations) is one interned SimTemplate; a container is five small fields.
import { createHash } from 'node:crypto';
import type { Role } from '../../model/desired.js';
import { COMPOSE_LABEL } from '../../model/compose-labels.js';
import { LABEL, type ContainerState } from '../../model/observed.js';
import { settle } from '../../model/settle.js';
import { specificIp, type HostPort } from '../../model/host-port.js';
import type { ContainerCreateRequest } from '../../engine/types.js';

export { SIM_DEFAULT_CPUS, SIM_DEFAULT_MEMORY } from '../../model/desired.js';
import { SIM_DEFAULT_CPUS, SIM_DEFAULT_MEMORY } from '../../model/desired.js';

export type SimPort = HostPort;

/** What the containers of one service have in common, stored once. */
export interface SimTemplate {
  image: string;
  /** All labels except io.cluster.replica, which is per container (SimContainer.replica). */
  labels: Readonly<Record<string, string>>;
  /** Frozen: facts() hands these very objects out for every replica. */
  ports: readonly Readonly<SimPort>[];
  reservations: Readonly<{ cpus: number; memory: number }>;
  /** Decides which containers come back when a stopped machine starts again. */
  restart?: string;
  /** Derived, not stored: the ownership labels when they name this cluster (service, config hash). */
  owner?: { service: string; configHash: string; id?: string };
}

export interface SimContainer {
  serial: number;
  name: string;
  state: ContainerState;
  template: number; // index in SimState.templates
  replica: number; // value of io.cluster.replica; 0 = no such label
}

/** A machine's containers by column, one entry per container in creation order (templates are SimState's indexes). */
export interface SimColumns {
  serial: number[];
  name: string[];
  state: ContainerState[];
  template: number[];
  replica: number[];
}

export interface SimMachine {
  name: string;
  serial: number;
  state: 'running' | 'stopped';
  cpus: number;
  memory: number;
  labels: Record<string, string>;
  images: Set<string>; // normalised tags
  /** Bridge networks of this engine (a swarm's overlays live on the swarm). */
  networks: SimNetwork[];
  containers: SimContainer[]; // creation order
  /**
   * The containers as the state file stores them, by column, while nothing has asked for them one
   * by one: observing reads these (facts.ts), and the first use of `containers` builds the rows from
   * them and drops them. A no-op plan of a million containers never builds the rows.
   */
  columns?: SimColumns;
  /** Name and full id → container; built on the first lookup (most machines are only ever listed). */
  index?: Map<string, SimContainer>;
}

export interface SimNode {
  id: string;
  machine: string; // hostname
  role: Role;
  availability: string; // active | pause | drain
  labels: Record<string, string>;
  /** The machine left (or disappeared): managers list the node as down until it is removed. */
  left: boolean;
}

export interface SimSwarm {
  id: string;
  tokens: { worker: string; manager: string };
  nodes: Map<string, SimNode>; // by node id, join order
  networks: SimNetwork[];
  services: SimService[];
}

export interface SimService {
  id: string;
  name: string;
  labels: Record<string, string>;
  replicas: number;
  global: boolean;
}

export interface SimNetwork {
  name: string;
  driver: 'overlay' | 'bridge';
  labels: Record<string, string>;
}

export interface SimMachineSpec {
  name: string;
  cpus?: number;
  memory?: number;
  labels?: Record<string, string>;
}

export class SimState {
  readonly machines = new Map<string, SimMachine>();
  readonly templates: SimTemplate[] = [];
  readonly swarms = new Map<string, SimSwarm>();
  /** Machine name → its node, while it is a member (not left). */
  readonly membership = new Map<string, { swarm: SimSwarm; node: SimNode }>();
  /** Serial counters, persisted so ids and addresses are never reused. */
  readonly next = { machine: 1, object: 1 };
  private readonly templateByKey = new Map<string, number>();
  private readonly labelCounts: number[] = [];
  // Fast path for interning: replicas of a service arrive with the same ServiceSpec object, so
  // comparing a few labels beats serialising the spec (a long io.cluster.spec label) per container.
  private readonly templatesBySpec = new WeakMap<object, number[]>();
  private readonly idSuffix: string;

  constructor(readonly cluster: string) {
    this.idSuffix = createHash('sha256').update(`sim:${cluster}`).digest('hex').slice(0, 48);
  }

  // ---- machines

  addMachine(spec: SimMachineSpec, serial = this.next.machine++): SimMachine {
    const machine: SimMachine = {
      name: spec.name,
      serial,
      state: 'running',
      cpus: spec.cpus ?? SIM_DEFAULT_CPUS,
      memory: spec.memory ?? SIM_DEFAULT_MEMORY,
      labels: { ...spec.labels },
      images: new Set(),
      networks: [],
      containers: [],
    };
    this.machines.set(machine.name, machine);
    this.next.machine = Math.max(this.next.machine, serial + 1);
    return machine;
  }

  /** A removed machine's node stays in its swarm as down, as a vanished host's would. */
  removeMachine(name: string): void {
    this.leaveSwarm(name);
    this.machines.delete(name);
  }

  /** Where other machines reach it: 10.x.y.z from its serial, unique for 16 million machines. */
  address(machine: SimMachine): string {
    const s = machine.serial;
    return `10.${(s >>> 16) & 255}.${(s >>> 8) & 255}.${s & 255}`;
  }

  engineId(machine: SimMachine): string {
    return `SIM:${hex8(fmix32(machine.serial ^ 0x51a1e))}:${hex8(machine.serial)}`;
  }

  // ---- containers

  /**
   * 64 hex digits like Docker's. The first 8 are a bijective mix of the serial, so short ids (12)
   * are unique too; the serial itself follows, then a per-cluster constant. Computed, never stored.
   */
  containerId(serial: number): string {
    const mixed = fmix32(serial);
    const hex = hex4();
    return hex[mixed >>> 16]! + hex[mixed & 0xffff]! + hex[(serial >>> 16) & 0xffff]! + hex[serial & 0xffff]! + this.idSuffix;
  }

  addContainer(machine: SimMachine, req: ContainerCreateRequest, state: ContainerState): SimContainer {
    const replica = replicaOf(req.labels[LABEL.replica] ?? req.spec.labels[LABEL.replica]);
    const c: SimContainer = { serial: this.next.object++, name: req.name, state, template: this.templateFor(req, replica > 0), replica };
    machine.containers.push(c);
    if (machine.index) this.indexContainer(machine.index, c);
    return c;
  }

  /** Restores a container read from the state file. */
  restoreContainers(machine: SimMachine, containers: SimContainer[]): void {
    machine.containers = containers;
  }

  /**
   * Restores containers read by column: kept so until something asks for `containers`, which then
   * become rows once (an accessor that gives way to the plain array), and the columns go. The
   * machine is replaced by a copy with the accessor in `containers`' place (see SIM_ROWS).
   */
  restoreColumns(machine: SimMachine, columns: SimColumns): SimMachine {
    const lazy = {} as Record<string, unknown>;
    const from = machine as unknown as Record<string, unknown>;
    for (const key of Object.keys(from)) {
      if (key === 'containers') Object.defineProperty(lazy, key, SIM_ROWS);
      else if (key !== 'columns') lazy[key] = from[key];
    }
    const restored = lazy as unknown as SimMachine;
    restored.columns = columns;
    this.machines.set(restored.name, restored);
    return restored;
  }

  removeContainer(machine: SimMachine, c: SimContainer): void {
    const at = machine.containers.indexOf(c);
    if (at >= 0) machine.containers.splice(at, 1);
    machine.index?.delete(c.name);
    machine.index?.delete(this.containerId(c.serial));
  }

  renameContainer(machine: SimMachine, c: SimContainer, name: string): void {
    machine.index?.delete(c.name);
    c.name = name;
    machine.index?.set(name, c);
  }

  /** By name, full id or unique id prefix, as Docker resolves a container reference. */
  findContainer(machine: SimMachine, ref: string): SimContainer | undefined {
    machine.index ??= this.buildIndex(machine);
    const exact = machine.index.get(ref.replace(/^\//, ''));
    if (exact || !/^[0-9a-f]{1,63}$/.test(ref)) return exact;
    const matches = machine.containers.filter((c) => this.containerId(c.serial).startsWith(ref));
    return matches.length === 1 ? matches[0] : undefined;
  }

  private buildIndex(machine: SimMachine): Map<string, SimContainer> {
    const index = new Map<string, SimContainer>();
    for (const c of machine.containers) this.indexContainer(index, c);
    return index;
  }

  private indexContainer(index: Map<string, SimContainer>, c: SimContainer): void {
    index.set(c.name, c);
    index.set(this.containerId(c.serial), c);
  }

  // ---- templates

  /** Adds a template read from the state file; returns its index. */
  restoreTemplate(t: Omit<SimTemplate, 'owner'>): number {
    return this.intern({ ...t });
  }

  /** The template of spec.labels + req.labels (the replica's number left out when `perReplica`: see PER_REPLICA). */
  private templateFor(req: ContainerCreateRequest, perReplica: boolean): number {
    const skip = perReplica ? PER_REPLICA : undefined;
    const candidates = this.templatesBySpec.get(req.spec) ?? [];
    for (const i of candidates) if (this.hasLabels(i, req.spec.labels, req.labels, skip)) return i;
    const labels: Record<string, string> = {};
    for (const source of [req.spec.labels, req.labels]) for (const key in source) if (!skip?.has(key)) labels[key] = source[key]!;
    const { spec } = req;
    const i = this.intern({
      image: spec.image,
      labels,
      ports: spec.ports.flatMap((p) => (p.published === undefined ? [] : [{ published: p.published, protocol: p.protocol, ...(specificIp(p.hostIp) ? { hostIp: p.hostIp! } : {}) }])),
      reservations: { cpus: spec.reservations.cpus, memory: spec.reservations.memory },
      ...(spec.restart ? { restart: spec.restart } : {}),
    });
    candidates.push(i);
    this.templatesBySpec.set(spec, candidates);
    return i;
  }

  /** Whether template `i` has exactly the labels `over` merged onto `base`, minus `skip` — without building them. */
  private hasLabels(i: number, base: Record<string, string>, over: Record<string, string>, skip: ReadonlySet<string> | undefined): boolean {
    const labels = this.templates[i]!.labels;
    let count = 0;
    for (const key in over) {
      if (skip?.has(key)) continue;
      if (labels[key] !== over[key]) return false;
      count++;
    }
    for (const key in base) {
      if (skip?.has(key) || Object.hasOwn(over, key)) continue;
      if (labels[key] !== base[key]) return false;
      count++;
    }
    return count === this.labelCounts[i];
  }

  private intern(t: SimTemplate): number {
    t.ports = Object.freeze(t.ports.map((p) => Object.freeze({ published: p.published, protocol: p.protocol, ...(p.hostIp ? { hostIp: p.hostIp } : {}) })));
    t.reservations = Object.freeze({ cpus: t.reservations.cpus, memory: t.reservations.memory });
    t.labels = Object.freeze({ ...t.labels });
    const key = JSON.stringify([t.image, Object.entries(t.labels).sort(byKey), t.ports, t.reservations, t.restart ?? null]);
    const known = this.templateByKey.get(key);
    if (known !== undefined) return known;
    const service = t.labels[LABEL.service];
    const configHash = t.labels[LABEL.configHash];
    const id = t.labels[LABEL.id];
    if (t.labels[LABEL.cluster] === this.cluster && service && configHash !== undefined) t.owner = id === undefined ? { service, configHash } : { service, configHash, id };
    this.templates.push(t);
    this.labelCounts.push(Object.keys(t.labels).length);
    this.templateByKey.set(key, this.templates.length - 1);
    return this.templates.length - 1;
  }

  // ---- swarms

  createSwarm(manager: string): SimSwarm {
    const serial = this.next.object++;
    const id = hex8(fmix32(serial ^ 0x5a12)) + hex8(serial) + this.idSuffix.slice(0, 9);
    const secret = (role: string) => createHash('sha256').update(`${this.cluster}:${id}:${role}`).digest('hex').slice(0, 25);
    const swarm: SimSwarm = {
      id,
      tokens: { worker: `SWMTKN-1-${id}-${secret('worker')}`, manager: `SWMTKN-1-${id}-${secret('manager')}` },
      nodes: new Map(),
      networks: [],
      services: [],
    };
    this.swarms.set(id, swarm);
    this.addNode(swarm, manager, 'manager');
    return swarm;
  }

  addNode(swarm: SimSwarm, machine: string, role: Role): SimNode {
    const serial = this.next.object++;
    const node: SimNode = { id: hex8(fmix32(serial ^ 0x40de)) + hex8(serial), machine, role, availability: 'active', labels: {}, left: false };
    this.restoreNode(swarm, node);
    return node;
  }

  /** Adds a node read from the state file (or just made). */
  restoreNode(swarm: SimSwarm, node: SimNode): void {
    swarm.nodes.set(node.id, node);
    if (!node.left) this.membership.set(node.machine, { swarm, node });
  }

  leaveSwarm(machine: string): void {
    const member = this.membership.get(machine);
    if (!member) return;
    member.node.left = true;
    this.membership.delete(machine);
  }

  deleteNode(swarm: SimSwarm, node: SimNode): void {
    swarm.nodes.delete(node.id);
    if (this.membership.get(node.machine)?.node === node) this.membership.delete(node.machine);
  }

  findNode(nodeId: string): { swarm: SimSwarm; node: SimNode } | undefined {
    for (const swarm of this.swarms.values()) {
      const node = swarm.nodes.get(nodeId);
      if (node) return { swarm, node };
    }
    return undefined;
  }

  swarmByToken(token: string): { swarm: SimSwarm; role: Role } | undefined {
    for (const swarm of this.swarms.values()) {
      if (swarm.tokens.manager === token) return { swarm, role: 'manager' };
      if (swarm.tokens.worker === token) return { swarm, role: 'worker' };
    }
    return undefined;
  }
}

/** Docker's implicit tag: `busybox` is `busybox:latest`; digests stay as written. */
export function imageRef(image: string): string {
  if (image.includes('@')) return image;
  return image.slice(image.lastIndexOf('/') + 1).includes(':') ? image : `${image}:latest`;
}

const imageIds = new Map<string, string>();
export function imageId(ref: string): string {
  let id = imageIds.get(ref);
  if (!id) imageIds.set(ref, (id = `sha256:${createHash('sha256').update(`sim-image:${ref}`).digest('hex')}`));
  return id;
}

// One getter and one setter for every machine read by column, finding their machine as `this`: V8
// keeps objects whose accessor pairs are the same functions in one shared shape, while a pair of
// closures per machine (or a data property turned into an accessor) makes each a slow dictionary.
const SIM_ROWS: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: SimMachine) {
    return rowsOf(this);
  },
  set(this: SimMachine, rows: SimContainer[]) {
    delete this.columns;
    settle(this, 'containers', rows);
  },
};

/** A machine's rows, built from its columns on first use. Indexed and sized once: this runs per container. */
function rowsOf(machine: SimMachine): SimContainer[] {
  const c = machine.columns!;
  const n = c.serial.length;
  const rows = new Array<SimContainer>(n);
  for (let i = 0; i < n; i++) rows[i] = { serial: c.serial[i]!, name: c.name[i]!, state: c.state[i]!, template: c.template[i]!, replica: c.replica[i]! };
  machine.containers = rows;
  return rows;
}

/** murmur3's finaliser: a bijection on 32 bits, so distinct serials give distinct ids. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

let hexDigits4: string[] | undefined;
/** '0000'…'ffff': four table lookups make an id several times faster than Number#toString(16). */
function hex4(): string[] {
  return (hexDigits4 ??= Array.from({ length: 0x10000 }, (_, i) => i.toString(16).padStart(4, '0')));
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** Only a canonical positive integer moves out of the labels; anything else stays a plain label. */
/**
 * Labels that hold the replica's number (ours, and compose's container-number): not in the template,
 * so the replicas of a service share one; facts() gives them back from SimContainer.replica.
 */
const PER_REPLICA: ReadonlySet<string> = new Set([LABEL.replica, COMPOSE_LABEL.containerNumber]);

function replicaOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 && String(n) === value ? n : 0;
}

function byKey(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
