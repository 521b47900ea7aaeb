// A service's final `environment`, as compose builds it: `env_file` entries first, then what
// `environment:` sets itself; an entry written without a value (`- DEBUG`) takes the variable's
// value from the environment compose runs in (opts.env, then .env), or stays null when unset (the
// container then gets no such variable, as with `docker run -e DEBUG`).
import { existsSync } from 'node:fs';
import { readDotEnv, type Env } from '../manifest/interpolate.js';
import type { Path } from '../manifest/read.js';
import { readUserFile } from '../manifest/user-file.js';
import { isMap } from './merge.js';

type Raw = Record<string, unknown>;
/** A file that exists but cannot be read (a directory, a FIFO, a device, too big): an error at its entry. */
type Unreadable = (at: Path, message: string, hint?: string) => void;

/**
 * Reads the service's env_file entries (each path goes into `read`, for the watcher) and replaces
 * them by the `environment` map. A missing required file is reported at its entry.
 */
export function applyEnvironment(raw: Raw, env: Env, read: string[], missing: (at: Path, path: string) => void, unreadable: Unreadable): void {
  const fromFiles: Raw = {};
  const hadEnvFile = raw.env_file !== undefined;
  if (hadEnvFile) {
    for (const [i, entry] of [raw.env_file].flat().entries()) {
      const path = String(isMap(entry) ? entry.path : entry);
      const required = !isMap(entry) || entry.required !== false;
      if (!read.includes(path)) read.push(path);
      if (existsSync(path)) Object.assign(fromFiles, readDotEnv(path, env, (message, hint) => unreadable(['env_file', i], message, hint), 'env_file'));
      else if (required) missing(['env_file', i], path);
    }
    delete raw.env_file;
  }
  const own = isMap(raw.environment) ? raw.environment : {};
  if (!hadEnvFile && !Object.values(own).includes(null)) return;
  const merged: Raw = { ...fromFiles };
  for (const [key, value] of Object.entries(own)) {
    if (value !== null) merged[key] = value;
    else if (env[key] !== undefined) merged[key] = env[key];
    else if (!(key in fromFiles)) merged[key] = null;
  }
  raw.environment = merged;
}

/**
 * `label_file:` entries (KEY=VALUE lines, `#` comments) under the service's own `labels`, which
 * win. Each path goes into `read`; a missing file is reported at its entry.
 */
export function applyLabelFiles(raw: Raw, read: string[], missing: (at: Path, path: string) => void, unreadable: Unreadable): void {
  if (raw.label_file === undefined) return;
  const fromFiles: Raw = {};
  for (const [i, entry] of [raw.label_file].flat().entries()) {
    const path = String(entry);
    if (!read.includes(path)) read.push(path);
    const file = readUserFile(path, { what: 'label_file' });
    if (!file.ok) {
      if (file.missing) missing(['label_file', i], path);
      else unreadable(['label_file', i], file.message, file.hint);
      continue;
    }
    for (const line of file.bytes.toString('utf8').split(/\r?\n/)) {
      const text = line.trim();
      const eq = text.indexOf('=');
      if (!text || text.startsWith('#') || eq <= 0) continue;
      fromFiles[text.slice(0, eq).trim()] = text.slice(eq + 1).trim().replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
    }
  }
  delete raw.label_file;
  raw.labels = { ...fromFiles, ...(isMap(raw.labels) ? raw.labels : {}) };
}
