// Compose files imported by a manifest (`compose:`) or by `-c FILE`: their services become cluster
// services beside the manifest's own. What cluster does not run yet is warned about by name and
// left out, never silently dropped.
import { createHash } from 'node:crypto';
import { isSeq } from 'yaml';
import { dirname } from 'node:path';
import { loadCompose, type ComposeOrigin, type ComposeProject, type ComposeService } from '../compose/index.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { FileMount, SourcePosition } from '../model/desired.js';
import type { Env } from './interpolate.js';
import { rememberContent } from './mount-content.js';
import type { DeclaredNetwork } from './networks.js';
import { locate, type Path } from './read.js';
import { readUserFile } from './user-file.js';
import type { ServiceSource } from './index.js';

type Raw = Record<string, unknown>;

/** Service keys cluster runs (the loader already applied extends, env_file and profiles). */
const SUPPORTED = new Set([
  'image', 'command', 'entrypoint', 'environment', 'ports', 'volumes', 'labels', 'restart', 'healthcheck', 'depends_on', 'links',
  'volumes_from', 'network_mode', 'deploy', 'cpus', 'mem_limit', 'mem_reservation', 'scale', 'networks', 'expose', 'hostname',
  'container_name', 'cap_add', 'cap_drop', 'stop_signal', 'env_file', 'profiles', 'extends',
]);
/** deploy.update_config and rollback_config (src/manifest/rollout.ts). */
const ROLLOUT_KEYS = new Set(['parallelism', 'delay', 'order', 'monitor', 'failure_action', 'max_failure_ratio']);
/** Handled apart: they become files put into the container before it starts. */
const AS_FILES = new Set(['secrets', 'configs']);
const DEPLOY_SUPPORTED = new Set(['replicas', 'resources', 'placement', 'mode', 'update_config', 'rollback_config']);

export interface ComposeOptions {
  files: string[];
  profiles: string[];
  mode: 'containers' | 'swarm';
}

export interface ComposeImport {
  sources: ServiceSource[];
  networks: Map<string, DeclaredNetwork>;
  diagnostics: Diagnostic[];
  files: string[];
  name?: string;
}

export function importCompose(opts: ComposeOptions, env: Env, cluster: () => string): ComposeImport {
  const result = loadCompose(opts.files, { env, profiles: opts.profiles });
  if (!result.ok) return { sources: [], networks: new Map(), diagnostics: result.diagnostics, files: result.files };
  const diagnostics: Diagnostic[] = [...result.warnings];
  const { project } = result;
  const networks = new Map<string, DeclaredNetwork>();
  for (const n of project.networks) {
    networks.set(n.name, { raw: n.raw, position: at(n.origin.source, n.origin.path) });
    // cluster makes its own networks (overlay with a swarm, else bridge): how they are set up is its choice.
    for (const key of Object.keys(n.raw)) {
      if (!['external', 'name', 'driver', 'attachable'].includes(key)) diagnostics.push({ severity: 'warning', ...at(n.origin.source, [...n.origin.path, key]), message: `\`${key}\` of network ${n.name} is not supported by cluster yet and is ignored` });
    }
  }
  for (const v of project.volumes) {
    for (const key of Object.keys(v.raw)) {
      if (!['external', 'name'].includes(key)) diagnostics.push({ severity: 'warning', ...at(v.origin.source, [...v.origin.path, key]), message: `\`${key}\` of volume ${v.name} is not supported by cluster yet and is ignored (volumes are local to each machine)` });
    }
  }
  const volumes = new Map(project.volumes.map((v) => [v.name, v.raw]));
  const sources = project.services.map((s) => {
    const warn = (path: Path, message: string, hint?: string) => {
      // The last file that wrote this key (extends aside): that is where to change it.
      const origin = [...s.origins].reverse().find((o) => hasPath(o, path)) ?? s.origin;
      diagnostics.push({ severity: 'warning', ...at(origin.source, [...origin.path, ...path]), message, hint });
    };
    // Paths are the manifest's (services.<name>...): placed in the file that wrote that value.
    const place = (path: Path, part: 'key' | 'value') => {
      const [origin, below] = writtenBy(s, path.slice(2));
      return at(origin.source, [...origin.path, ...below], part);
    };
    const error = (path: Path, message: string, hint?: string, part: 'key' | 'value' = 'value') => diagnostics.push({ severity: 'error', ...place(path, part), message, hint });
    const files = fileMounts(s, project, result.env, warn, (p, m, h, severity = 'warning') => diagnostics.push({ severity, ...at(p.source, p.path, 'value'), message: m, hint: h }));
    const raw = adapt(s, opts.mode, volumes, cluster, warn, error);
    // Compose puts every service without networks on the project's `default` network.
    if (isMapLike(raw.networks) && 'default' in raw.networks && !networks.has('default')) networks.set('default', { raw: {}, position: at(s.origin.source, []) });
    const source: ServiceSource = {
      name: s.name,
      raw,
      dir: dirname(s.origin.source.file),
      report: error,
      warn: (p, message, hint) => diagnostics.push({ severity: 'warning', ...place(p, 'value'), message, hint }),
      pos: (p, part) => at(s.origin.source, [...s.origin.path, ...p.slice(2)], part),
      ...(files.length ? { files } : {}),
    };
    return source;
  });
  // Secret and config files too: `apply --watch` re-converges when one changes.
  const files = [...new Set([...result.files, ...sources.flatMap((x) => (x.files ?? []).flatMap((f) => (f.source ? [f.source] : [])))])];
  return { sources, networks, diagnostics, files, ...(project.name ? { name: project.name } : {}) };
}

