// YAML manifest → Desired. Never throws for bad input: every problem is a Diagnostic with a place.
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { ALL_FILTERS, type FileMount, type Desired, type DesiredMachine, type DesiredService, type DriverName, type FilterName, type SchedulerConfig, type SimulationConfig, type SourcePosition } from '../model/desired.js';
import { sha256OfJson } from './hash.js';
import { engineUrlProblem } from './engine-url.js';
import { didYouMean } from './hints.js';
import { interpolate, readDotEnv, type Env } from './interpolate.js';
import { importCompose, type ComposeImport, type ComposeOptions } from './compose-import.js';
import { resolveNetworks, type NetworkUse } from './networks.js';
import { locate, readSource, type Path, type Source } from './read.js';
import { MAX_REPLICAS, parseService, sortKeys, toStringMap } from './service.js';
import { parseBytes, parseCpus, parseDuration, parseInteger } from './units.js';
import { validateSchema } from './validate.js';
import { castTypedFields } from '../compose/cast.js';
import { isScalar, isSeq } from 'yaml';
import { declareSensitive } from '../model/secrets.js';
import { RESERVED_ENGINE_KEYS } from '../model/engine-options.js';
import { DRIVER_NAMES, traitsOf } from '../providers/index.js';
import { SIM_KINDS } from '../providers/sim/conditions.js';

export type LoadResult =
  | { ok: true; desired: Desired; warnings: Diagnostic[]; files: string[] }
  | { ok: false; diagnostics: Diagnostic[]; files: string[] };

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
/** Machines per cluster (all `count:`s together): checked before a name is made, so 1e12 costs nothing. */
export const MAX_MACHINES = 100_000;

type Raw = Record<string, unknown>;

export interface LoadOptions {
  env?: Env;
  /** Compose files to import besides the manifest's own `compose:` (the CLI's -c). */
  compose?: string[];
  /** Compose profiles to enable (the CLI's --profile; COMPOSE_PROFILES is read too). */
  profiles?: string[];
  /** The manifest's text when it is not on disk (the default manifest of `-c` without cluster.yml). */
  text?: string;
}

export function loadManifest(file: string, opts: LoadOptions = {}): LoadResult {
  const path = resolve(file);
  const dotEnv = join(dirname(path), '.env');
  const files = [path, dotEnv];
  const read = readSource(path, opts.text === undefined ? undefined : Buffer.from(opts.text));
  if (!read.ok) return { ok: false, diagnostics: read.diagnostics, files };
  const source = read.source;

  // Before anything is interpolated (.env included): which variables are secrets.
  declareSensitive(listedSensitive(source));
  const shell = opts.env ?? process.env;
  const envProblems: Diagnostic[] = [];
  const env = { ...readDotEnv(dotEnv, shell, (message, hint) => envProblems.push({ severity: 'error', file: dotEnv, line: 0, col: 0, message, hint })), ...shell };
  if (envProblems.length) return { ok: false, diagnostics: envProblems, files };
  const interpolation = interpolate(source, env);
  const errors = interpolation.filter((d) => d.severity === 'error');
  const warnings = interpolation.filter((d) => d.severity === 'warning');
  if (errors.length) return { ok: false, diagnostics: sorted(errors), files };

  let data: Raw;
  try {
    data = source.doc.toJS({ maxAliasCount: 100 }) as Raw;
  } catch (err) {
    return { ok: false, diagnostics: [{ severity: 'error', file: path, line: 1, col: 1, message: `cannot read the manifest: ${(err as Error).message}` }], files };
  }
  // `replicas: ${N}`, `read_only: ${RO}`: typed as compose-go types them, as in a compose file.
  castTypedFields(data, source);
  const schemaErrors = validateSchema(source, data);
  if (schemaErrors.length) return { ok: false, diagnostics: sorted(schemaErrors), files };

  const composeOpts = composeOptions(data.compose, dirname(path), opts);
  const imported = composeOpts.files.length ? importCompose(composeOpts, env, () => String(data.name)) : undefined;
  // The default manifest of `-c` takes the compose project's name, as compose would call it.
  if (opts.text !== undefined && imported?.name) data.name = imported.name;
  files.push(...(imported?.files ?? []));
  const composeErrors = imported?.diagnostics.filter((d) => d.severity === 'error') ?? [];
  warnings.push(...(imported?.diagnostics.filter((d) => d.severity === 'warning') ?? []));
  if (composeErrors.length && !imported?.sources.length) return { ok: false, diagnostics: sorted(composeErrors), files };

  const problems: Diagnostic[] = [...composeErrors];
  const report = (p: Path, message: string, hint?: string, part: 'key' | 'value' = 'value') => problems.push({ severity: 'error', file: path, ...locate(source, p, part), message, hint });
  const before = imported?.diagnostics.length ?? 0;
  const warn = (p: Path, message: string, hint?: string, part: 'key' | 'value' = 'value') => warnings.push({ severity: 'warning', file: path, ...locate(source, p, part), message, hint });
  const desired = build(source, data, report, warn, env, imported);
  // What the compose services' own checks (scale, ports, ...) found while building, at their place.
  const late = imported?.diagnostics.slice(before) ?? [];
  problems.push(...late.filter((d) => d.severity === 'error'));
  warnings.push(...late.filter((d) => d.severity === 'warning'));
  if (problems.length) return { ok: false, diagnostics: sorted(dedupe(problems)), files };
  return { ok: true, desired, warnings, files };
}

