// One service as the scheduler places it: its requests, ports and expressions, computed once.
import type { DesiredService, Expression } from '../model/desired.js';
import { hostPortKey } from '../model/host-port.js';
import { LABEL } from '../model/observed.js';
import type { Resident } from './node.js';
import { imageNames } from './node.js';

export interface Task {
  service: DesiredService;
  cluster: string;
  cpu: number; // millicpus requested per replica
  memory: number; // bytes requested per replica
  ports: string[]; // published host ports as hostPortKey writes them: "8080/tcp", "127.0.0.1:8080/tcp"
  constraints: Expression[];
  affinities: Expression[];
  /** Shared by every replica's bookkeeping entry. */
  images: readonly string[];
  labels: Readonly<Record<string, string>>;
}

export function makeTask(cluster: string, service: DesiredService): Task {
  return {
    service,
    cluster,
    cpu: toMilli(service.spec.reservations.cpus),
    memory: service.spec.reservations.memory,
    ports: publishedPorts(service),
    constraints: service.placement.constraints,
    affinities: service.placement.affinities,
    images: imageNames(service.spec.image),
    labels: { ...service.spec.labels, [LABEL.cluster]: cluster, [LABEL.service]: service.name },
  };
}

export function toMilli(cpus: number): number {
  return Math.round(cpus * 1000);
}

function publishedPorts(service: DesiredService): string[] {
  return [...new Set(service.spec.ports.flatMap((p) => (p.published === undefined ? [] : [hostPortKey({ published: p.published, protocol: p.protocol, ...(p.hostIp ? { hostIp: p.hostIp } : {}) })])))];
}

/** The container a replica of `task` becomes, for the bookkeeping of the node it lands on. */
export function residentOf(task: Task, name: string, replica: number): Resident {
  return {
    name,
    images: task.images,
    labels: task.labels,
    replica,
    ports: task.ports,
    cpu: task.cpu,
    memory: task.memory,
    service: task.service.name,
  };
}
