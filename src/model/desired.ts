// Desired state: what the manifest asks for, normalised. Plain JSON-serialisable data.

/** Where something was written, for messages that point back at the manifest. */
export interface SourcePosition {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export type Role = 'manager' | 'worker';
export type DriverName = 'docker' | 'generic' | 'sim' | 'ssh';
export type StrategyName = 'spread' | 'binpack' | 'random';
export type FilterName = 'health' | 'port' | 'dependency' | 'affinity' | 'constraint' | 'max_replicas_per_node' | 'availability';
/** The filters scheduler.filters chooses from (classic's); max_replicas_per_node applies wherever a service sets it. */
export const ALL_FILTERS: readonly FilterName[] = ['health', 'port', 'dependency', 'affinity', 'constraint'];

export interface Desired {
  /** Cluster name: prefix of every object the tool owns (`io.cluster.name`). */
  name: string;
  /** Absolute path of the manifest; its folder holds `.env` and `.cluster/`. */
  file: string;
  machines: DesiredMachine[]; // `count` expanded, manifest order
  services: DesiredService[]; // manifest order
  scheduler: SchedulerConfig;
  simulation: SimulationConfig;
  /** A destroy (`cluster destroy`, `plan --destroy`): what goes is destroyed, not "left the manifest". */
  destroying?: true;
  /** Environment variable names whose values are masked everywhere (besides *PASSWORD* etc.). */
  sensitive?: string[];
  /** Networks services attach to (compose `networks:`); absent when no service uses one. */
  networks?: DesiredNetwork[];
}

/**
 * A network of the cluster. With swarm roles it is an attachable overlay created once on a manager,
 * so containers on different machines reach each other by service name; without, a bridge on each
 * machine that needs it (and services that share one are kept together).
 */
export interface DesiredNetwork {
  /** The key in the manifest or compose file. */
  name: string;
  /** The engine's name for it: `<cluster>_<name>`, or the name of an external network as written. */
  engineName: string;
  /** Made by someone else: used, never created or removed. */
  external: boolean;
  position: SourcePosition;
}

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface SchedulerConfig {
  strategy: StrategyName;
  /** Seed of the random strategy, so plans stay reproducible. */
  seed: number;
  filters: FilterName[];
  /**
   * classic's swarm.overcommit: each machine counts as this fraction larger (cluster/engine.go
   * TotalCpus/TotalMemory). 0 when not set; classic's own default was 0.05.
   */
  overcommit?: number;
}

/** Sim driver knobs: latency (ms) and failure probability per action kind, `default` for the rest. */
export interface SimulationConfig {
  latencyMs: Record<string, number>;
  failureRate: Record<string, number>;
  seed: number;
}

export interface DesiredMachine {
  /** Machine name; `count: N` under key `web` yields web-1..web-N. */
  name: string;
  /** The manifest key this machine came from. */
  group: string;
  driver: DriverName;
  role?: Role;
  /** Engine labels (docker-machine's --engine-label). */
  labels: Record<string, string>;
  /** Capacity: cpus (cores) and memory (bytes). Sim machines must say; real ones report it. */
  cpus?: number;
  memory?: number;
  /** dockerd daemon.json keys (`engine:`), merged into the machine's daemon.json; absent when none. */
  engine?: Record<string, unknown>;
  /** Driver options, as written (docker: image, host, privileged; generic: url, tls; ssh: host, port, user, identity, host-key; sim: nothing yet). */
  options: Record<string, unknown>;
  protect: boolean;
  /**
   * Swarm node availability (swarmkit's NodeSpec.Availability): `pause` takes no new replicas, `drain`
   * takes none and its replicas move elsewhere. Absent: active.
   */
  availability?: Availability;
  position: SourcePosition;
}

export type Availability = 'active' | 'pause' | 'drain';

export type ExpressionOp = '==' | '!=';

/** A classic-Swarm placement expression: `key==value`, `key!=value`, soft with `~`. */
export interface Expression {
  key: string;
  op: ExpressionOp;
  /** A Go regular expression: `/regex/` searched for, else `^value$` with `*` → `.*` (classic expr.go). */
  value: string;
  soft: boolean;
  /** Compose-style (`node.labels.k == v`): the value is compared literally, ignoring case, as swarmkit does. */
  literal?: true;
  /** As the user wrote it, for explanations. */
  text: string;
  position?: SourcePosition;
}

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

/** One container port (ranges are expanded); no `published` is a host port the engine picks, as compose binds it. */
export interface PortSpec {
  target: number;
  published?: number;
  /** `8000-8010:80`: the engine picks a free host port from published..publishedEnd. */
  publishedEnd?: number;
  protocol: PortProtocol;
  hostIp?: string;
  /** Swarm-mode services: `host` publishes on the node running the task, else the routing mesh. */
  mode?: 'host' | 'ingress';
}

/** How the swarm runs a `mode: swarm` service (docker stack deploy's `deploy:` section). */
export interface SwarmServiceSpec {
  mode: 'replicated' | 'global';
  /** Swarm placement constraints as written, e.g. `node.labels.size == xxl`. */
  constraints: string[];
  /** Spread preferences: the label to spread over, e.g. `node.labels.zone`. */
  spread: string[];
  /** deploy.placement.max_replicas_per_node (swarmkit Placement.MaxReplicas); absent = no limit. */
  maxReplicas?: number;
  update?: SwarmUpdateConfig;
  /** rollback_config: how the swarm rolls a failed update back. */
  rollback?: SwarmUpdateConfig;
}

/** update_config / rollback_config as written (the swarm applies its defaults to the rest). */
export interface SwarmUpdateConfig {
  parallelism?: number;
  delayMs?: number;
  order?: 'stop-first' | 'start-first';
  failureAction?: string;
  monitorMs?: number;
  maxFailureRatio?: number;
}

export interface VolumeSpec {
  type: 'volume' | 'bind' | 'tmpfs';
  source?: string;
  target: string;
  readOnly: boolean;
}

export interface HealthcheckSpec {
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

export interface Resources {
  cpus: number; // cores, 0 = not requested
  memory: number; // bytes, 0 = not requested
}

/** The normalised container spec of a service: what is hashed and what is created. */
export interface BuildSpec {
  /** Absolute folder sent to the engine. */
  context: string;
  dockerfile?: string;
  args?: Record<string, string>;
  target?: string;
}

export interface ServiceSpec {
  image: string;
  /** compose `build:`: the image is built on the host engine, then copied to the machines needing it. */
  build?: BuildSpec;
  command?: string[];
  entrypoint?: string[];
  /** Real environment (the `constraint:`/`affinity:` entries are removed). Keys sorted. */
  environment: Record<string, string>;
  ports: PortSpec[];
  volumes: VolumeSpec[];
  labels: Record<string, string>;
  restart?: string;
  healthcheck?: HealthcheckSpec;
  reservations: Resources;
  limits: Resources;
  /** `links:` as `service` or `service:alias`. */
  links: string[];
  volumesFrom: string[];
  networkMode?: string;
  /** Networks by engine name, each with the names it is reachable by (the service name first). */
  networks?: { network: string; aliases: string[] }[];
  /** Ports the container listens on without publishing them (compose `expose`), e.g. "9090/tcp". */
  expose?: string[];
  hostname?: string;
  /** compose `container_name`: the container's exact name (the service then has one replica). */
  containerName?: string;
  capAdd?: string[];
  capDrop?: string[];
  stopSignal?: string;
  /** compose secrets and configs: files put into the container before it starts (content by hash only). */
  files?: FileMount[];
}

export interface FileMount {
  kind: 'secret' | 'config';
  name: string;
  /** Absolute path in the container. */
  target: string;
  /** `file:` — absolute path on this computer; read at apply time. */
  source?: string;
  /** `environment:` — the variable whose value is the content. The value itself is never recorded: see mountContent. */
  env?: string;
  /** `content:` (configs only) — the content as written; a config is not a secret. */
  content?: string;
  /** sha256 of the content when the manifest was read: a changed secret replaces the container. */
  sha256: string;
  mode?: number;
}

/** One replica (or task) per eligible machine, whether cluster places it (global) or the swarm does (swarm mode global). */
export function isGlobal(s: DesiredService): boolean {
  return s.global === true || s.swarm?.mode === 'global';
}

export interface DesiredService {
  name: string;
  scale: number;
  mode: 'containers' | 'swarm';
  spec: ServiceSpec;
  /** sha256 (hex) of the canonical JSON of `spec`: a changed spec means replace. */
  configHash: string;
  /** Services that must exist first: depends_on plus links, volumes_from, network_mode service:. */
  dependsOn: string[];
  /** depends_on conditions other than service_started: what apply waits for before starting this one. */
  conditions?: Record<string, DependencyCondition>;
  /** Services whose replicas this one must share a machine with (network peers when there is no swarm). */
  together?: string[];
  /** `mode: swarm`: the swarm schedules it; `scale` is its replica count (replicated mode). */
  swarm?: SwarmServiceSpec;
  /**
   * compose's pull_policy; absent = `missing` (pulled only when a machine lacks it). `always`: the tag
   * is resolved to a digest at every plan, and a new digest replaces the replicas. `never`: never
   * pulled (copied from the host engine where it has it). `build`: built from `build:`, never pulled.
   */
  pullPolicy?: 'always' | 'never' | 'build';
  /** The registry digest `always` resolved this plan (sha256:...), set by the plan from what was observed. */
  imageDigest?: string;
  /** A container service with `deploy.mode: global`: one replica on each eligible machine (`scale` is 0, unused). */
  global?: true;
  /** A container service's deploy.update_config: a changed service is replaced batch by batch. Absent: all at once. */
  update?: RolloutConfig;
  /** deploy.rollback_config (with swarmkit's defaults): how an update with failure_action rollback is undone. */
  rollback?: RolloutConfig;
  /**
   * `x-cluster: { ignore_changes: [...] }` (Terraform's lifecycle.ignore_changes): fields whose difference
   * from what runs neither replaces nor updates it (src/plan/ignore.ts). Absent when none.
   */
  ignoreChanges?: IgnoredField[];
  placement: {
    constraints: Expression[];
    affinities: Expression[];
    /** deploy.placement.max_replicas_per_node: at most this many replicas on one machine. */
    maxPerMachine?: number;
    /** deploy.placement.preferences spread, outermost first: the machine label each spreads over (`zone` for node.labels.zone). */
    spread?: string[];
  };
  position: SourcePosition;
}

/** One `ignore_changes` entry: the field as written, and the JSON Pointers into the comparable spec it covers ('/scale': the replica count). */
export interface IgnoredField {
  field: string;
  pointers: string[];
}

/**
 * How replicas are replaced batch by batch (swarmkit's api.UpdateConfig; defaults from its
 * api/defaults/service.go: parallelism 1, monitor 5 s, stop-first, failure_action pause, ratio 0).
 */
export interface RolloutConfig {
  /** Replicas per batch; 0 = all at once (swarmkit updater.go Run). */
  parallelism: number;
  delayMs: number;
  order: 'stop-first' | 'start-first';
  /** A new container must keep running (and be healthy, with a healthcheck) this long after it starts. */
  monitorMs: number;
  /** rollback is never the action of a rollback (swarmkit: "never roll back a rollback"). */
  failureAction: 'pause' | 'continue' | 'rollback';
  /** Failed replicas / replicas to update tolerated before failure_action (swarmkit: ratio > max triggers). */
  maxFailureRatio: number;
}

/** A sim machine's size when its manifest entry gives none (a simulated machine always has one). */
export const SIM_DEFAULT_CPUS = 2;
export const SIM_DEFAULT_MEMORY = 2 * 1024 ** 3;