/** A compose service as cluster reads it: unsupported keys out (warned), the default network, volume names. */
function adapt(s: ComposeService, mode: 'containers' | 'swarm', volumes: Map<string, Raw>, cluster: () => string, warn: (p: Path, m: string, h?: string) => void, error: (p: Path, m: string, h?: string) => void): Raw {
  const raw: Raw = {};
  for (const [key, value] of Object.entries(s.raw)) {
    if (key.startsWith('x-')) continue;
    if (key === 'build') {
      raw.build = buildOf(value, s.name, warn);
      // Compose names a built image after the project and the service.
      if (s.raw.image === undefined) raw.image = `${cluster()}-${s.name}`;
      continue;
    }
    if (AS_FILES.has(key)) continue;
    if (!SUPPORTED.has(key)) {
      warn([key], `\`${key}\` of service ${s.name} is not supported by cluster yet and is ignored`);
      continue;
    }
    raw[key] = value;
  }
  if (raw.deploy && typeof raw.deploy === 'object') {
    const deploy: Raw = {};
    for (const [key, value] of Object.entries(raw.deploy as Raw)) {
      if (DEPLOY_SUPPORTED.has(key)) deploy[key] = value;
      else warn(['deploy', key], `\`deploy.${key}\` of service ${s.name} is not supported by cluster yet and is ignored`);
    }
    raw.deploy = deploy;
    for (const kind of ['reservations', 'limits']) {
      const r = ((deploy.resources as Raw | undefined)?.[kind] ?? {}) as Raw;
      for (const key of Object.keys(r)) {
        if (key !== 'cpus' && key !== 'memory') warn(['deploy', 'resources', kind, key], `\`deploy.resources.${kind}.${key}\` of service ${s.name} is not supported by cluster yet and is ignored`);
      }
    }
  }
  // Keys below supported ones that cluster does not send anywhere: named, not dropped.
  const deploy = (raw.deploy ?? {}) as Raw;
  const nested: [Path, Set<string>][] = [
    [['deploy', 'placement'], new Set(['constraints', 'preferences', 'max_replicas_per_node'])],
    [['deploy', 'update_config'], ROLLOUT_KEYS],
    [['deploy', 'rollback_config'], ROLLOUT_KEYS],
  ];
  for (const [path, known] of nested) {
    const value = path.slice(1).reduce<unknown>((o, k) => (isMapLike(o) ? o[k as string] : undefined), deploy);
    for (const key of Object.keys(isMapLike(value) ? value : {})) {
      if (!known.has(key)) warn([...path, key], `\`${path.join('.')}.${key}\` of service ${s.name} is not supported by cluster yet and is ignored`);
    }
  }
  for (const [network, how] of Object.entries(isMapLike(raw.networks) ? raw.networks : {})) {
    for (const key of Object.keys(isMapLike(how) ? how : {})) {
      if (key !== 'aliases') warn(['networks', network, key], `\`networks.${network}.${key}\` of service ${s.name} is not supported by cluster yet and is ignored`);
    }
  }
  const health = raw.healthcheck as Raw | undefined;
  if (health?.start_interval !== undefined) warn(['healthcheck', 'start_interval'], `\`healthcheck.start_interval\` of service ${s.name} is not supported by cluster yet and is ignored`);
  for (const [dep, how] of Object.entries(isMapLike(raw.depends_on) ? raw.depends_on : {})) {
    if (isMapLike(how) && how.restart !== undefined) warn(['depends_on', dep, 'restart'], `\`depends_on.${dep}.restart\` of service ${s.name} is not supported by cluster yet and is ignored`);
  }
  if (!raw.networks && !raw.network_mode) raw.networks = { default: null };
  if (Array.isArray(raw.volumes)) raw.volumes = raw.volumes.map((v, i) => volumeName(v, i, volumes, cluster, warn));
  raw.mode = mode;
  return raw;
}

