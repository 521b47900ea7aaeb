// One compose-style service → ServiceSpec + placement + scale. Accepts compose's many short forms and
// normalises them, so equal intent gives an equal spec (and an equal config hash).
import { isAbsolute, resolve } from 'node:path';
import { parse as shellParse } from 'shell-quote';
import type { BuildSpec, DependencyCondition, Expression, HealthcheckSpec, Resources, ServiceSpec, SwarmServiceSpec, SwarmUpdateConfig, VolumeSpec } from '../model/desired.js';
import { parseExpression, parseSwarmConstraint } from '../sched/expr.js';
import { parseBytes, parseComposeDuration, parseCpus, parseInteger } from './units.js';
import { parsePort } from './ports.js';
import type { Path } from './read.js';
import { parseRollouts, rolloutConfig, type Rollouts } from './rollout.js';

/**
 * Replicas per service, and of all services together: a typo like 1e12 is refused before anything is
 * allocated. The total is what one process plans within Node's heap: measured, a plan of 2,000,000 new
 * replicas on 1,000 sim machines took 40 s and 3.4 GB; 10,000,000 ran out of memory.
 */
export const MAX_SCALE = 1_000_000;
export const MAX_REPLICAS = 2_000_000;

export type Report = (path: Path, message: string, hint?: string) => void;

type Raw = Record<string, unknown>;

export interface ParsedService {
  scale: number;
  mode: 'containers' | 'swarm';
  spec: ServiceSpec;
  dependsOn: string[];
  conditions: Record<string, DependencyCondition>;
  /** `networks:` keys as written, with their aliases; the caller resolves them to engine names. */
  networks: { name: string; aliases: string[]; path: Path }[];
  swarm?: SwarmServiceSpec;
  /** A container service with `deploy.mode: global` (then `scale` is 0). */
  global?: boolean;
  /** deploy.placement.max_replicas_per_node of a container service, when it limits (> 0). */
  maxPerMachine?: number;
  /** deploy.placement.preferences of a container service: the machine labels to spread over, outermost first. */
  spread?: string[];
  constraints: (Expression & { path: Path })[];
  affinities: (Expression & { path: Path })[];
  /** deploy.update_config / rollback_config of a container service (src/manifest/rollout.ts). */
  rollouts: Rollouts;
}

