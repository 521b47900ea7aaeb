// The docker driver's daemon.json of a machine (in its host folder, mounted at /engine): engine labels
// and the manifest's `engine:` options in one file dockerd reads at start and on SIGHUP, plus
// engine-applied.json, the options the engine was last started or reloaded with. That record is
// written only once dockerd has taken the file, so a run killed between the write and the reload or
// restart leaves the record old, and the next plan changes the engine again.
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { readUserFile } from '../../manifest/user-file.js';
import { engineChanges, type EngineOptions } from '../../model/engine-options.js';

const DAEMON_JSON = 'daemon.json';
const APPLIED = 'engine-applied.json';

export interface DaemonJson {
  labels: Record<string, string>;
  options: EngineOptions;
}

export function readDaemonJson(folder: string): DaemonJson {
  const body = readJson(join(folder, DAEMON_JSON)) ?? {};
  const { labels, ...options } = body;
  const pairs = Array.isArray(labels) ? labels.filter((l): l is string => typeof l === 'string') : [];
  return { labels: Object.fromEntries(pairs.map((l) => (l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, '']))), options };
}

export function writeDaemonJson(folder: string, d: DaemonJson): void {
  // Labels only here, never also as dockerd flags: dockerd refuses a setting given both ways.
  // Atomic (rename) because dockerd may read the file at any moment.
  const body = { ...sortedObject(d.options), labels: Object.entries(sortedObject(d.labels)).map(([k, v]) => `${k}=${v}`) };
  writeFileAtomic.sync(join(folder, DAEMON_JSON), JSON.stringify(body, null, 2) + '\n');
}

/** The options the engine runs with; a machine made before engine options existed has none recorded: its daemon.json's. */
export function readAppliedOptions(folder: string): { options: EngineOptions; pending: boolean } {
  const written = readDaemonJson(folder).options;
  const applied = (readJson(join(folder, APPLIED)) as EngineOptions | undefined) ?? written;
  return { options: applied, pending: engineChanges(applied, written).length > 0 };
}

export function recordAppliedOptions(folder: string, options: EngineOptions): void {
  writeFileAtomic.sync(join(folder, APPLIED), JSON.stringify(sortedObject(options), null, 2) + '\n');
}

function readJson(file: string): Record<string, unknown> | undefined {
  const read = readUserFile(file, { what: 'a machine’s daemon.json', maxBytes: 1024 * 1024 });
  if (!read.ok) return undefined;
  try {
    const v = JSON.parse(read.bytes.toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sortedObject<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}