/** The names under `sensitive:`, read before interpolation (the schema checks them after). */
function listedSensitive(source: Source): string[] {
  const list = source.doc.get('sensitive');
  return isSeq(list) ? list.items.flatMap((i) => (isScalar(i) && typeof i.value === 'string' ? [i.value] : [])) : [];
}

type ReportAt = (p: Path, message: string, hint?: string, part?: 'key' | 'value') => void;

function build(source: Source, data: Raw, report: ReportAt, warn: ReportAt, env: Env, imported?: ComposeImport): Desired {
  const dir = dirname(source.file);
  const pos = (p: Path, part: 'key' | 'value' = 'key'): SourcePosition => ({ file: source.file, ...locate(source, p, part) });
  const name = String(data.name);
  if (!NAME.test(name)) report(['name'], `invalid cluster name ${JSON.stringify(name)}`, 'lower-case letters, digits, - _ . (it prefixes machine and container names)');

  const machines = buildMachines((data.machines ?? {}) as Raw, dir, pos, report);
  const uses: NetworkUse[] = [];
  const own: ServiceSource[] = Object.entries((data.services ?? {}) as Raw).map(([n, raw]) => ({ name: n, raw: (raw ?? {}) as Raw, dir, report, warn, pos }));
  for (const s of imported?.sources ?? []) {
    const clash = own.find((o) => o.name === s.name);
    if (clash) {
      const there = s.pos(['services', s.name]);
      report(['services', s.name], `service ${s.name} is defined twice: here and in ${there.file}:${there.line}:${there.col}`, 'rename one of them, or remove it from the manifest to use the compose file’s', 'key');
    }
  }
  const sources = [...own, ...(imported?.sources ?? []).filter((s) => !own.some((o) => o.name === s.name))];
  const services = buildServices(sources, env, uses);
  const swarm = machines.some((m) => m.role === 'manager');
  for (const s of services) {
    if (s.mode === 'swarm' && !swarm) report(['services', s.name, 'mode'], `service ${s.name} runs in swarm mode, but no machine has \`role: manager\``, 'give one machine `role: manager` (and the others `role: worker`)');
  }
  const declared = new Map(imported?.networks ?? []);
  for (const [n, v] of Object.entries((data.networks ?? {}) as Raw)) declared.set(n, { raw: (v ?? {}) as Raw, position: pos(['networks', n]) });
  const networks = resolveNetworks(name, declared, uses, services, swarm);
  for (const s of services) if (s.spec.networks) s.configHash = sha256OfJson(s.spec);
  const sensitive = ((data.sensitive ?? []) as unknown[]).map(String);
  if (data.simulation !== undefined && !machines.some((m) => traitsOf(m.driver).simulated)) {
    warn(['simulation'], '`simulation:` has no effect: no machine uses the sim driver', 'it sets the latency and faults of simulated machines (driver: sim) only', 'key');
  }
  return {
    name,
    file: source.file,
    machines,
    services,
    ...(networks.length ? { networks } : {}),
    scheduler: scheduler(data.scheduler as Raw | undefined, report),
    simulation: simulation(data.simulation as Raw | undefined, report),
    ...(sensitive.length ? { sensitive } : {}),
  };
}