/** `warn`: what is read but not honoured (a volume option), by name, as a warning at its place. */
export function parseService(name: string, raw: Raw, dir: string, report: Report, hostEnv: Record<string, string | undefined> = {}, warn: Report = () => {}): ParsedService {
  const at = (...rest: (string | number)[]): Path => ['services', name, ...rest];
  const deploy = (raw.deploy ?? {}) as Raw;
  const constraints: ParsedService['constraints'] = [];
  const affinities: ParsedService['affinities'] = [];

  const addExpr = (list: 'constraint' | 'affinity', text: string, path: Path, swarmStyle = false) => {
    const r = swarmStyle ? parseSwarmConstraint(text) : parseExpression(text);
    if (!r.ok) return report(path, r.message, r.hint);
    (list === 'constraint' ? constraints : affinities).push({ ...r.expr, path });
  };

  const environment: Record<string, string> = {};
  const env = raw.environment;
  const entries: [string, string | undefined, Path][] = Array.isArray(env)
    ? env.map((e, i) => {
        const s = String(e);
        const eq = s.indexOf('=');
        return eq < 0 ? [s, undefined, at('environment', i)] : [s.slice(0, eq), s.slice(eq + 1), at('environment', i)];
      })
    : Object.entries((env ?? {}) as Raw).map(([k, v]) => [k, v === null || v === undefined ? undefined : String(v), at('environment', k)]);
  for (const [key, value, path] of entries) {
    // The seeds' syntax: `-e constraint:size==xxl`, `-e affinity:container!=db`.
    const m = /^(constraint|affinity):(.*)$/.exec(key);
    if (m) addExpr(m[1] as 'constraint' | 'affinity', `${m[2]}=${value ?? ''}`.replace(/=$/, ''), path);
    // classic's rescheduling directive (cluster/config.go): read, not sent to the container, and said.
    else if (/^reschedule:/.test(key))
      warn(
        path,
        `${key}${value !== undefined ? `=${value}` : ''} is classic Swarm's rescheduling policy: cluster places the replicas of a machine whose engine stays silent elsewhere for every service, after --unreachable-grace (default 5m); this entry is not passed to the container`,
        'remove it, or set --unreachable-grace',
      );
    else if (value !== undefined) environment[key] = value;
    // `- NAME` without a value passes NAME through from where `cluster` runs (unset: left out), as compose does.
    else if (hostEnv[key] !== undefined) environment[key] = hostEnv[key]!;
  }
  // classic's other spelling (cluster/config.go BuildContainerConfig): labels holding JSON lists, read before the environment's.
  swarmLabelExprs(raw.labels, at, report, addExpr);
  for (const [i, c] of ((raw.placement as Raw | undefined)?.constraints as string[] | undefined ?? []).entries()) addExpr('constraint', c, at('placement', 'constraints', i));
  for (const [i, c] of ((raw.placement as Raw | undefined)?.affinities as string[] | undefined ?? []).entries()) addExpr('affinity', c, at('placement', 'affinities', i));
  for (const [i, c] of ((deploy.placement as Raw | undefined)?.constraints as string[] | undefined ?? []).entries()) addExpr('constraint', c, at('deploy', 'placement', 'constraints', i), true);

  const mode = (raw.mode as 'containers' | 'swarm' | undefined) ?? 'containers';
  const global = mode === 'containers' && deploy.mode === 'global';
  const scale = global ? globalScale(raw, deploy, at, report) : parseScale(raw, deploy, at, report);
  const maxPerMachine = maxReplicasPerNode(deploy, at, report);
  const spread = mode === 'containers' ? spreadPreferences(deploy, at, report) : [];
  const spec: ServiceSpec = {
    image: String(raw.image),
    ...optional('build', parseBuild(raw.build, dir)),
    ...optional('command', parseCommand(raw.command)),
    ...optional('entrypoint', parseCommand(raw.entrypoint)),
    environment: sortKeys(environment),
    ports: ((raw.ports ?? []) as unknown[]).flatMap((p, i) => servicePorts(p, raw.mode === 'swarm', (msg, hint) => report(at('ports', i), msg, hint))),
    volumes: ((raw.volumes ?? []) as unknown[]).flatMap((v, i) => parseVolume(v, dir, (msg, hint) => report(at('volumes', i), msg, hint), (msg, hint) => warn(at('volumes', i), msg, hint))),
    labels: sortKeys(toStringMap(raw.labels)),
    ...optional('restart', raw.restart as string | undefined),
    ...optional('healthcheck', parseHealthcheck(raw.healthcheck as Raw | undefined, (p, msg, hint) => report(at('healthcheck', p), msg, hint))),
    ...resources(raw, deploy, at, report),
    links: ((raw.links ?? []) as string[]).map(String),
    volumesFrom: ((raw.volumes_from ?? []) as string[]).map(String),
    ...optional('networkMode', raw.network_mode as string | undefined),
    ...optional('expose', raw.expose === undefined ? undefined : (raw.expose as unknown[]).map((e) => (String(e).includes('/') ? String(e) : `${e}/tcp`))),
    ...optional('hostname', raw.hostname as string | undefined),
    ...optional('containerName', raw.container_name as string | undefined),
    ...optional('capAdd', raw.cap_add === undefined ? undefined : (raw.cap_add as unknown[]).map(String).sort()),
    ...optional('capDrop', raw.cap_drop === undefined ? undefined : (raw.cap_drop as unknown[]).map(String).sort()),
    ...optional('stopSignal', raw.stop_signal as string | undefined),
  };
  // The engine's restart policies (the manifest schema's pattern), checked here for compose files too.
  if (spec.restart !== undefined && !/^(no|always|unless-stopped|on-failure(:[0-9]+)?)$/.test(spec.restart)) report(at('restart'), `invalid restart policy ${JSON.stringify(spec.restart)}`, 'no, always, on-failure[:N] or unless-stopped');
  if (spec.containerName !== undefined && scale > 1) report(at('container_name'), `container_name ${spec.containerName} allows one replica, but scale is ${scale}`, 'remove container_name or set scale: 1');

  const dependsOn = new Set<string>();
  const conditions: Record<string, DependencyCondition> = {};
  const dep = raw.depends_on;
  for (const d of Array.isArray(dep) ? dep : Object.keys((dep ?? {}) as Raw)) dependsOn.add(String(d));
  if (dep && !Array.isArray(dep)) {
    for (const [d, v] of Object.entries(dep as Raw)) {
      const condition = (v as Raw | null)?.condition as DependencyCondition | undefined;
      if (condition && condition !== 'service_started') conditions[d] = condition;
    }
  }
  const networks = parseNetworks(raw.networks, at);
  for (const l of spec.links) dependsOn.add(l.split(':')[0]!);
  for (const v of spec.volumesFrom) if (!v.startsWith('container:')) dependsOn.add(v.split(':')[0]!);
  if (spec.networkMode?.startsWith('service:')) dependsOn.add(spec.networkMode.slice('service:'.length));

  if (mode === 'swarm') {
    for (const e of [...constraints, ...affinities].filter((x) => x.path[2] === 'environment' || x.path[2] === 'labels')) {
      report(e.path, `${e.text} places containers; the swarm places a \`mode: swarm\` service`, 'use deploy.placement.constraints, e.g. node.labels.size == xxl');
    }
  }
  const rollouts = parseRollouts(deploy, mode, at, report, warn);
  return { scale, mode, spec, dependsOn: [...dependsOn], conditions, networks, constraints, affinities, rollouts, ...(global ? { global } : {}), ...(maxPerMachine && mode === 'containers' ? { maxPerMachine } : {}), ...(spread.length ? { spread } : {}), ...(mode === 'swarm' ? { swarm: swarmSpec(deploy, at, report, maxPerMachine) } : {}) };
}

