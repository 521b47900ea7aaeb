// Pure mapping between the core's data and the Docker Engine API (v1.41+): a ServiceSpec becomes a
// create body; /info, /containers/json and /images/json become EngineFacts.
import type Dockerode from 'dockerode';
import type { HealthcheckSpec, ServiceSpec } from '../../model/desired.js';
import { LABEL, type ContainerState, type EngineFacts, type ObservedContainer, type ObservedImage, type ObservedNetwork, type SwarmFacts, type SwarmNodeFacts } from '../../model/observed.js';
import type { ContainerCreateRequest } from '../../engine/types.js';
import { hostPortKey, specificIp, type HostPort } from '../../model/host-port.js';

const NS_PER_MS = 1_000_000;

export function toCreateOptions(req: ContainerCreateRequest): Dockerode.ContainerCreateOptions {
  const s = req.spec;
  const exposed: Record<string, object> = Object.fromEntries((s.expose ?? []).map((e) => [e, {}]));
  const bindings: Record<string, { HostPort: string; HostIp?: string }[]> = {};
  for (const p of s.ports) {
    const key = `${p.target}/${p.protocol}`;
    exposed[key] = {};
    // As docker compose binds (buildContainerPortBindingOptions): every port, an empty HostPort being one the engine picks.
    const hostPort = p.published === undefined ? '' : p.publishedEnd === undefined ? String(p.published) : `${p.published}-${p.publishedEnd}`;
    (bindings[key] ??= []).push({ HostPort: hostPort, ...(p.hostIp ? { HostIp: p.hostIp } : {}) });
  }
  const primary = s.networks?.[0];
  const networkMode = primary?.network ?? (s.networkMode && !/^(service|container):/.test(s.networkMode) ? s.networkMode : undefined);
  return {
    name: req.name,
    Image: s.image,
    ...(s.hostname ? { Hostname: s.hostname } : {}),
    ...(s.stopSignal ? { StopSignal: s.stopSignal } : {}),
    // Aliases make the service name resolve on the network, from any machine the network reaches.
    ...(primary ? { NetworkingConfig: { EndpointsConfig: { [primary.network]: { Aliases: primary.aliases } } } } : {}),
    ...(s.command ? { Cmd: s.command } : {}),
    ...(s.entrypoint ? { Entrypoint: s.entrypoint } : {}),
    Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    Labels: { ...s.labels, ...req.labels },
    ExposedPorts: exposed,
    ...(s.healthcheck ? { Healthcheck: toHealthcheck(s.healthcheck) } : {}),
    HostConfig: {
      PortBindings: bindings,
      Mounts: s.volumes.map((v) => ({ Type: v.type, Target: v.target, ReadOnly: v.readOnly, Source: v.source ?? '' })),
      ...(s.restart ? { RestartPolicy: restartPolicy(s.restart) } : {}),
      ...(s.limits.cpus ? { NanoCpus: Math.round(s.limits.cpus * 1e9) } : {}),
      ...(s.limits.memory ? { Memory: s.limits.memory } : {}),
      ...(s.reservations.memory ? { MemoryReservation: s.reservations.memory } : {}),
      ...(s.capAdd ? { CapAdd: s.capAdd } : {}),
      ...(s.capDrop ? { CapDrop: s.capDrop } : {}),
      // links/volumes_from/network_mode service: name other containers of this cluster; the
      // scheduler already put them on the same machine, the engine resolves them by name.
      ...(networkMode ? { NetworkMode: networkMode } : {}),
    },
  };
}

/** The engine's HealthConfig (durations in nanoseconds); containers and swarm tasks take the same. */
export function toHealthcheck(h: HealthcheckSpec): Record<string, unknown> {
  return {
    Test: h.test,
    ...(h.intervalMs !== undefined ? { Interval: h.intervalMs * NS_PER_MS } : {}),
    ...(h.timeoutMs !== undefined ? { Timeout: h.timeoutMs * NS_PER_MS } : {}),
    ...(h.retries !== undefined ? { Retries: h.retries } : {}),
    ...(h.startPeriodMs !== undefined ? { StartPeriod: h.startPeriodMs * NS_PER_MS } : {}),
  };
}

function restartPolicy(restart: string): { Name: string; MaximumRetryCount?: number } {
  const [name = 'no', count] = restart.split(':');
  return count ? { Name: name, MaximumRetryCount: Number(count) } : { Name: name };
}