function buildMachines(raw: Raw, dir: string, pos: (p: Path, part?: 'key' | 'value') => SourcePosition, report: ReportAt): DesiredMachine[] {
  const out: DesiredMachine[] = [];
  const seen = new Map<string, string>();
  let total = 0;
  for (const [group, value] of Object.entries(raw)) {
    const m = (value ?? {}) as Raw;
    const at = (...rest: string[]): Path => ['machines', group, ...rest];
    if (!NAME.test(group)) report(at(), `invalid machine name ${JSON.stringify(group)}`, 'lower-case letters, digits, - _ .', 'key');
    const driver = (m.driver as DriverName | undefined) ?? 'docker';
    const count = machineCount(m.count, total, (message, hint) => report(at('count'), message, hint));
    total += count ?? 1;
    const cpus = m.cpus === undefined ? undefined : parseCpus(m.cpus);
    if (m.cpus !== undefined && (cpus === undefined || cpus <= 0)) report(at('cpus'), `invalid cpus ${JSON.stringify(m.cpus)}`, 'a number of cores greater than 0, e.g. 2');
    const memory = m.memory === undefined ? undefined : parseBytes(m.memory);
    if (m.memory !== undefined && (memory === undefined || memory <= 0)) report(at('memory'), `invalid memory size ${JSON.stringify(m.memory)}`, 'bytes or a size with a unit: 512m, 2g, 4GiB');
    if (!DRIVER_NAMES.includes(driver)) continue; // the schema reported it
    const traits = traitsOf(driver);
    for (const r of traits.required) if (m[r.key] === undefined) report(at(), `${driver} machine ${group} needs \`${r.key}\``, r.hint, 'key');
    // A driver that reads its own options checks their values itself (ssh: `host` is a host, not an engine URL).
    if (!traits.readOptions) for (const k of ['url', 'host']) if (typeof m[k] === 'string') engineUrlProblem(m[k], (message, hint) => report(at(k), message, hint));
    // A key of another driver is an error where it is written, naming the driver it belongs to (once).
    const foreign = new Set<string>();
    for (const other of DRIVER_NAMES) {
      if (other === driver) continue;
      for (const k of traitsOf(other).options) {
        if (m[k] !== undefined && !traits.options.includes(k) && !foreign.has(k)) (foreign.add(k), report(at(k), `\`${k}\` is an option of the ${other} driver (this machine uses ${driver})`, `set driver: ${other} to use it`, 'key'));
      }
    }
    const engine = engineOptions(m.engine, (key, message, hint) => report(at('engine', key), message, hint, 'key'));
    const options: Raw = traits.readOptions ? traits.readOptions(m, { group, dir, at, report }) : {};
    if (!traits.readOptions) for (const k of ['image', 'host', 'privileged', 'url']) if (m[k] !== undefined) options[k] = m[k];
    if (m.tls) options.tls = Object.fromEntries(Object.entries(m.tls as Raw).map(([k, v]) => [k, isAbsolute(String(v)) ? String(v) : resolve(dir, String(v))]));
    const names = count === undefined ? [group] : Array.from({ length: count }, (_, i) => `${group}-${i + 1}`);
    // What the machines of a group share is read once; each still gets its own objects (`count: 10000`).
    const labels = sortKeys(toStringMap(m.labels));
    const position = pos(at());
    for (const name of names) {
      const clash = seen.get(name);
      if (clash) report(at(), `machine name ${name} is used twice (also by machines.${clash})`, 'rename one of them; `count: N` names machines <key>-1 .. <key>-N', 'key');
      seen.set(name, group);
      // Optional keys set, not spread, in the same order: a spread literal per machine is ten thousand of them with `count: 10000`.
      const machine = { name, group, driver } as DesiredMachine;
      if (m.role) machine.role = m.role as 'manager' | 'worker';
      machine.labels = { ...labels };
      if (cpus !== undefined) machine.cpus = cpus;
      if (memory !== undefined) machine.memory = memory;
      if (engine) machine.engine = engine;
      machine.options = options;
      machine.protect = m.protect === true;
      if (m.availability === 'pause' || m.availability === 'drain') machine.availability = m.availability;
      machine.position = { ...position };
      out.push(machine);
    }
  }
  if (out.some((m) => m.role === 'worker') && !out.some((m) => m.role === 'manager')) {
    const worker = Object.entries(raw).find(([, v]) => (v as Raw | null)?.role === 'worker')![0];
    report(['machines', worker, 'role'], 'a worker needs a manager: no machine has `role: manager`', 'give one machine `role: manager` (the first manager starts the swarm)');
  }
  return out;
}

