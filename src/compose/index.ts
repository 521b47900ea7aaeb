// docker-compose files → one compose project, as `docker compose -f a.yml -f b.yml config` would
// build it: .env and interpolation, schema validation, extends, merge of the files in order,
// env_file, profiles. Never throws for bad input: every problem is a Diagnostic with a place.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isScalar, isSeq } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { readDotEnv, type Env } from '../manifest/interpolate.js';
import { locate, type Path, type Source } from '../manifest/read.js';
import { applyEnvironment, applyLabelFiles } from './environment.js';
import { extendsResolver } from './extends.js';
import { includesOf } from './include.js';
import { readComposeFile, type ComposeFile } from './file.js';
import { isMap, mergeService, mergeTopLevel, normalizeService } from './merge.js';
import { activeProfiles, checkDependencies, isEnabled, profilesOf } from './profiles.js';

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
}
export type ComposeResult = { ok: true; project: ComposeProject; warnings: Diagnostic[]; files: string[]; env: Env } | { ok: false; diagnostics: Diagnostic[]; files: string[] };

const SECTIONS = ['networks', 'volumes', 'secrets', 'configs'] as const;

export interface LoadOptions {
  env: Env;
  profiles?: string[];
  /** An included application's directory (relative paths, default .env); else the first file's folder. */
  projectDir?: string;
  /** An include's env_file list, instead of `<project dir>/.env`. */
  envFiles?: string[];
  /** Files of the including projects, outermost first: an include cycle is an error. */
  chain?: string[];
}

/** `files` in order (later ones override); `files` of the result is every file read, for a watcher. */
export function loadCompose(files: string[], opts: LoadOptions): ComposeResult {
  const paths = files.map((f) => resolve(f));
  const dotEnvs = opts.envFiles ?? [join(opts.projectDir ?? dirname(paths[0] ?? '.'), '.env')];
  const read = [...paths, ...dotEnvs];
  // The shell's variables win over .env's, as in compose; one given as undefined is unset.
  const errors: Diagnostic[] = [];
  const unreadable = (file: string) => (message: string, hint?: string) => errors.push({ severity: 'error', file, line: 0, col: 0, message, hint });
  const env: Env = { ...Object.assign({}, ...dotEnvs.map((f) => readDotEnv(f, opts.env, unreadable(f)))), ...Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined)) };
  const warnings: Diagnostic[] = [];
  const report = (severity: Diagnostic['severity'], source: Source, path: Path, message: string, hint?: string, part: 'key' | 'value' = 'value') =>
    (severity === 'error' ? errors : warnings).push({ severity, file: source.file, ...locate(source, path, part), message, hint });

  const cache = new Map<string, ComposeFile | undefined>();
  const open = (path: string): ComposeFile | undefined => {
    if (!cache.has(path)) {
      if (!read.includes(path)) read.push(path);
      const r = readComposeFile(path, env, opts.projectDir);
      if (r.ok) warnings.push(...r.warnings);
      else errors.push(...r.diagnostics);
      cache.set(path, r.ok ? r.file : undefined);
    }
    return cache.get(path);
  };
  const opened = paths.map(open);
  if (errors.length) return { ok: false, diagnostics: errors, files: read };
  const included = includeProjects(opened as ComposeFile[], opts, read, report, errors, warnings);

  // Each file's services are extended within their own file first, then the files merge in order.
  const resolveExtends = extendsResolver({ open, error: (source, path, message, hint) => report('error', source, path, message, hint) });
  const merged = new Map<string, { raw: Raw; origin: ComposeOrigin; origins: ComposeOrigin[] }>();
  const topLevel = Object.fromEntries(SECTIONS.map((s) => [s, new Map<string, ComposeTopLevel>()])) as Record<(typeof SECTIONS)[number], Map<string, ComposeTopLevel>>;
  let name: string | undefined;
  for (const file of opened as ComposeFile[]) {
    if (typeof file.data.name === 'string') name = file.data.name;
    for (const service of Object.keys(isMap(file.data.services) ? file.data.services : {})) {
      const from = included.services.get(service);
      if (from) {
        report('error', file.source, ['services', service], `service ${service} is defined here and by the included ${from.origin.source.file}`, 'rename one of them: an included application cannot be overridden', 'key');
        continue;
      }
      const raw = resolveExtends(file, service);
      if (!raw) continue;
      const prev = merged.get(service);
      const origin = { source: file.source, path: ['services', service] };
      merged.set(service, { raw: prev ? mergeService(prev.raw, raw) : normalizeService(raw), origin, origins: [...(prev?.origins ?? []), origin] });
    }
    for (const section of SECTIONS) {
      for (const [key, value] of Object.entries(isMap(file.data[section]) ? file.data[section] : {})) {
        if (conflicts(included[section].get(key), value)) {
          report('error', file.source, [section, key], `${section.slice(0, -1)} ${key} is defined here and, differently, by the included ${included[section].get(key)!.origin.source.file}`, 'define it in one place', 'key');
          continue;
        }
        const prev = topLevel[section].get(key);
        const raw = isMap(value) ? value : {};
        topLevel[section].set(key, { name: key, raw: prev ? mergeTopLevel(prev.raw, raw) : raw, origin: { source: file.source, path: [section, key] } });
      }
    }
  }

  for (const section of SECTIONS) for (const [key, t] of included[section]) if (!topLevel[section].has(key)) topLevel[section].set(key, t);
  const active = activeProfiles(opts.profiles, env);
  const all = new Map([...[...included.services].map(([k, v]) => [k, v.raw] as const), ...[...merged].map(([k, v]) => [k, v.raw] as const)]);
  // Included services come finished (extends, env_file and profiles applied in their own project).
  const services: ComposeService[] = [...included.services.values()];
  for (const [service, { raw, origin, origins }] of merged) {
    if (!isEnabled(raw, active)) continue;
    for (const p of checkDependencies(service, raw, all, active)) report(p.severity, ...written(origins, p.at), p.message, p.hint, 'key');
    // A missing env_file is a warning here (the service runs without its variables), as the manifest
    // import has been relying on; docker compose itself refuses a missing required env_file.
    const unreadableAt = (at: Path, message: string, hint?: string) => report('error', ...written(origins, at), message, hint);
    applyEnvironment(raw, env, read, (at, path) => report('warning', ...written(origins, at), `env_file ${path} does not exist: its variables are left out`, 'create it, or write `env_file: [{ path: ..., required: false }]`'), unreadableAt);
    applyLabelFiles(raw, read, (at, path) => report('warning', ...written(origins, at), `label_file ${path} does not exist: its labels are left out`, 'create it, or remove the entry'), unreadableAt);
    services.push({ name: service, raw, origin, origins, profiles: profilesOf(raw) });
  }
  if (errors.length) return { ok: false, diagnostics: errors, files: read };
  const list = (section: (typeof SECTIONS)[number]) => [...topLevel[section].values()];
  return {
    ok: true,
    project: { ...(name ? { name } : {}), services, networks: list('networks'), volumes: list('volumes'), secrets: list('secrets'), configs: list('configs') },
    warnings,
    files: read,
    env,
  };
}

