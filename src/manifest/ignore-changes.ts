// A service's `x-cluster: { ignore_changes: [...] }`: the fields people or other tools change outside
// cluster (an environment variable set by an operator, replicas added by an autoscaler), as
// Terraform's `lifecycle { ignore_changes = [...] }`. An `x-` key, so a compose file can carry it and
// docker compose ignores it. Field names are compose's; each maps to where it lives in the spec.
import type { IgnoredField } from '../model/desired.js';
import { didYouMean } from './hints.js';
import type { Path } from './read.js';
import type { Report } from './service.js';

/** Compose field → JSON Pointers into the comparable spec (src/plan/spec-diff.ts comparable()). */
const FIELDS: Record<string, string[]> = {
  image: ['/image'],
  command: ['/command'],
  entrypoint: ['/entrypoint'],
  environment: ['/environment'],
  labels: ['/labels'],
  ports: ['/ports'],
  volumes: ['/volumes'],
  restart: ['/restart'],
  healthcheck: ['/healthcheck'],
  links: ['/links'],
  volumes_from: ['/volumesFrom'],
  network_mode: ['/networkMode'],
  networks: ['/networks'],
  expose: ['/expose'],
  hostname: ['/hostname'],
  cap_add: ['/capAdd'],
  cap_drop: ['/capDrop'],
  stop_signal: ['/stopSignal'],
  'deploy.resources': ['/reservations', '/limits'],
  'deploy.resources.reservations': ['/reservations'],
  'deploy.resources.limits': ['/limits'],
  scale: ['/scale'],
  'deploy.replicas': ['/scale'],
};

/** Maps whose entries may be named one by one: `environment.FOO`, `labels.com.example.owner`. */
const KEYED = new Set(['environment', 'labels']);

const pointerKey = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** The fields a written name covers, or undefined when it names nothing that can be ignored. */
export function ignoredField(field: string): IgnoredField | undefined {
  if (FIELDS[field]) return { field, pointers: FIELDS[field]! };
  const dot = field.indexOf('.');
  const map = field.slice(0, dot);
  if (dot > 0 && KEYED.has(map) && field.length > dot + 1) return { field, pointers: [`/${map}/${pointerKey(field.slice(dot + 1))}`] };
  return undefined;
}

/** Reads `x-cluster` of one service; every wrong entry is reported at its place. */
export function parseIgnoreChanges(raw: unknown, at: (...rest: (string | number)[]) => Path, report: Report): IgnoredField[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) return void report(at('x-cluster'), 'x-cluster must be a map', 'x-cluster: { ignore_changes: [environment.FOO, deploy.replicas] }');
  const out: IgnoredField[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key !== 'ignore_changes') {
      report(at('x-cluster', key), `unknown key ${key} in x-cluster`, didYouMean(key, ['ignore_changes']) ?? 'x-cluster holds ignore_changes');
      continue;
    }
    if (!Array.isArray(value)) {
      report(at('x-cluster', key), 'ignore_changes must be a list of field names', 'e.g. [environment.FOO, labels, deploy.replicas]');
      continue;
    }
    for (const [i, entry] of value.entries()) {
      const field = typeof entry === 'string' ? ignoredField(entry) : undefined;
      if (field) out.push(field);
      else {
        const written = String(entry);
        const known = [...Object.keys(FIELDS), 'environment.NAME', 'labels.NAME'];
        report(at('x-cluster', key, i), `ignore_changes: ${JSON.stringify(entry)} is not a service field that can be ignored`, didYouMean(written, known) ?? `one of: ${known.join(', ')}`);
      }
    }
  }
  return out.length ? out : undefined;
}