/** `com.docker.swarm.constraints='["zone==eu"]'` and `com.docker.swarm.affinities`: each entry an expression. */
function swarmLabelExprs(labels: unknown, at: (...r: (string | number)[]) => Path, report: Report, add: (list: 'constraint' | 'affinity', text: string, path: Path) => void): void {
  for (const [list, key] of [['constraint', 'com.docker.swarm.constraints'], ['affinity', 'com.docker.swarm.affinities']] as const) {
    const value = toStringMap(labels)[key];
    if (value === undefined) continue;
    const path = Array.isArray(labels) ? at('labels', labels.findIndex((e) => String(e).startsWith(`${key}=`))) : at('labels', key);
    let exprs: unknown;
    try {
      exprs = JSON.parse(value);
    } catch {
      exprs = undefined;
    }
    if (!Array.isArray(exprs) || !exprs.every((e) => typeof e === 'string')) {
      report(path, `${key} must be a JSON list of expressions (got ${JSON.stringify(value)})`, `e.g. ${key}: '["zone==eu"]', or write them in placement:`);
      continue;
    }
    for (const e of exprs as string[]) add(list, e, path);
  }
}

/** docker stack deploy's `deploy:` keys, for a service the swarm runs. */
function swarmSpec(deploy: Raw, at: (...r: (string | number)[]) => Path, report: Report, maxReplicas: number | undefined): SwarmServiceSpec {
  const placement = (deploy.placement ?? {}) as Raw;
  const update = swarmUpdateConfig(deploy, 'update_config', at, report);
  const rollback = swarmUpdateConfig(deploy, 'rollback_config', at, report);
  return {
    mode: deploy.mode === 'global' ? 'global' : 'replicated',
    constraints: ((placement.constraints ?? []) as unknown[]).map(String),
    spread: ((placement.preferences ?? []) as Raw[]).flatMap((p) => (p?.spread === undefined ? [] : [String(p.spread)])),
    ...(maxReplicas ? { maxReplicas } : {}),
    ...(update ? { update } : {}),
    ...(rollback ? { rollback } : {}),
  };
}

/** The keys written, checked (src/manifest/rollout.ts) and passed on: the swarm fills in the rest with its defaults. */
function swarmUpdateConfig(deploy: Raw, key: 'update_config' | 'rollback_config', at: (...r: (string | number)[]) => Path, report: Report): SwarmUpdateConfig | undefined {
  const u = deploy[key] as Raw | undefined;
  if (!u) return undefined;
  const full = rolloutConfig(u, key, at, report);
  const out: SwarmUpdateConfig = {};
  if (u.parallelism !== undefined) out.parallelism = full.parallelism;
  if (u.delay !== undefined) out.delayMs = full.delayMs;
  if (u.order !== undefined) out.order = full.order;
  if (u.failure_action !== undefined) out.failureAction = full.failureAction;
  if (u.monitor !== undefined) out.monitorMs = full.monitorMs;
  if (u.max_failure_ratio !== undefined) out.maxFailureRatio = full.maxFailureRatio;
  return out;
}

