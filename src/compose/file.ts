// One compose file: read with positions, interpolated, validated against the compose-spec, x- keys
// dropped, relative paths made absolute against the file's own folder.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { interpolate, type Env } from '../manifest/interpolate.js';
import { locate, readSource, type Source } from '../manifest/read.js';
import { validateWith } from '../manifest/validate.js';
import { isMap } from './merge.js';
import { composeValidator } from './schema.js';

type Raw = Record<string, unknown>;

export interface ComposeFile {
  source: Source;
  data: Raw;
  dir: string;
}

export type FileResult = { ok: true; file: ComposeFile; warnings: Diagnostic[]; sensitive: string[] } | { ok: false; diagnostics: Diagnostic[] };

export function readComposeFile(path: string, env: Env): FileResult {
  const read = readSource(path);
  if (!read.ok) return read;
  const source = read.source;
  const sensitive: string[] = [];
  const interpolation = interpolate(source, env, sensitive);
  const errors = interpolation.filter((d) => d.severity === 'error');
  if (errors.length) return { ok: false, diagnostics: errors };
  let data: Raw;
  try {
    data = (source.doc.toJS({ maxAliasCount: 100 }) ?? {}) as Raw;
  } catch (err) {
    return { ok: false, diagnostics: [{ severity: 'error', file: path, line: 1, col: 1, message: `cannot read the compose file: ${(err as Error).message}` }] };
  }
  const schemaErrors = validateWith(composeValidator(), source, data);
  if (data.include !== undefined) {
    schemaErrors.push({ severity: 'error', file: path, ...locate(source, ['include'], 'key'), message: '`include` is not supported yet', hint: 'list the included files under `compose:` in the manifest (or pass each with -c) instead' });
  }
  if (schemaErrors.length) return { ok: false, diagnostics: schemaErrors };
  const dir = dirname(path);
  return { ok: true, file: { source, data: resolvePaths(dropExtensions(data), dir), dir }, warnings: interpolation.filter((d) => d.severity === 'warning'), sensitive };
}

/** `x-` keys hold anchors and tool settings: not part of the model. */
function dropExtensions(data: Raw): Raw {
  const strip = (o: unknown): unknown => (isMap(o) ? Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('x-'))) : o);
  const out = strip(data) as Raw;
  for (const section of ['services', 'networks', 'volumes', 'secrets', 'configs']) {
    if (isMap(out[section])) out[section] = Object.fromEntries(Object.entries(out[section] as Raw).map(([k, v]) => [k, strip(v)]));
  }
  return out;
}

/** build contexts, env_file entries, bind sources, secret and config files: relative to this file. */
function resolvePaths(data: Raw, dir: string): Raw {
  const abs = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) && !/^[a-z]+:\/\//.test(p) ? resolve(dir, p.replace(/^~(?=\/)/, process.env.HOME ?? '~')) : p);
  for (const service of Object.values((data.services ?? {}) as Raw)) {
    if (!isMap(service)) continue;
    if (typeof service.build === 'string') service.build = abs(service.build);
    else if (isMap(service.build)) service.build = { ...service.build, context: abs(service.build.context ?? '.') };
    if (service.env_file !== undefined) {
      service.env_file = [service.env_file].flat().map((e) => (isMap(e) ? { ...e, path: abs(e.path) } : abs(e)));
    }
    if (Array.isArray(service.volumes)) {
      service.volumes = service.volumes.map((v) => {
        if (isMap(v)) return v.type === 'bind' ? { ...v, source: abs(v.source) } : v;
        const [src, ...rest] = String(v).split(':');
        return rest.length && /^[./~]/.test(src!) ? [abs(src), ...rest].join(':') : v;
      });
    }
    if (isMap(service.extends) && typeof service.extends.file === 'string') service.extends = { ...service.extends, file: abs(service.extends.file) };
  }
  for (const section of ['secrets', 'configs']) {
    for (const entry of Object.values((data[section] ?? {}) as Raw)) if (isMap(entry) && typeof entry.file === 'string') entry.file = abs(entry.file);
  }
  return data;
}