/** The `engine:` map (its keys and types are checked by the schema) without the keys the driver sets itself. */
function engineOptions(v: unknown, report: (key: string, message: string, hint?: string) => void): Record<string, unknown> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v as Raw).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const why = RESERVED_ENGINE_KEYS[k];
    if (why) report(k, `\`engine: ${k}\` is set by the machine's driver`, k === 'labels' ? 'put engine labels under the machine’s `labels:`' : `remove it: ${why}`);
    else out[k] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** A valid `count:`, else undefined (reported): one machine stands in, so nothing big is ever allocated. */
function machineCount(v: unknown, before: number, report: (message: string, hint?: string) => void): number | undefined {
  if (v === undefined) return undefined;
  const count = parseInteger(v);
  // Formatted only when said: the first toLocaleString sets up a number formatter (milliseconds).
  const limit = () => MAX_MACHINES.toLocaleString('en');
  if (count === undefined || count < 1) return report(`count must be a whole number from 1 to ${limit()} (got ${JSON.stringify(v)})`, 'e.g. `count: 3` makes <key>-1 .. <key>-3'), undefined;
  if (count > MAX_MACHINES) return report(`count must be a whole number from 1 to ${limit()} (got ${JSON.stringify(v)})`, 'check for a typo; a simulation of more machines than that is not supported'), undefined;
  if (before + count > MAX_MACHINES) return report(`this count brings the cluster to ${(before + count).toLocaleString('en')} machines, more than the limit of ${limit()}`, 'lower the counts of the machine groups'), undefined;
  return count;
}

/** A service as written somewhere: in the manifest, or in a compose file it imports. */
export interface ServiceSource {
  name: string;
  raw: Raw;
  dir: string;
  /** Paths are the manifest's (`services.<name>...`); a compose source maps them into its own file. */
  report: ReportAt;
  /** What is read but not honoured, named at its place. */
  warn: ReportAt;
  pos: (p: Path, part?: 'key' | 'value') => SourcePosition;
  /** compose secrets and configs, resolved to files. */
  files?: FileMount[];
}

