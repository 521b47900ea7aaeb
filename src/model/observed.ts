// Observed state: what the drivers and engines report. Plain JSON-serialisable data.
import type { DriverName, Role } from './desired.js';
import type { HostPort } from './host-port.js';

/** Ownership labels: the tool never touches an object without them. */
export const LABEL = {
  cluster: 'io.cluster.name',
  machine: 'io.cluster.machine',
  service: 'io.cluster.service',
  replica: 'io.cluster.replica',
  configHash: 'io.cluster.config-hash',
  /** The registry digest a `pull_policy: always` replica or swarm service was made from. */
  imageDigest: 'io.cluster.image-digest',
  /** Canonical JSON of the ServiceSpec a container was created from: lets a plan show field-level diffs. */
  spec: 'io.cluster.spec',
  /** Digests of the spec's masked (sensitive) fields, by path: a rotation is seen without the value. */
  sensitive: 'io.cluster.sensitive',
  network: 'io.cluster.network',
  /**
   * The identity of the checkout (folder) that made the object, kept in its `.cluster/`: two folders
   * with one cluster name on one engine tell their objects apart by it. Objects without it were made
   * by earlier versions and count as any checkout's of that name.
   */
  id: 'io.cluster.id',
} as const;

/**
 * The apply lock's objects (its container; an earlier version's lock network) are labelled
 * `io.cluster.kind=lock` with the holder in `io.cluster.lock`. They are never a cluster's own
 * objects: observe, the plan and saved-plan digests all leave them out by this one test.
 */
export function isLockObject(labels: Record<string, string> | null | undefined): boolean {
  // Engines report an object without labels as null, not {}.
  return !!labels && (labels['io.cluster.kind'] === 'lock' || 'io.cluster.lock' in labels);
}

/** `paused`: the machine's processes are frozen (docker pause): its engine cannot answer until it is unpaused. */
export type MachineState = 'running' | 'paused' | 'stopped' | 'error';

export interface Observed {
  cluster: string;
  /**
   * The identity of the checkout observing (`.cluster/<cluster>.identity`): objects of this cluster's
   * name that carry another id are someone else's. Absent: this folder has none yet (plan never makes
   * one), and every object of the name is ours, as before identities existed.
   */
  identity?: string;
  /** `--adopt`: `identity` was another checkout's and this one takes its objects over (apply records it). */
  adopted?: boolean;
  machines: ObservedMachine[]; // sorted by name
  /** What claims to be this cluster's but is not (a planted or another folder's machine): left alone, said in the plan. */
  foreign?: string[];
  /** Machines whose container is gone but whose volume or folder this folder made is still there. */
  leftovers?: { name: string; driver: DriverName; what: string; shared?: { reason: string } }[];
  /**
   * The registry digest of each `pull_policy: always` image (normalized reference), resolved while
   * observing, or why it could not be. Never a credential. Absent when no service asks for one.
   */
  imageDigests?: Record<string, { digest: string } | { error: string }>;
}

export interface ObservedMachine {
  name: string;
  driver: DriverName;
  state: MachineState;
  /** Address other machines reach it at (swarm advertise address). */
  address?: string;
  /** null when the machine is not running or its engine did not answer. */
  engine: EngineFacts | null;
  /** Why the engine is missing or unhealthy, for explanations. */
  problem?: string;
  /**
   * When its engine was first seen not answering (while the machine runs, or is in error), as an
   * ISO time, from the runs before this one: replicas that may be on it are kept for a grace period
   * from then, and only then placed elsewhere. Absent: it answers, or this run is the first to see it silent.
   */
  silentSince?: string;
  /** Marked `protect: true` by the last apply: no plan may remove or replace it. */
  protected?: boolean;
  /**
   * What the machine was made with, as its driver reports it (docker: the machine container's
   * HostConfig and image; sim: its state file). An absent cpus/memory is unlimited. Absent as a whole:
   * the driver cannot say (generic: the engine's own figures are in `engine`).
   */
  spec?: MachineSpec;
}

/** A machine's size and node image as made (or last resized). */
export interface MachineSpec {
  cpus?: number;
  /** Bytes. */
  memory?: number;
  image?: string;
  /**
   * The `engine:` options its engine was last started or reloaded with, where the driver records them
   * (docker); absent when the driver does not set engine options.
   */
  engine?: Record<string, unknown>;
  /** Its daemon.json holds options the engine has not taken yet (an apply stopped between the write and the reload or restart). */
  enginePending?: true;
}

