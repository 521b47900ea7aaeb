// What the scheduler knows about one machine, updated incrementally as replicas land on it
// (swarmkit's NodeInfo): no recomputation per decision.
import { portOfKey } from '../model/host-port.js';

export interface Node {
  /** Position in machine-name order: the final tie-break and the random strategy's index. */
  index: number;
  name: string;
  /** Engine id, when the engine exists (constraint `node` matches name or id). */
  id: string;
  /**
   * Engine labels as they will be after the plan (generic machines: as observed), with the engine's
   * storagedriver, executiondriver, kernelversion, operatingsystem, ostype under those keys (nodes.ts).
   */
  labels: Record<string, string>;
  /** Swarm role after the plan, '' when not in a swarm. */
  role: string;
  /** Not active after the plan (availability filter): pause or drain; a machine being replaced counts as drained. */
  availability?: 'pause' | 'drain';
  /** Drained because the plan re-creates it (its node image changes). */
  replaced?: true;
  /** Why the machine is unhealthy (health filter), undefined when it is or will be healthy. */
  problem?: string;
  /** Capacity in millicpus and bytes; 0 = unknown (a machine not created yet with no declared size). */
  cpuTotal: number;
  memTotal: number;
  cpuUsed: number;
  memUsed: number;
  containers: number;
  /** Published host bindings (hostPortKey: "8080/tcp" on all interfaces, "127.0.0.1:8080/tcp") → the container holding it. */
  ports: Map<string, string>;
  /** Port and protocol ("8080/tcp") → a container holding it on one address (absent until one does). */
  portsOnOneIp?: Map<string, string>;
  /** Container names and ids on the machine (affinity `container`). */
  containerNames: string[];
  /** Image ids, repo:tag and repo names present or planned (affinity `image`). */
  images: Set<string>;
  /** Container label key → values, one per container, '' where it lacks the label (affinity on any other key). */
  containerLabels: Map<string, string[]>;
  /** Service → replicas of it here (dependency filter). */
  services: Map<string, number>;
}

/** A container as the node's bookkeeping sees it, observed or planned. */
export interface Resident {
  name: string;
  id?: string;
  images: readonly string[];
  /** Shared between the replicas of a service; the replica label comes from `replica`. */
  labels: Readonly<Record<string, string>>;
  replica?: number;
  ports: readonly string[]; // hostPortKey of each binding
  cpu: number; // millicpus
  memory: number;
  service?: string;
}

/**
 * What some filter will ask about node contents. Names, images and labels of a million replicas
 * are only recorded when an affinity or dependency can look at them.
 */
export interface Tracking {
  names: boolean;
  images: boolean;
  labelKeys: readonly string[];
}

export function labelOf(c: Resident, key: string): string | undefined {
  if (key === REPLICA_LABEL && c.replica !== undefined) return String(c.replica);
  return Object.hasOwn(c.labels, key) ? c.labels[key] : undefined;
}

const REPLICA_LABEL = 'io.cluster.replica';

export function addResident(node: Node, c: Resident, track: Tracking): void {
  node.containers++;
  node.cpuUsed += c.cpu;
  node.memUsed += c.memory;
  for (const p of c.ports) {
    if (!node.ports.has(p)) node.ports.set(p, c.name);
    const port = portOfKey(p);
    if (port !== undefined && !node.portsOnOneIp?.has(port)) (node.portsOnOneIp ??= new Map()).set(port, c.name);
  }
  if (track.names) {
    node.containerNames.push(c.name);
    if (c.id) node.containerNames.push(c.id);
  }
  if (track.images) for (const i of c.images) node.images.add(i);
  // classic's affinity filter reads `container.Labels[key]` of every container: a missing label is ''.
  for (const k of track.labelKeys) {
    const v = labelOf(c, k) ?? '';
    const values = node.containerLabels.get(k);
    if (values) values.push(v);
    else node.containerLabels.set(k, [v]);
  }
  if (c.service) node.services.set(c.service, (node.services.get(c.service) ?? 0) + 1);
}

/** `redis:7` → redis:7, redis (repo); ids stay as they are. */
export function imageNames(image: string): string[] {
  const out = new Set([image]);
  if (!image.includes('@')) {
    const slash = image.lastIndexOf('/');
    const colon = image.lastIndexOf(':');
    if (colon > slash) out.add(image.slice(0, colon));
    else out.add(`${image}:latest`);
  }
  return [...out];
}