function buildServices(sources: ServiceSource[], env: Record<string, string | undefined>, uses: NetworkUse[]): DesiredService[] {
  const names = sources.map((s) => s.name);
  const known = new Set(names);
  const services: DesiredService[] = [];
  let replicas = 0;
  for (const { name, raw, dir, report, warn, pos, files } of sources) {
    if (!NAME.test(name)) report(['services', name], `invalid service name ${JSON.stringify(name)}`, 'lower-case letters, digits, - _ .', 'key');
    const parsed = parseService(name, raw, dir, (p, message, hint) => report(p, message, hint), env, (p, message, hint) => warn(p, message, hint));
    if (files) parsed.spec.files = files;
    replicas += parsed.scale;
    if (replicas > MAX_REPLICAS && replicas - parsed.scale <= MAX_REPLICAS) {
      const where = raw.scale !== undefined || !(raw.deploy as Raw | undefined)?.replicas ? ['scale'] : ['deploy', 'replicas'];
      report(['services', name, ...where], `this scale brings the cluster to ${replicas.toLocaleString('en')} replicas, more than the limit of ${MAX_REPLICAS.toLocaleString('en')}`, 'lower the scales of the services');
    }
    for (const d of parsed.dependsOn) {
      if (known.has(d)) continue;
      report(dependencyPath(raw, name, d), `service ${name} depends on ${d}, which is not in the manifest`, didYouMean(d, names.filter((n) => n !== name)) ?? `services are: ${names.join(', ')}`);
    }
    const strip = <T extends { path: Path }>(e: T) => {
      const { path, ...expr } = e;
      return { ...expr, position: pos(path, 'value') };
    };
    uses.push({ service: name, networks: parsed.networks, report: (p, m, h) => report(p, m, h) });
    services.push({
      name,
      scale: parsed.scale,
      mode: parsed.mode,
      spec: parsed.spec,
      configHash: sha256OfJson(parsed.spec),
      dependsOn: parsed.dependsOn.filter((d) => known.has(d)),
      ...(Object.keys(parsed.conditions).length ? { conditions: parsed.conditions } : {}),
      ...(parsed.swarm ? { swarm: parsed.swarm } : {}),
      ...(parsed.pullPolicy ? { pullPolicy: parsed.pullPolicy } : {}),
      ...(parsed.global ? { global: true as const } : {}),
      ...parsed.rollouts,
      ...(parsed.ignoreChanges ? { ignoreChanges: parsed.ignoreChanges } : {}),
      placement: { constraints: parsed.constraints.map(strip), affinities: parsed.affinities.map(strip), ...(parsed.maxPerMachine ? { maxPerMachine: parsed.maxPerMachine } : {}), ...(parsed.spread ? { spread: parsed.spread } : {}) },
      position: pos(['services', name]),
    });
  }
  const cycle = findCycle(services);
  if (cycle) {
    const source = sources.find((s) => s.name === cycle[0])!;
    source.report(dependencyPath(source.raw, cycle[0]!, cycle[1]!), `dependency cycle: ${cycle.join(' → ')}`, 'a service cannot (indirectly) depend on itself: remove one of these depends_on/links');
  }
  return services;
}

/** Where `name` names `dep`: its depends_on / links / volumes_from / network_mode entry. */
function dependencyPath(service: Raw, name: string, dep: string): Path {
  const base: Path = ['services', name];
  const dependsOn = service.depends_on;
  if (Array.isArray(dependsOn) && dependsOn.includes(dep)) return [...base, 'depends_on', dependsOn.indexOf(dep)];
  if (dependsOn && typeof dependsOn === 'object' && dep in (dependsOn as Raw)) return [...base, 'depends_on', dep];
  for (const key of ['links', 'volumes_from'] as const) {
    const list = (service[key] ?? []) as string[];
    const i = list.findIndex((l) => String(l).split(':')[0] === dep);
    if (i >= 0) return [...base, key, i];
  }
  if (service.network_mode) return [...base, 'network_mode'];
  return base;
}