/** `build: ./dir` or `build: { context, dockerfile, args, target }`. */
function parseBuild(v: unknown, dir: string): BuildSpec | undefined {
  if (v === undefined || v === null) return undefined;
  const o = (typeof v === 'string' ? { context: v } : v) as Raw;
  return {
    context: resolvePath(String(o.context ?? '.'), dir),
    ...optional('dockerfile', o.dockerfile as string | undefined),
    ...optional('args', o.args === undefined ? undefined : sortKeys(toStringMap(o.args))),
    ...optional('target', o.target as string | undefined),
  };
}

/** `networks: [a, b]` or `networks: { a: { aliases: [x] }, b: null }`. */
function parseNetworks(v: unknown, at: (...r: (string | number)[]) => Path): ParsedService['networks'] {
  if (Array.isArray(v)) return v.map((n, i) => ({ name: String(n), aliases: [], path: at('networks', i) }));
  return Object.entries((v ?? {}) as Raw).map(([name, o]) => ({ name, aliases: (((o as Raw | null)?.aliases ?? []) as unknown[]).map(String), path: at('networks', name) }));
}

/**
 * `preferences: [{ spread: node.labels.zone }]` → ['zone']. swarmkit spreads over node.labels.KEY and
 * engine.labels.KEY (prefixes in any case) and skips any other descriptor (nodeset.go tree); here
 * both name the machine's labels, and another descriptor is an error rather than skipped.
 */
function spreadPreferences(deploy: Raw, at: (...r: (string | number)[]) => Path, report: Report): string[] {
  const prefs = (deploy.placement as Raw | undefined)?.preferences;
  if (!Array.isArray(prefs)) return [];
  const out: string[] = [];
  prefs.forEach((p, i) => {
    const d = (p as Raw | null)?.spread;
    const m = typeof d === 'string' ? /^(?:node|engine)\.labels\.(.+)$/i.exec(d) : null;
    if (m) out.push(m[1]!);
    else report(at('deploy', 'placement', 'preferences', i, ...(d === undefined ? [] : ['spread'])), `cannot spread over ${JSON.stringify(d)}: a machine label is spread over, written node.labels.KEY`, 'e.g. spread: node.labels.zone');
  });
  return out;
}

/** swarmkit's Placement.MaxReplicas: a whole number, 0 = no limit (filter.go MaxReplicasFilter.SetTask). */
function maxReplicasPerNode(deploy: Raw, at: (...r: (string | number)[]) => Path, report: Report): number | undefined {
  const value = (deploy.placement as Raw | undefined)?.max_replicas_per_node;
  if (value === undefined) return undefined;
  const path = at('deploy', 'placement', 'max_replicas_per_node');
  const n = parseInteger(value);
  if (n === undefined || n < 0) return report(path, `max_replicas_per_node must be a whole number ≥ 0 (got ${JSON.stringify(value)})`, 'e.g. 2; 0 means no limit'), undefined;
  return n;
}

/**
 * A global service runs one replica per eligible machine: a replica count contradicts it, so it is an
 * error where it is written (swarmkit's GlobalService has no replica count: api/specs.proto).
 */
function globalScale(raw: Raw, deploy: Raw, at: (...r: (string | number)[]) => Path, report: Report): number {
  for (const [value, path] of [[raw.scale, at('scale')], [deploy.replicas, at('deploy', 'replicas')]] as const) {
    if (value !== undefined) report(path, `${path.slice(2).join('.')} sets a replica count, but deploy.mode is global: one replica runs on each eligible machine`, 'remove it, or remove deploy.mode: global');
  }
  return 0;
}

function parseScale(raw: Raw, deploy: Raw, at: (...r: (string | number)[]) => Path, report: Report): number {
  const check = (v: unknown, path: Path): number | undefined => {
    if (v === undefined) return undefined;
    const n = parseInteger(v);
    if (n === undefined || n < 0) return report(path, `scale must be a whole number ≥ 0 (got ${JSON.stringify(v)})`, 'e.g. `scale: 10`'), 0;
    if (n > MAX_SCALE) return report(path, `scale ${n} is absurd: at most ${MAX_SCALE.toLocaleString('en')} replicas per service`, 'split the service, or check for a typo'), 0;
    return n;
  };
  const scale = check(raw.scale, at('scale'));
  const replicas = check(deploy.replicas, at('deploy', 'replicas'));
  if (scale !== undefined && replicas !== undefined && scale !== replicas) {
    report(at('deploy', 'replicas'), `deploy.replicas (${replicas}) contradicts scale (${scale})`, 'keep one of them');
  }
  return scale ?? replicas ?? 1;
}