const BUILD_SUPPORTED = new Set(['context', 'dockerfile', 'args', 'target']);

/** The build keys cluster sends to the engine; the others are named and left out. */
function buildOf(value: unknown, service: string, warn: (p: Path, m: string, h?: string) => void): unknown {
  if (!isMapLike(value)) return value;
  const out: Raw = {};
  for (const [key, v] of Object.entries(value)) {
    if (BUILD_SUPPORTED.has(key)) out[key] = v;
    else warn(['build', key], `\`build.${key}\` of service ${service} is not supported by cluster yet and is ignored`);
  }
  return out;
}

/** Named volumes get the cluster's prefix, as compose prefixes them with the project; bind mounts stay on one machine. */
function volumeName(v: unknown, i: number, volumes: Map<string, Raw>, cluster: () => string, warn: (p: Path, m: string, h?: string) => void): unknown {
  const rename = (name: string) => {
    const declared = volumes.get(name);
    if (!declared) return name;
    if (declared.external) return String(declared.name ?? name);
    return String(declared.name ?? `${cluster()}_${name}`);
  };
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length >= 2 && !/^[./~]/.test(parts[0]!)) return [rename(parts[0]!), ...parts.slice(1)].join(':');
    if (parts.length >= 2) warn(['volumes', i], `bind mount ${parts[0]} is a folder of the machine the container runs on, not of this computer`, 'use a named volume, or make sure the folder exists on every machine');
    return v;
  }
  const o = v as Raw;
  if (o.type === 'bind') warn(['volumes', i], `bind mount ${String(o.source)} is a folder of the machine the container runs on, not of this computer`);
  if ((o.type ?? 'volume') === 'volume' && typeof o.source === 'string') return { ...o, source: rename(o.source) };
  return v;
}

function at(source: { file: string } & Parameters<typeof locate>[0], path: Path, part: 'key' | 'value' = 'key'): SourcePosition {
  return { file: source.file, ...locate(source, path, part) };
}

/**
 * The file that wrote this value of a merged service, and the path in it. An item of a list the files
 * append to (ports, expose) is found by counting each file's items in merge order; when the counts do
 * not add up (a list one file replaced, deduplicated entries), the last file that has the path.
 */