function labelsOf(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of Array.isArray(list) ? (list as string[]) : []) {
    const at = entry.indexOf('=');
    if (at > 0) out[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return out;
}

/** Reservations are not in /containers/json; ours carry their spec in a label, which is enough. */
function reservationsOf(labels: Record<string, string>): { cpus: number; memory: number } {
  const raw = labels[LABEL.spec];
  if (!raw) return { cpus: 0, memory: 0 };
  try {
    const spec = JSON.parse(raw) as Partial<ServiceSpec>;
    return { cpus: spec.reservations?.cpus ?? 0, memory: spec.reservations?.memory ?? 0 };
  } catch {
    return { cpus: 0, memory: 0 };
  }
}

export function toContainer(c: Dockerode.ContainerInfo): ObservedContainer {
  const labels = c.Labels ?? {};
  // An engine lists a binding on all interfaces once per family (0.0.0.0 and ::): one port here.
  const ports = new Map<string, HostPort>();
  for (const p of c.Ports ?? []) {
    if (!p.PublicPort) continue;
    const hostIp = specificIp(p.IP);
    const port: HostPort = { published: p.PublicPort, protocol: p.Type === 'udp' || p.Type === 'sctp' ? p.Type : 'tcp', ...(hostIp ? { hostIp } : {}) };
    ports.set(hostPortKey(port), port);
  }
  const cluster = labels[LABEL.cluster];
  const service = labels[LABEL.service];
  const replica = Number(labels[LABEL.replica]);
  const configHash = labels[LABEL.configHash];
  const id = labels[LABEL.id];
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
    image: c.Image,
    state: c.State as ContainerState,
    labels,
    ports: [...ports.values()],
    reservations: reservationsOf(labels),
    ...(cluster && service && configHash && Number.isInteger(replica) ? { owner: id === undefined ? { cluster, service, replica, configHash } : { cluster, service, replica, configHash, id } } : {}),
  };
}

export function toNetwork(n: Dockerode.NetworkInspectInfo): ObservedNetwork {
  return { id: n.Id, name: n.Name, driver: n.Driver, labels: n.Labels ?? {} };
}

export function toImage(i: Dockerode.ImageInfo): ObservedImage {
  return { id: i.Id, tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>') };
}

/** A node of `GET /nodes`: what the plan needs, nothing that changes with every heartbeat (a saved plan digests it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toSwarmNode(n: any): SwarmNodeFacts {
  const manager = n.ManagerStatus as { Reachability?: string; Leader?: boolean } | undefined;
  return {
    id: n.ID ?? '',
    hostname: n.Description?.Hostname ?? '',
    role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
    state: n.Status?.State ?? 'unknown',
    ...(manager ? { reachability: manager.Reachability ?? 'unknown' } : {}),
    ...(manager?.Leader ? { leader: true } : {}),
    ...(n.Spec?.Availability === 'pause' || n.Spec?.Availability === 'drain' ? { availability: n.Spec.Availability as 'pause' | 'drain' } : {}),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toFacts(url: string, info: any, containers: ObservedContainer[], images: ObservedImage[], nodeLabels?: Record<string, string>): EngineFacts {
  const sw = info.Swarm ?? {};
  const swarm: SwarmFacts = { state: (sw.LocalNodeState || 'inactive') as SwarmFacts['state'] };
  if (sw.NodeID) swarm.nodeId = sw.NodeID;
  if (sw.NodeAddr && swarm.state !== 'inactive') swarm.nodeAddr = String(sw.NodeAddr);
  if (sw.Cluster?.ID) swarm.clusterId = sw.Cluster.ID;
  if (swarm.state === 'active') swarm.role = sw.ControlAvailable ? 'manager' : 'worker';
  if (nodeLabels) swarm.nodeLabels = nodeLabels;
  if (swarm.state === 'active' && sw.Error) {
    swarm.error = String(sw.Error);
    swarm.managers = ((sw.RemoteManagers ?? []) as { NodeID?: string }[]).map((p) => p.NodeID ?? '').filter(Boolean).sort();
  }
  return {
    url,
    id: info.ID ?? '',
    ...(info.Name ? { hostname: String(info.Name) } : {}),
    version: info.ServerVersion ?? '',
    labels: labelsOf(info.Labels),
    cpus: info.NCPU ?? 0,
    memory: info.MemTotal ?? 0,
    kernelVersion: info.KernelVersion ?? '',
    operatingSystem: info.OperatingSystem ?? '',
    ...(info.OSType ? { osType: info.OSType } : {}),
    storageDriver: info.Driver ?? '',
    executionDriver: info.ExecutionDriver ?? '',
    containers,
    images,
    swarm,
  };
}