/**
 * Limits and reservations from `cpus`, `mem_limit`, `mem_reservation` and deploy.resources, each
 * error at its own value. Both spellings of one setting must agree, as compose-go's checkConsistency
 * (loader/validate.go) requires ("can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'").
 */
function resources(raw: Raw, deploy: Raw, at: (...r: (string | number)[]) => Path, report: Report): { reservations: Resources; limits: Resources } {
  const res = (deploy.resources ?? {}) as Raw;
  const r = (res.reservations ?? {}) as Raw;
  const l = (res.limits ?? {}) as Raw;
  const cpus = (v: unknown, path: Path) => {
    const c = parseCpus(v);
    if (c === undefined) report(path, `invalid cpus ${JSON.stringify(v)}`, 'a number of cores, e.g. 0.5 or "1.5"');
    return c;
  };
  const bytes = (v: unknown, path: Path) => {
    const m = parseBytes(v);
    if (m === undefined) report(path, `invalid memory size ${JSON.stringify(v)}`, 'bytes, or a size with a unit: 512m, 1.5g, 256MiB');
    return m;
  };
  /** The one value of a setting written under a service key and/or under deploy.resources. */
  const one = (parse: (v: unknown, path: Path) => number | undefined, key: string, deployPath: string[], deployValue: unknown): number | undefined => {
    const own = raw[key] === undefined ? undefined : parse(raw[key], at(key));
    const fromDeploy = deployValue === undefined ? undefined : parse(deployValue, at('deploy', 'resources', ...deployPath));
    if (own !== undefined && fromDeploy !== undefined && own !== fromDeploy) {
      report(at('deploy', 'resources', ...deployPath), `\`${key}\` (${JSON.stringify(raw[key])}) and deploy.resources.${deployPath.join('.')} (${JSON.stringify(deployValue)}) differ`, 'keep one of them, as docker compose requires');
    }
    return fromDeploy ?? own;
  };
  const limits = { cpus: one(cpus, 'cpus', ['limits', 'cpus'], l.cpus) ?? 0, memory: one(bytes, 'mem_limit', ['limits', 'memory'], l.memory) ?? 0 };
  // Classic Swarm reserves what the container asks for: an explicit reservation, else the limit.
  const reservedCpus = r.cpus === undefined ? undefined : cpus(r.cpus, at('deploy', 'resources', 'reservations', 'cpus'));
  const reservedMemory = one(bytes, 'mem_reservation', ['reservations', 'memory'], r.memory);
  const explicit = r.cpus !== undefined || r.memory !== undefined;
  return { reservations: explicit ? { cpus: reservedCpus ?? 0, memory: reservedMemory ?? 0 } : { cpus: limits.cpus, memory: reservedMemory ?? limits.memory }, limits };
}

function parseCommand(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String);
  // Interpolation has already happened; what still looks like $VAR is for the container's shell.
  return shellParse(String(v), (key) => `\${${key}}`).map((t) => (typeof t === 'string' ? t : 'op' in t ? t.op : String(t)));
}

type Problem = (message: string, hint?: string) => void;

/** A swarm publishes one port per target on every node (docker stack deploy's convertEndpointSpec has no host IP): the rest is an error, not dropped. */
function servicePorts(p: unknown, swarm: boolean, problem: (message: string, hint?: string) => void) {
  const ports = parsePort(p, problem);
  if (!swarm) return ports;
  if (ports.some((x) => x.hostIp !== undefined)) return problem(`a \`mode: swarm\` service cannot publish on a host IP (${JSON.stringify(p)})`, 'the swarm publishes on every node: leave the IP out'), [];
  if (ports.some((x) => x.publishedEnd !== undefined)) return problem(`a \`mode: swarm\` service publishes one port per target, not a range to pick from (${JSON.stringify(p)})`, 'give as many published ports as targets, e.g. 8000-8001:80-81'), [];
  return ports;
}

const VOLUME_KEYS = new Set(['type', 'source', 'target', 'read_only']);

/**
 * Short syntax as compose-go's format.ParseVolume reads it: SOURCE:TARGET[:OPTIONS], or TARGET alone
 * (anonymous); a source starting with . / ~ is a bind mount (resolved), else a named volume; options
 * are comma-separated. `ro`/`rw` are honoured; the others (nocopy, z, Z, propagation, cached...) are
 * told to `notice` by name rather than dropped. Long syntax: type, source, target, read_only; other
 * keys (bind:, volume:, tmpfs:, consistency) are told to `notice` the same way.
 */
