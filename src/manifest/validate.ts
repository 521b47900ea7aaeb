// JSON Schema validation (schema/cluster.schema.json, also what editors autocomplete with), with
// each ajv error turned into one diagnostic at the offending YAML node. A oneOf yields an error per
// branch: only the deepest, most specific one is reported.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Diagnostic } from '../model/diagnostic.js';
import { didYouMean } from './hints.js';
import { locate, type Path, type Source } from './read.js';
import { precompiledValidator } from './precompiled-schema.js';

const SCHEMA_FILE = new URL('../../schema/cluster.schema.json', import.meta.url);

/** Compose keys a service of a compose file may use (`compose:`), but the manifest's own services not. */
const COMPOSE_ONLY = new Set(['secrets', 'configs', 'env_file', 'label_file', 'profiles', 'extends']);
/** Compose keys cluster does not run yet: named, not silently ignored. */
const NOT_YET = new Set([
  'devices', 'dns', 'extra_hosts', 'logging', 'privileged', 'user', 'working_dir', 'tmpfs', 'ulimits', 'sysctls', 'init',
  'stop_grace_period', 'platform', 'read_only', 'shm_size', 'tty', 'stdin_open', 'domainname', 'ipc', 'pid', 'security_opt',
]);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // The build's, compiled ahead with the same options (./precompiled-schema.ts); from the sources, compiled here.
  compiled ??= precompiledValidator() ?? new Ajv({ allErrors: true, strict: false, verbose: true }).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  return compiled;
}

export function validateSchema(source: Source, data: unknown): Diagnostic[] {
  return validateWith(validator(), source, data);
}

/** Validation against another compiled schema (compose files), with the same one-error-per-problem positions. */
export function validateWith(validate: ValidateFunction, source: Source, data: unknown): Diagnostic[] {
  if (validate(data)) return [];
  return pickErrors(validate.errors ?? []).map((e) => toDiagnostic(source, e));
}

/**
 * Validation with the entries of one map (compose `services`) checked one at a time against their
 * own validator: ajv (allErrors) appends the errors of each failing $ref by copying every error so
 * far into a new array, so a file of 20,000 broken services cost minutes. The rest of the file is
 * checked with each entry as `{}`, which still reports names the map does not allow (and those
 * entries are not checked further, as the whole-file validation would not).
 */
export function validateSplit(file: ValidateFunction, entry: ValidateFunction, key: string, source: Source, data: Record<string, unknown>): Diagnostic[] {
  const entries = data[key];
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) return validateWith(file, source, data);
  const errors: ErrorObject[] = [];
  if (!file({ ...data, [key]: Object.fromEntries(Object.keys(entries).map((k) => [k, {}])) })) errors.push(...(file.errors ?? []));
  const refused = new Set(errors.filter((e) => e.instancePath === `/${key}` && e.keyword === 'additionalProperties').map((e) => String(e.params.additionalProperty)));
  for (const [name, value] of Object.entries(entries)) {
    if (refused.has(name) || entry(value)) continue;
    const prefix = `/${key}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    for (const e of entry.errors ?? []) errors.push({ ...e, instancePath: prefix + e.instancePath });
  }
  return pickErrors(errors).map((e) => toDiagnostic(source, e));
}

const PRIORITY = ['additionalProperties', 'required', 'enum', 'pattern', 'const', 'type'];

function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  // A set of roots and a walk up each error's path: a file with thousands of errors must not cost
  // thousands squared.
  const branchRoots = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const families = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') continue;
    const root = outermostRoot(e.instancePath, branchRoots);
    const key = root ?? `${e.instancePath}#${e.keyword}#${JSON.stringify(e.params)}`;
    const family = families.get(key);
    if (family) family.push(e);
    else families.set(key, [e]);
  }
  const out: ErrorObject[] = [];
  for (const family of families.values()) {
    const depth = family.reduce((d, e) => Math.max(d, e.instancePath.split('/').length), 0);
    const deepest = family.filter((e) => e.instancePath.split('/').length === depth);
    deepest.sort((a, b) => PRIORITY.indexOf(a.keyword) - PRIORITY.indexOf(b.keyword));
    const best = deepest[0]!;
    if (best.keyword === 'type') {
      const types = [...new Set(deepest.filter((e) => e.keyword === 'type').flatMap((e) => [e.params.type].flat() as string[]))];
      out.push({ ...best, params: { type: types.join(', ') } });
    } else out.push(best);
  }
  return out;
}

