// docker-compose files → one compose project, as `docker compose -f a.yml -f b.yml config` would
// build it: .env and interpolation, schema validation, extends, merge of the files in order,
// env_file, profiles. Never throws for bad input: every problem is a Diagnostic with a place.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { readDotEnv, type Env } from '../manifest/interpolate.js';
import { locate, type Path, type Source } from '../manifest/read.js';
import { readComposeFile, type ComposeFile } from './file.js';
import { isMap, mergeService, normalizeService } from './merge.js';

type Raw = Record<string, unknown>;

export interface ComposeOrigin {
  source: Source;
  path: Path;
}
export interface ComposeService {
  name: string;
  raw: Raw;
  /** The last file that defines it (errors about the merged service point there). */
  origin: ComposeOrigin;
  /** Every file that defines it, in order: where a given key was written. */
  origins: ComposeOrigin[];
  profiles: string[];
}
export interface ComposeTopLevel {
  name: string;
  raw: Raw;
  origin: ComposeOrigin;
}
export interface ComposeProject {
  name?: string;
  services: ComposeService[];
  networks: ComposeTopLevel[];
  volumes: ComposeTopLevel[];
  secrets: ComposeTopLevel[];
  configs: ComposeTopLevel[];
  /** Environment names that received a secret variable's value: masked everywhere. */
  sensitive: string[];
}
export type ComposeResult = { ok: true; project: ComposeProject; warnings: Diagnostic[]; files: string[] } | { ok: false; diagnostics: Diagnostic[]; files: string[] };