export function parseVolume(v: unknown, dir: string, problem: Problem, notice: Problem = () => {}): VolumeSpec[] {
  if (v && typeof v === 'object') {
    const o = v as Raw;
    const type = o.type === undefined ? 'volume' : String(o.type);
    if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') return problem(`volume type ${JSON.stringify(type)} is not supported by cluster`, 'volume, bind or tmpfs'), [];
    if (typeof o.target !== 'string' || o.target === '') return problem(`volume ${JSON.stringify(v)} has no target`, 'the path inside the container, e.g. `target: /data`'), [];
    for (const key of Object.keys(o)) if (!VOLUME_KEYS.has(key) && !key.startsWith('x-')) notice(`\`${key}\` of volume ${o.target} is not supported by cluster yet and is ignored`);
    const source = o.source === undefined ? undefined : type === 'bind' ? resolvePath(String(o.source), dir) : String(o.source);
    return [{ type, ...optional('source', source), target: o.target, readOnly: o.read_only === true }];
  }
  const spec = String(v);
  const bad = (why: string) => (problem(`invalid volume ${JSON.stringify(spec)}: ${why}`, 'write NAME:/path, ./dir:/path or /path, optionally :ro'), [] as VolumeSpec[]);
  if (spec === '') return bad('empty');
  const parts = spec.length <= 2 ? [spec] : spec.split(':');
  if (parts.some((p) => p === '')) return bad('an empty section between colons');
  if (parts.length > 3) return bad('too many colons');
  const [first, second, options] = parts as [string, string | undefined, string | undefined];
  const target = second ?? first;
  if (!target.startsWith('/')) return bad(`the target ${target} is not an absolute path`);
  let readOnly = false;
  for (const option of (options ?? '').split(',').filter(Boolean)) {
    if (option === 'ro' || option === 'rw') readOnly = option === 'ro';
    else notice(`volume option \`${option}\` of ${target} is not supported by cluster yet and is ignored`);
  }
  if (second === undefined) return [{ type: 'volume', target, readOnly }];
  const bind = /^[./~]/.test(first);
  return [{ type: bind ? 'bind' : 'volume', source: bind ? resolvePath(first, dir) : first, target, readOnly }];
}

function resolvePath(p: string, dir: string): string {
  if (p.startsWith('~')) return resolve(process.env.HOME ?? '/', p.slice(1).replace(/^\//, ''));
  return isAbsolute(p) ? p : resolve(dir, p);
}

/** Service durations are compose's (types.Duration): a number needs its unit, as docker compose refuses `interval: 30`. */
const DURATION_HINT = 'a number with a unit: 500ms, 10s, 1m30s, 1h (0 alone is 0)';

function parseHealthcheck(h: Raw | undefined, report: (path: string, message: string, hint?: string) => void): HealthcheckSpec | undefined {
  if (!h || h.disable === true) return h?.disable ? { test: ['NONE'] } : undefined;
  const test = h.test === undefined ? [] : Array.isArray(h.test) ? h.test.map(String) : ['CMD-SHELL', String(h.test)];
  // compose-go checkConsistency: a list names how the engine runs it.
  if (Array.isArray(h.test) && test.length && !['CMD', 'CMD-SHELL', 'NONE'].includes(test[0]!)) report('test', `healthcheck.test must start with "CMD", "CMD-SHELL" or "NONE" (got ${JSON.stringify(test[0])})`);
  const out: HealthcheckSpec = { test };
  for (const [key, field] of [['interval', 'intervalMs'], ['timeout', 'timeoutMs'], ['start_period', 'startPeriodMs']] as const) {
    if (h[key] === undefined) continue;
    const ms = parseComposeDuration(h[key]);
    if (ms === undefined) report(key, `invalid duration ${JSON.stringify(h[key])} for ${key}`, DURATION_HINT);
    else out[field] = ms;
  }
  if (h.retries !== undefined) {
    const n = parseInteger(h.retries);
    if (n === undefined || n < 0) report('retries', `retries must be a whole number (got ${JSON.stringify(h.retries)})`);
    else out.retries = n;
  }
  return out;
}

/** Labels and similar: a map, or a list of "k=v". */
export function toStringMap(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    return Object.fromEntries(v.map((e) => {
      const s = String(e);
      const eq = s.indexOf('=');
      return eq < 0 ? [s, ''] : [s.slice(0, eq), s.slice(eq + 1)];
    }));
  }
  return Object.fromEntries(Object.entries((v ?? {}) as Raw).map(([k, x]) => [k, x === null || x === undefined ? '' : String(x)]));
}

export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
