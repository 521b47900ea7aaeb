// The Docker Engine API as the core sees it. Backed by dockerode (src/providers/docker/engine.ts) or by the
// sim driver's simulated engine (src/providers/sim/engine.ts). Everything here is I/O; the core never calls it.
import type { RegistryAuth } from './registry-auth.js';
import type { BuildSpec, Role, ServiceSpec, SwarmServiceSpec } from '../model/desired.js';
import type { EngineFacts } from '../model/observed.js';

export interface ContainerCreateRequest {
  name: string;
  spec: ServiceSpec;
  /** Ownership labels (io.cluster.*) merged over spec.labels. */
  labels: Record<string, string>;
}

export interface NetworkCreateRequest {
  name: string;
  /** overlay: attachable, spans the swarm (created on a manager); bridge: this engine only. */
  driver: 'overlay' | 'bridge';
  labels: Record<string, string>;
}

/** How ensureImage may fetch an image it lacks: with these credentials; `pull: false` (pull_policy never) only copies. */
export interface ImageFetch {
  auth?: RegistryAuth;
  pull?: boolean;
}

export interface SwarmServiceRequest {
  name: string;
  /** Sent with the create or update (`--with-registry-auth`), so the swarm's nodes can pull; never stored by the tool. */
  auth?: RegistryAuth;
  spec: ServiceSpec;
  swarm: SwarmServiceSpec;
  replicas: number;
  /** On the service object (ownership, spec label); the task containers carry only spec.labels. */
  labels: Record<string, string>;
  /** Secrets and configs, content resolved: the engine keeps them as swarm objects its tasks mount. */
  files?: SwarmFile[];
}

export interface SwarmFile {
  kind: 'secret' | 'config';
  name: string;
  /** Absolute path in the task's container. */
  target: string;
  mode?: number;
  content: Buffer;
  /** sha256 of the content: swarm secrets and configs are immutable, so a new content is a new object. */
  sha256: string;
}

export interface SwarmServiceTasks {
  /** Tasks the swarm wants running, and those that are. */
  desired: number;
  running: number;
  /** Running tasks on the service's current definition (the engine's `_up-to-date` filter, as `docker service update` waits on). */
  upToDate: number;
  /** The latest error of a task that failed, if any. */
  error?: string;
  /** The swarm's latest rollout of the service (UpdateStatus), when there was one. */
  rollout?: { state: string; message?: string; startedAt?: string };
}

export interface ContainerStatus {
  state: string; // running | exited | ...
  /** starting | healthy | unhealthy, when the container has a healthcheck. */
  health?: string;
  exitCode: number;
  /** A simulated container: no process, so every condition holds at once. */
  simulated?: boolean;
}

export interface SwarmJoinRequest {
  remoteAddrs: string[]; // manager addresses, host:2377
  token: string;
  advertiseAddr: string;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  role: Role;
  state: string; // ready | down | unknown
  availability: string; // active | pause | drain
  labels: Record<string, string>;
  /** Still a member of the managers' raft (lags behind `role` after a demotion). */
  raftMember?: boolean;
}

/** What `docker logs` is asked for. */
export interface LogOptions {
  follow: boolean;
  /** Only the last N lines of each container. */
  tail?: number;
  /** Only lines since this UNIX time (seconds). */
  since?: number;
  /** Each line starts with the engine's RFC 3339 time. */
  timestamps: boolean;
  /** Stops a follow: the call then resolves. */
  signal: AbortSignal;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** One line, without its newline. */
  text: string;
  /** Service logs: the task's slot, or null for a global service's task. */
  slot?: number | null;
}

export interface Engine {
  readonly url: string;
  /** True when the engine answers /_ping. */
  ping(): Promise<boolean>;
  /** Info, all containers, images and swarm state in one call (listing in parallel inside). */
  facts(): Promise<EngineFacts>;
  /** Make `image` present. `source` is an engine to copy it from when pulling fails (save → load). */
  ensureImage(image: string, source?: Engine, opts?: ImageFetch): Promise<'present' | 'pulled' | 'copied'>;
  /**
   * The registry digest a tag points at now (`GET /distribution/{name}/json`, what `docker buildx
   * imagetools inspect` asks), with the user's credentials. Absent: this engine cannot ask a registry.
   */
  resolveDigest?(image: string, auth?: RegistryAuth): Promise<string>;
  /** Create and return the id; a name conflict rejects. */
  createContainer(req: ContainerCreateRequest): Promise<string>;
  /** State, health and exit code of one container (apply waits on them for depends_on conditions). */
  containerStatus(id: string): Promise<ContainerStatus>;
  /** Create; one of that name already there is success. */
  createNetwork(req: NetworkCreateRequest): Promise<void>;
  /** Remove by name; already gone is success. */
  removeNetwork(name: string): Promise<void>;
  /** Swarm-mode services (on a manager). Create returns the id; update rolls to the new spec. */
  createService(req: SwarmServiceRequest): Promise<string>;
  /** `force`: roll every task again even if the definition is unchanged (a rollout the swarm paused). */
  updateService(id: string, req: SwarmServiceRequest, opts?: { force?: boolean }): Promise<void>;
  /** Remove; already gone is success. */
  removeService(id: string): Promise<void>;
  serviceTasks(id: string): Promise<SwarmServiceTasks>;
  /** Put a file into a created container (secrets and configs, before start). */
  putFile(containerId: string, path: string, content: Buffer, mode?: number): Promise<void>;
  /** Start; already running is success. */
  startContainer(id: string): Promise<void>;
  /** Force-remove; already gone is success. */
  removeContainer(id: string): Promise<void>;
  /** Give a container another name (a start-first rolling update parks the old one beside the new); a taken name is a conflict. */
  renameContainer(id: string, name: string): Promise<void>;
  /**
   * Start a swarm. `forceNewCluster` (docker swarm init --force-new-cluster) on a manager of a swarm
   * that lost its quorum: the swarm keeps its state, this node becomes its only manager.
   */
  swarmInit(advertiseAddr: string, opts?: { forceNewCluster?: boolean }): Promise<void>;
  swarmJoinTokens(): Promise<{ worker: string; manager: string }>;
  swarmJoin(req: SwarmJoinRequest): Promise<void>;
  swarmLeave(force: boolean): Promise<void>;
  swarmNodes(): Promise<SwarmNode[]>;
  swarmNodeUpdate(nodeId: string, change: { role?: Role; labels?: Record<string, string>; availability?: string }): Promise<void>;
  swarmNodeRemove(nodeId: string, force: boolean): Promise<void>;
  /**
   * Calls `onEvent` when one of this cluster's containers dies, stops or is removed (watch mode's
   * drift detection). Returns the unsubscribe. Absent: the engine has no event stream (sim).
   */
  subscribe?(cluster: string, onEvent: (what: string) => void): () => void;
  /** A container's output, line by line (docker logs). Absent: the engine runs no processes (sim). */
  containerLogs?(id: string, opts: LogOptions, onLine: (line: LogLine) => void): Promise<void>;
  /** A swarm service's output from all its tasks, on a manager (docker service logs). */
  serviceLogs?(id: string, opts: LogOptions, onLine: (line: LogLine) => void): Promise<void>;
  /** Build `tag` from a local folder (compose `build:`); the host engine does it. */
  buildImage?(tag: string, build: BuildSpec): Promise<void>;
  /** Image export/import, used to copy images between engines. */
  exportImage?(image: string): Promise<NodeJS.ReadableStream>;
  importImage?(tar: NodeJS.ReadableStream): Promise<void>;
}