export function loadCompose(files: string[], opts: { env: Env; profiles?: string[] }): ComposeResult {
  const paths = files.map((f) => resolve(f));
  const dotEnv = join(dirname(paths[0] ?? '.'), '.env');
  const read = [...paths, dotEnv];
  const env = { ...readDotEnv(dotEnv), ...opts.env };
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const sensitive: string[] = [];
  const cache = new Map<string, ComposeFile | undefined>();
  const open = (path: string): ComposeFile | undefined => {
    if (!cache.has(path)) {
      if (!read.includes(path)) read.push(path);
      const r = readComposeFile(path, env);
      if (r.ok) warnings.push(...r.warnings), sensitive.push(...r.sensitive);
      else errors.push(...r.diagnostics);
      cache.set(path, r.ok ? r.file : undefined);
    }
    return cache.get(path);
  };
  const opened = paths.map(open);
  if (errors.length) return { ok: false, diagnostics: errors, files: read };

  const error = (source: Source, path: Path, message: string, hint?: string, part: 'key' | 'value' = 'value') => errors.push({ severity: 'error', file: source.file, ...locate(source, path, part), message, hint });
  const resolveExtends = (file: ComposeFile, name: string, stack: string[]): Raw | undefined => {
    const raw = (file.data.services as Raw | undefined)?.[name];
    if (!isMap(raw)) return undefined;
    if (raw.extends === undefined) return raw;
    const here = `${file.source.file}#${name}`;
    const ext = typeof raw.extends === 'string' ? { service: raw.extends } : (raw.extends as { service: string; file?: string });
    if (stack.includes(here)) return error(file.source, ['services', name, 'extends'], `extends cycle: ${[...stack, here].map((s) => s.split('#')[1]).join(' → ')}`, 'a service cannot (indirectly) extend itself'), undefined;
    const baseFile = ext.file ? open(ext.file) : file;
    if (!baseFile) return undefined;
    const base = resolveExtends(baseFile, ext.service, [...stack, here]);
    if (!base) {
      if (!errors.length) error(file.source, ['services', name, 'extends'], `service ${name} extends ${ext.service}, which is not in ${ext.file ?? 'this file'}`);
      return undefined;
    }
    // Compose does not inherit what ties a service to others.
    const { depends_on: _d, links: _l, volumes_from: _v, ...inherited } = base;
    const { extends: _e, ...own } = raw;
    return mergeService(inherited, own);
  };

  const merged = new Map<string, { raw: Raw; origin: ComposeOrigin; origins: ComposeOrigin[] }>();
  const topLevel: Record<'networks' | 'volumes' | 'secrets' | 'configs', Map<string, ComposeTopLevel>> = { networks: new Map(), volumes: new Map(), secrets: new Map(), configs: new Map() };
  let name: string | undefined;
  for (const file of opened as ComposeFile[]) {
    if (typeof file.data.name === 'string') name = file.data.name;
    for (const service of Object.keys((file.data.services ?? {}) as Raw)) {
      const raw = resolveExtends(file, service, []);
      if (!raw) continue;
      const prev = merged.get(service);
      const origin = { source: file.source, path: ['services', service] };
      merged.set(service, { raw: prev ? mergeService(prev.raw, raw) : normalizeService(raw), origin, origins: [...(prev?.origins ?? []), origin] });
    }
    for (const section of Object.keys(topLevel) as (keyof typeof topLevel)[]) {
      for (const [key, value] of Object.entries((file.data[section] ?? {}) as Raw)) {
        const prev = topLevel[section].get(key);
        const raw = isMap(value) ? value : {};
        topLevel[section].set(key, { name: key, raw: prev ? { ...prev.raw, ...raw } : raw, origin: { source: file.source, path: [section, key] } });
      }
    }
  }

  const warnAt = (source: Source, path: Path, message: string, hint?: string) => warnings.push({ severity: 'warning', file: source.file, ...locate(source, path, 'value'), message, hint });
  for (const { raw, origin } of merged.values()) applyEnvFiles(raw, origin, read, warnAt);

  const active = new Set([...(opts.profiles ?? []), ...(env.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim()).filter(Boolean)]);
  const profilesOf = (raw: Raw) => ((raw.profiles ?? []) as unknown[]).map(String);
  const enabled = (raw: Raw | undefined) => raw !== undefined && (profilesOf(raw).length === 0 || active.has('*') || profilesOf(raw).some((p) => active.has(p)));
  const services: ComposeService[] = [];
  for (const [service, { raw, origin, origins }] of merged) {
    if (!enabled(raw)) continue;
    for (const [dep, how] of Object.entries((raw.depends_on ?? {}) as Raw)) {
      const target = merged.get(dep);
      if (enabled(target?.raw)) continue;
      const at = [...origin.path, 'depends_on', dep];
      if (isMap(how) && how.required === false) {
        delete (raw.depends_on as Raw)[dep];
        warnings.push({ severity: 'warning', file: origin.source.file, ...locate(origin.source, at, 'key'), message: `service ${service}: optional dependency ${dep} is not enabled; started without it` });
        continue;
      }
      const hint = target ? `enable profile ${profilesOf(target.raw).join(' or ')} (--profile or COMPOSE_PROFILES)` : undefined;
      error(origin.source, at, target ? `service ${service} depends on ${dep}, which is in a profile that is not enabled` : `service ${service} depends on ${dep}, which is not defined`, hint, 'key');
    }
    services.push({ name: service, raw, origin, origins, profiles: profilesOf(raw) });
  }
  if (errors.length) return { ok: false, diagnostics: errors, files: read };
  const list = (section: keyof typeof topLevel) => [...topLevel[section].values()];
  return {
    ok: true,
    project: { ...(name ? { name } : {}), services, networks: list('networks'), volumes: list('volumes'), secrets: list('secrets'), configs: list('configs'), sensitive: [...new Set(sensitive)] },
    warnings,
    files: read,
  };
}

/** env_file entries fill `environment` under what it sets itself, as compose does. */
function applyEnvFiles(raw: Raw, origin: ComposeOrigin, read: string[], warn: (s: Source, p: Path, m: string, h?: string) => void): void {
  if (raw.env_file === undefined) return;
  const fromFiles: Raw = {};
  for (const [i, entry] of [raw.env_file].flat().entries()) {
    const path = String(isMap(entry) ? entry.path : entry);
    const required = !isMap(entry) || entry.required !== false;
    if (!read.includes(path)) read.push(path);
    if (!existsSync(path)) {
      if (required) warn(origin.source, [...origin.path, 'env_file', i], `env_file ${path} does not exist: its variables are left out`, 'create it, or write `env_file: [{ path: ..., required: false }]`');
      continue;
    }
    Object.assign(fromFiles, readDotEnv(path));
  }
  raw.environment = { ...fromFiles, ...((raw.environment ?? {}) as Raw) };
  delete raw.env_file;
}
