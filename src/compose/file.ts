// One compose file: read with positions, interpolated, typed fields cast, validated against the
// compose-spec, x- keys dropped, relative paths made absolute against the file's own folder.
import { dirname } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { interpolate, type Env } from '../manifest/interpolate.js';
import { locate, readSource, type Source } from '../manifest/read.js';
import { validateSplit } from '../manifest/validate.js';
import { castTypedFields } from './cast.js';
import { isMap } from './merge.js';
import { resolvePaths } from './paths.js';
import { composeValidators } from './schema.js';

type Raw = Record<string, unknown>;

export interface ComposeFile {
  source: Source;
  data: Raw;
  /** Where its relative paths were resolved. */
  dir: string;
}

export type FileResult = { ok: true; file: ComposeFile; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** `baseDir`: where relative paths resolve (an included project's directory); the file's own folder by default. */
export function readComposeFile(path: string, env: Env, baseDir = dirname(path)): FileResult {
  const read = readSource(path, undefined, COMPOSE_KEYS);
  if (!read.ok) return { ok: false, diagnostics: read.diagnostics.map(asComposeProblem) };
  const source = read.source;
  const interpolation = interpolate(source, env);
  const errors = interpolation.filter((d) => d.severity === 'error');
  if (errors.length) return { ok: false, diagnostics: errors };
  const warnings = interpolation.filter((d) => d.severity === 'warning');
  let data: Raw;
  try {
    data = (source.doc.toJS({ maxAliasCount: 100 }) ?? {}) as Raw;
  } catch (err) {
    return { ok: false, diagnostics: [{ severity: 'error', file: path, line: 1, col: 1, message: `cannot read the compose file: ${(err as Error).message}` }] };
  }
  castTypedFields(data, source);
  const validators = composeValidators();
  const problems = validateSplit(validators.file, validators.service, 'services', source, data);
  if (problems.length) return { ok: false, diagnostics: problems };
  if (data.version !== undefined) warnings.push({ severity: 'warning', file: path, ...locate(source, ['version'], 'key'), message: 'the attribute `version` is obsolete and ignored', hint: 'remove it (as docker compose also warns)' });
  return { ok: true, file: { source, data: resolvePaths(dropExtensions(data), baseDir, env), dir: baseDir }, warnings };
}

/** The top-level keys of the compose-spec (plus `version`, obsolete but common). */
const COMPOSE_KEYS = ['services', 'include', 'networks', 'volumes', 'secrets', 'configs', 'name', 'version', 'models'];

/** readSource speaks of manifests; these files are compose files. */
function asComposeProblem(d: Diagnostic): Diagnostic {
  if (d.message.startsWith('manifest not found')) return { ...d, message: `compose file not found: ${d.file}`, hint: 'check the path given with -c or under `compose:` (relative to the manifest)' };
  if (d.message === 'the manifest is empty') return { ...d, message: 'the compose file is empty', hint: 'start with `services:`' };
  if (d.message.startsWith('not a manifest')) return { ...d, message: 'not a compose file: its top level is not a map of keys (services, include, networks, volumes, ...)', hint: 'start with `services:`' };
  if (d.message.startsWith('cannot read the manifest')) return { ...d, message: d.message.replace('the manifest', 'the compose file'), hint: 'check the path given with -c, under `compose:` or under `include:`' };
  return { ...d, message: d.message.replace(/\bthe manifest\b/g, 'the compose file') };
}

/** Maps whose keys are data (variable names, labels, options): an `x-` key there is not an extension. */
const FREE_FORM = new Set(['environment', 'labels', 'annotations', 'sysctls', 'extra_hosts', 'args', 'driver_opts', 'options', 'additional_contexts', 'networks', 'depends_on']);

/** `x-` keys hold anchors and tool settings, at the top level and inside definitions: not part of the model. */
function dropExtensions(data: Raw): Raw {
  const out = strip(data, false) as Raw;
  for (const section of ['services', 'networks', 'volumes', 'secrets', 'configs']) {
    // Entries are names (a service may be called x-ray); what they define is stripped.
    if (isMap(data[section])) out[section] = Object.fromEntries(Object.entries(data[section] as Raw).map(([k, v]) => [k, section === 'services' ? keepOurs(v, strip(v, false)) : strip(v, false)]));
  }
  return out;
}

/** A service's `x-cluster` is cluster's own setting (src/manifest/ignore-changes.ts): kept, and checked there. */
function keepOurs(raw: unknown, stripped: unknown): unknown {
  return isMap(raw) && isMap(stripped) && 'x-cluster' in raw ? { ...stripped, 'x-cluster': raw['x-cluster'] } : stripped;
}

function strip(value: unknown, keepKeys: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => strip(v, false));
  if (!isMap(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => keepKeys || !k.startsWith('x-')).map(([k, v]) => [k, strip(v, FREE_FORM.has(k))]));
}