function findCycle(services: DesiredService[]): string[] | undefined {
  const deps = new Map(services.map((s) => [s.name, s.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const s of services) {
    const c = visit(s.name);
    if (c) return c;
  }
  return undefined;
}

function scheduler(raw: Raw | undefined, report: ReportAt): SchedulerConfig {
  const seed = raw?.seed === undefined ? 0 : parseInteger(raw.seed);
  if (seed === undefined) report(['scheduler', 'seed'], `seed must be a whole number (got ${JSON.stringify(raw?.seed)})`);
  const wanted = new Set((raw?.filters as FilterName[] | undefined) ?? ALL_FILTERS);
  // classic refuses swarm.overcommit <= -1 (cluster/swarm/cluster.go NewCluster); anything above it counts.
  const overcommit = raw?.overcommit === undefined ? 0 : parseNumber(raw.overcommit);
  if (overcommit === undefined || overcommit <= -1) {
    report(['scheduler', 'overcommit'], `overcommit must be a number greater than -1 (got ${JSON.stringify(raw?.overcommit)})`, 'a fraction of each machine, e.g. 0.05 for the 5% classic Swarm added by default');
  }
  return {
    strategy: (raw?.strategy as SchedulerConfig['strategy']) ?? 'spread',
    seed: seed ?? 0,
    filters: ALL_FILTERS.filter((f) => wanted.has(f)),
    ...(overcommit ? { overcommit } : {}),
  };
}

function parseNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function simulation(raw: Raw | undefined, report: ReportAt): SimulationConfig {
  // A misspelt kind would silently never slow or fail anything: named, with the closest kind.
  const known = (section: string, kind: string): boolean => {
    if ((SIM_KINDS as readonly string[]).includes(kind)) return true;
    const hint = didYouMean(kind, SIM_KINDS);
    report(['simulation', section, kind], `unknown action kind ${kind} under simulation.${section}`, `${hint ? `${hint} ` : ''}kinds: default, observe, or a plan action kind (${SIM_KINDS.slice(2, 6).join(', ')}, ...)`, 'key');
    return false;
  };
  const latencyMs: Record<string, number> = {};
  for (const [kind, v] of Object.entries((raw?.latency ?? {}) as Raw)) {
    if (!known('latency', kind)) continue;
    const ms = parseDuration(v);
    if (ms === undefined) report(['simulation', 'latency', kind], `invalid duration ${JSON.stringify(v)}`, 'milliseconds, or 20ms, 1.5s');
    else latencyMs[kind] = ms;
  }
  const failureRate: Record<string, number> = {};
  for (const [kind, v] of Object.entries((raw?.failure_rate ?? {}) as Raw)) {
    if (!known('failure_rate', kind)) continue;
    const rate = parseCpus(v);
    if (rate === undefined || rate > 1) report(['simulation', 'failure_rate', kind], `failure rate must be between 0 and 1 (got ${JSON.stringify(v)})`);
    else failureRate[kind] = rate;
  }
  const seed = raw?.seed === undefined ? 0 : parseInteger(raw.seed);
  if (seed === undefined) report(['simulation', 'seed'], `seed must be a whole number (got ${JSON.stringify(raw?.seed)})`);
  return { latencyMs, failureRate, seed: seed ?? 0 };
}

function sorted(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.file === b.file ? 0 : a.file < b.file ? -1 : 1) || a.line - b.line || a.col - b.col);
}

/** `compose: FILE`, `compose: [FILES]` or `compose: { files, profiles, mode }`, plus the CLI's -c and --profile. */
function composeOptions(value: unknown, dir: string, opts: LoadOptions): ComposeOptions {
  const o = (value && typeof value === 'object' && !Array.isArray(value) ? value : { files: value }) as Raw;
  const list = (v: unknown) => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  return {
    files: [...list(o.files).map((f) => resolve(dir, f)), ...(opts.compose ?? []).map((f) => resolve(f))],
    profiles: [...list(o.profiles), ...(opts.profiles ?? [])],
    mode: o.mode === 'swarm' ? 'swarm' : 'containers',
  };
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.file}:${d.line}:${d.col}:${d.message}`;
    return !seen.has(k) && (seen.add(k), true);
  });
}