/** The shortest of `roots` that is `path` or one of its ancestors. */
function outermostRoot(path: string, roots: Set<string>): string | undefined {
  if (roots.size === 0) return undefined;
  if (roots.has('')) return '';
  for (let i = path.indexOf('/', 1); ; i = path.indexOf('/', i + 1)) {
    const prefix = i < 0 ? path : path.slice(0, i);
    if (roots.has(prefix)) return prefix;
    if (i < 0) return undefined;
  }
}

function toDiagnostic(source: Source, e: ErrorObject): Diagnostic {
  const path: Path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const where = describe(path);
  const at = (p: Path, part: 'key' | 'value') => ({ severity: 'error' as const, file: source.file, ...locate(source, p, part) });
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const isService = path.length === 2 && path[0] === 'services';
      if (isService && COMPOSE_ONLY.has(key)) {
        return { ...at([...path, key], 'key'), message: `\`${key}\` works in a compose file's services, not in the manifest's own`, hint: 'move the service into a compose file and import it with `compose: docker-compose.yml`' };
      }
      if (isService && NOT_YET.has(key)) {
        return { ...at([...path, key], 'key'), message: `\`${key}\` is not supported yet`, hint: 'remove it for now; nothing is ignored silently' };
      }
      return { ...at([...path, key], 'key'), message: `unknown key \`${key}\`${where ? ` in ${where}` : ''}`, hint: didYouMean(key, known) ?? (known.length ? `known keys: ${known.join(', ')}` : undefined) };
    }
    case 'required':
      return { ...at(path, 'key'), message: `missing required key \`${e.params.missingProperty}\`${where ? ` in ${where}` : ''}`, hint: hintFor(String(e.params.missingProperty)) };
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      return { ...at(path, 'value'), message: `${where || 'value'} must be one of ${allowed.join(', ')} (got ${JSON.stringify(e.data)})`, hint: didYouMean(String(e.data), allowed) };
    }
    case 'type':
      return { ...at(path, 'value'), message: `${where || 'value'} must be ${article(String(e.params.type))} (got ${typeName(e.data)})` };
    case 'pattern':
      return { ...at(path, 'value'), message: `${where || 'value'} has an invalid value ${JSON.stringify(e.data)}`, hint: (e.parentSchema as { description?: string } | undefined)?.description };
    case 'uniqueItems': {
      const i = Math.max(Number(e.params.i), Number(e.params.j)); // the second of the two
      return { ...at([...path, i], 'value'), message: `${where || 'the list'} has ${JSON.stringify((e.data as unknown[])[i])} twice`, hint: 'remove one of them' };
    }
    default:
      return { ...at(path, 'value'), message: `${where || 'value'} ${e.message ?? 'is invalid'}` };
  }
}

function describe(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

function hintFor(key: string): string | undefined {
  if (key === 'image') return 'every service needs an image, e.g. `image: busybox:latest`';
  if (key === 'name') return 'name the cluster, e.g. `name: demo` (it prefixes every machine and container)';
  if (key === 'machines') return 'declare at least one machine, e.g. `machines: { m1: { driver: sim } }`';
  return undefined;
}

function article(type: string): string {
  return type
    .split(', ')
    .map((t) => (t === 'array' ? 'a list' : t === 'object' ? 'a map' : t === 'integer' ? 'an integer' : `a ${t}`))
    .join(' or ');
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : `${typeof v} ${JSON.stringify(v)}`;
}