/** The last file that wrote this key of a service (else the last that defines it): where to change it. */
function written(origins: ComposeOrigin[], below: Path): [Source, Path] {
  const withItems = origins.map((o) => ({ o, path: listItems(o.source, [...o.path, ...below]) }));
  const found = [...withItems].reverse().find(({ o, path }) => o.source.doc.hasIn(path)) ?? withItems[withItems.length - 1]!;
  return [found.o.source, found.path];
}

/** `depends_on: [db]` names db by position: a name below a list becomes the index of its item. */
function listItems(source: Source, path: Path): Path {
  return path.map((seg, i) => {
    const parent = source.doc.getIn(path.slice(0, i), true);
    if (typeof seg !== 'string' || !isSeq(parent)) return seg;
    const index = parent.items.findIndex((item) => isScalar(item) && String(item.value) === seg);
    return index >= 0 ? index : seg;
  });
}

type Included = { services: Map<string, ComposeService> } & Record<(typeof SECTIONS)[number], Map<string, ComposeTopLevel>>;
type Report = (severity: Diagnostic['severity'], source: Source, path: Path, message: string, hint?: string, part?: 'key' | 'value') => void;

/** Loads every `include:` of these files as a project of its own; two includes defining one name is an error. */
function includeProjects(files: ComposeFile[], opts: LoadOptions, read: string[], report: Report, errors: Diagnostic[], warnings: Diagnostic[]): Included {
  const out: Included = { services: new Map(), ...(Object.fromEntries(SECTIONS.map((s) => [s, new Map()])) as Record<(typeof SECTIONS)[number], Map<string, ComposeTopLevel>>) };
  const chain = [...(opts.chain ?? []), ...files.map((f) => f.source.file)];
  for (const file of files) {
    const { entries, problems } = includesOf(file);
    for (const p of problems) report('error', file.source, p.at, p.message, p.hint);
    for (const entry of entries) {
      const cycle = entry.files.find((f) => chain.includes(f));
      if (cycle) {
        report('error', file.source, entry.at, `include cycle: ${cycle} includes itself (through ${file.source.file})`, 'remove one of the includes');
        continue;
      }
      const absent = entry.files.find((f) => !existsSync(f));
      if (absent) {
        report('error', file.source, entry.at, `included compose file ${absent} does not exist`, 'include paths are relative to the including file');
        continue;
      }
      const sub = loadCompose(entry.files, { env: opts.env, profiles: opts.profiles, projectDir: entry.projectDir, envFiles: entry.envFiles, chain });
      for (const f of sub.files) if (!read.includes(f)) read.push(f);
      if (!sub.ok) {
        // Each at its own place in the included files; one about a whole included file (not a
        // compose file, unreadable) at the include entry that named it.
        for (const d of sub.diagnostics) {
          if (d.line === 0 && entry.files.includes(d.file)) report('error', file.source, entry.at, `include ${d.file}: ${d.message}`, d.hint);
          else errors.push(d);
        }
        continue;
      }
      warnings.push(...sub.warnings);
      for (const service of sub.project.services) {
        if (out.services.has(service.name)) report('error', file.source, entry.at, `service ${service.name} is defined by two included applications`, 'rename it in one of them');
        else out.services.set(service.name, service);
      }
      for (const section of SECTIONS) {
        for (const t of sub.project[section]) {
          if (conflicts(out[section].get(t.name), t.raw)) report('error', file.source, entry.at, `${section.slice(0, -1)} ${t.name} is defined differently by two included applications`, 'define it in one place');
          else out[section].set(t.name, t);
        }
      }
    }
  }
  return out;
}

/** The same network, volume, secret or config written twice alike is one resource; written differently, a conflict. */
function conflicts(existing: ComposeTopLevel | undefined, value: unknown): boolean {
  return existing !== undefined && JSON.stringify(existing.raw) !== JSON.stringify(isMap(value) ? value : {});
}
