// Relative paths in a compose file are relative to that file's folder, not to the current one, and
// must be made absolute before files from different folders merge (compose-go's paths/ resolver).
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { Env } from '../manifest/interpolate.js';
import { isMap } from './merge.js';

type Raw = Record<string, unknown>;

/** A build context that is a remote (git or http) source, not a folder. */
const REMOTE = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)/i;

/** build contexts, env_file and label_file entries, bind sources, extends files, secret and config files. */
export function resolvePaths(data: Raw, dir: string, env: Env): Raw {
  const home = env.HOME ?? homedir();
  const abs = (p: unknown): unknown => {
    if (typeof p !== 'string' || REMOTE.test(p)) return p;
    if (p === '~' || p.startsWith('~/')) return resolve(home, p.slice(2));
    return isAbsolute(p) ? p : resolve(dir, p);
  };
  for (const service of Object.values(isMap(data.services) ? data.services : {})) {
    if (!isMap(service)) continue;
    if (typeof service.build === 'string') service.build = abs(service.build);
    else if (isMap(service.build)) service.build = { ...service.build, context: abs(service.build.context ?? '.') };
    for (const key of ['env_file', 'label_file']) {
      if (service[key] !== undefined) service[key] = [service[key]].flat().map((e) => (isMap(e) ? { ...e, path: abs(e.path) } : abs(e)));
    }
    if (Array.isArray(service.volumes)) service.volumes = service.volumes.map((v) => bindSource(v, abs));
    if (isMap(service.extends) && typeof service.extends.file === 'string') service.extends = { ...service.extends, file: abs(service.extends.file) };
  }
  for (const section of ['secrets', 'configs']) {
    const entries = isMap(data[section]) ? Object.values(data[section] as Raw) : [];
    for (const entry of entries) if (isMap(entry) && typeof entry.file === 'string') entry.file = abs(entry.file);
  }
  return data;
}

/** `./data:/var/lib/x:ro` and `{ type: bind, source: ./data }` are host paths; `db:/var/lib/x` names a volume. */
function bindSource(v: unknown, abs: (p: unknown) => unknown): unknown {
  if (isMap(v)) return v.type === 'bind' ? { ...v, source: abs(v.source) } : v;
  const [source, ...rest] = String(v).split(':');
  return rest.length && /^[./~]/.test(source!) ? [abs(source), ...rest].join(':') : v;
}