export interface EngineFacts {
  /** How the tool reaches this engine: unix:///..., tcp://..., ssh://..., sim://cluster/machine */
  url: string;
  id: string;
  /** The host's name (`docker info` Name): what its swarm node is listed as. */
  hostname?: string;
  version: string;
  labels: Record<string, string>;
  cpus: number;
  memory: number; // bytes
  kernelVersion: string;
  operatingSystem: string;
  /** `linux` or `windows` (/info OSType); classic's constraint key `ostype`. */
  osType?: string;
  storageDriver: string;
  executionDriver: string;
  containers: ObservedContainer[]; // ALL containers, ours and others' (ports and reservations count)
  images: ObservedImage[];
  /** Networks the engine knows (a worker lists a swarm overlay only while something uses it). */
  networks?: ObservedNetwork[];
  /** Swarm-mode services, as a manager lists them. */
  swarmServices?: ObservedSwarmService[];
  swarm: SwarmFacts;
}

export interface ObservedSwarmService {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** The swarm's last rollout of it, when there was one: `paused` / `rollback_paused` mean it failed. */
  rollout?: { state: string; message?: string };
  /** Tasks running and wanted, as the manager counts them (not in saved-plan digests: they move as tasks start). */
  tasks?: { running: number; desired: number };
}

export interface ObservedNetwork {
  id: string;
  name: string;
  driver: string;
  labels: Record<string, string>;
}

export interface ObservedImage {
  id: string;
  tags: string[]; // repo:tag
  /** repo@sha256:... the registry knows it by (`RepoDigests`); absent when none (built or copied here). */
  digests?: string[];
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ObservedContainer {
  id: string;
  name: string; // without leading '/'
  image: string;
  state: ContainerState;
  labels: Record<string, string>;
  /** The RepoDigests of the image it runs, where the engine says (docker). */
  imageDigests?: string[];
  /** Published host ports; `hostIp` only when bound to one address (see host-port.ts). */
  ports: HostPort[];
  reservations: { cpus: number; memory: number };
  /** Set when the container carries a cluster's ownership labels; `cluster` says whose (a generic host may hold several). */
  owner?: { cluster: string; service: string; replica: number; configHash: string; id?: string };
}

/**
 * A copy of `c` with `patch`. Some providers observe containers as lazy views whose fields are
 * getters (sim: id and labels are computed on first read), which an object spread would drop.
 */
export function copyContainer(c: ObservedContainer, patch: Partial<ObservedContainer>): ObservedContainer {
  const { id, name, image, state, labels, imageDigests, ports, reservations, owner } = c;
  return { id, name, image, state, labels, ...(imageDigests ? { imageDigests } : {}), ports, reservations, ...(owner ? { owner } : {}), ...patch };
}

export interface SwarmFacts {
  state: 'inactive' | 'pending' | 'active' | 'error' | 'locked';
  nodeId?: string;
  clusterId?: string;
  /** The address this node advertises to its swarm (`docker info` Swarm.NodeAddr), while it is in one. */
  nodeAddr?: string;
  /** Role of this node as the engine reports it (ControlAvailable → manager). */
  role?: Role;
  /** Node labels (swarm), when this node is known to a manager. */
  nodeLabels?: Record<string, string>;
  /** The swarm's nodes as this manager lists them (`docker node ls`); absent on a worker and when the swarm cannot answer (`error`). */
  nodes?: SwarmNodeFacts[];
  /**
   * Why this manager's swarm cannot answer (dockerd's Swarm.Error, e.g. "The swarm does not have a
   * leader…": quorum lost). Then `managers` holds the raft members the node last knew of.
   */
  error?: string;
  /** Node ids of the managers this node knows of (`docker info` RemoteManagers), sorted; only given with `error`. */
  managers?: string[];
}

/**
 * One node of a swarm, as a manager lists it: only what stays put between a plan and its apply (no
 * heartbeat times, no versions), since a saved plan digests it.
 */
export interface SwarmNodeFacts {
  id: string;
  hostname: string;
  role: Role;
  /** ready | down | unknown | disconnected */
  state: string;
  /** A raft member's reachability (reachable | unreachable | unknown); absent for a node that is not one. */
  reachability?: string;
  leader?: boolean;
  /** The node's availability when not active (`pause`, `drain`); absent: active. */
  availability?: 'pause' | 'drain';
}