function writtenBy(s: ComposeService, path: Path): [ComposeOrigin, Path] {
  const [key, index, ...rest] = path;
  const merged = key === undefined ? undefined : s.raw[key as string];
  if (typeof index === 'number' && Array.isArray(merged)) {
    const counts = s.origins.map((o) => {
      const list = o.source.doc.getIn([...o.path, key], true);
      return isSeq(list) ? list.items.length : 0;
    });
    if (counts.reduce((a, b) => a + b, 0) === merged.length) {
      let i = index;
      for (const [n, o] of s.origins.entries()) {
        if (i < counts[n]!) return [o, [key!, i, ...rest]];
        i -= counts[n]!;
      }
    }
  }
  const last = [...s.origins].reverse();
  return [last.find((o) => hasPath(o, path)) ?? last.find((o) => key !== undefined && hasPath(o, [key])) ?? s.origin, path];
}

function hasPath(origin: ComposeOrigin, path: Path): boolean {
  return origin.source.doc.getIn([...origin.path, ...path], true) !== undefined;
}

function isMapLike(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Service `secrets:`/`configs:` from a `file:`, an `environment:` variable or (configs) inline
 * `content:`: hashed now (a changed secret replaces the container or rolls the swarm service),
 * delivered at apply (into the container before it starts, or as swarm objects). A secret
 * read from a variable keeps its value out of the desired state (see mount-content.ts).
 */
function fileMounts(s: ComposeService, project: ComposeProject, env: Env, warn: (p: Path, m: string, h?: string) => void, missing: (at: ComposeOrigin, m: string, h?: string, severity?: Diagnostic['severity']) => void): FileMount[] {
  const out: FileMount[] = [];
  const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');
  for (const kind of ['secret', 'config'] as const) {
    const section = kind === 'secret' ? project.secrets : project.configs;
    for (const [i, ref] of (((s.raw[`${kind}s`] ?? []) as unknown[]).entries())) {
      const r = (typeof ref === 'string' ? { source: ref } : ref) as Raw;
      const name = String(r.source);
      const declared = section.find((x) => x.name === name);
      const target = r.target === undefined ? (kind === 'secret' ? `/run/secrets/${name}` : `/${name}`) : String(r.target).startsWith('/') ? String(r.target) : kind === 'secret' ? `/run/secrets/${r.target}` : `/${r.target}`;
      const modeBits = r.mode === undefined ? {} : { mode: typeof r.mode === 'number' ? r.mode : parseInt(String(r.mode), 8) };
      const at = (key: string): ComposeOrigin => ({ source: declared!.origin.source, path: [...declared!.origin.path, key] });
      const from = declared?.raw ?? {};
      if (typeof from.file === 'string') {
        // Missing now is a warning, as `docker compose config` does not check either; apply needs it.
        // A FIFO, a device or a directory is an error now: apply could never read it either.
        const file = readUserFile(from.file, { what: `the file of ${kind} ${name}` });
        if (!file.ok && file.missing) missing(at('file'), `${kind} ${name}: file ${from.file} does not exist (yet); apply will fail until it does`, 'create it, or point `file:` at it (relative to the compose file)');
        else if (!file.ok) missing(at('file'), file.message, file.hint, 'error');
        out.push({ kind, name, target, source: from.file, sha256: file.ok ? sha256(file.bytes) : 'missing', ...modeBits });
      } else if (typeof from.environment === 'string') {
        const value = env[from.environment];
        if (value === undefined) missing(at('environment'), `${kind} ${name}: variable ${from.environment} is not set; apply will fail until it is`, `set it in the environment or in .env`);
        const mount: FileMount = { kind, name, target, env: from.environment, sha256: value === undefined ? 'missing' : sha256(value), ...modeBits };
        if (value !== undefined) rememberContent(mount, value);
        out.push(mount);
      } else if (kind === 'config' && typeof from.content === 'string') {
        out.push({ kind, name, target, content: from.content, sha256: sha256(from.content), ...modeBits });
      } else {
        const how = kind === 'secret' ? '`file:` or `environment:`' : '`file:`, `environment:` or `content:`';
        const hint = !declared ? `declare it under the top-level \`${kind}s:\`` : from.external ? `an external ${kind} lives in a swarm; declare it with ${how} instead` : `declare it with ${how}`;
        warn([`${kind}s`, i], `${kind} ${name} of service ${s.name} is left out: only ${how} ${kind}s are supported`, hint);
      }
    }
  }
  return out;
}
