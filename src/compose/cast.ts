// Interpolation yields strings, but `replicas: ${REPLICAS:-2}` must still be a number: compose-go
// casts the string at fields the spec types as integer, number or boolean (loader/interpolate.go's
// interpolateTypeCastMapping). The 2021 schema we validate with has no string alternative there,
// so the cast runs before validation. A string that does not parse is left for the schema to report.
import { isScalar } from 'yaml';
import type { Source } from '../manifest/read.js';
import { isMap } from './merge.js';

type Raw = Record<string, unknown>;
type Cast = (s: string) => unknown;

// strconv.Atoi, strconv.ParseFloat (decimal), and loader/interpolate.go's toBoolean: exactly, no trimming.
const toInt: Cast = (s) => (/^[-+]?\d+$/.test(s) ? Number(s) : s);
const toFloat: Cast = (s) => (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(s) ? Number(s) : s);
const toBool: Cast = (s) => (/^(true|yes|y|on)$/i.test(s) ? true : /^(false|no|n|off)$/i.test(s) ? false : s);

/** Paths below `services.<name>`; `*` is any key or list index. */
const SERVICE: [string, Cast][] = [
  ...['cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares', 'oom_score_adj', 'pids_limit', 'scale', 'mem_swappiness'].map((k): [string, Cast] => [k, toInt]),
  ...['init', 'oom_kill_disable', 'privileged', 'read_only', 'stdin_open', 'tty'].map((k): [string, Cast] => [k, toBool]),
  ['cpus', toFloat],
  ['deploy.replicas', toInt],
  ['deploy.update_config.parallelism', toInt],
  ['deploy.rollback_config.parallelism', toInt],
  ['deploy.update_config.max_failure_ratio', toFloat],
  ['deploy.rollback_config.max_failure_ratio', toFloat],
  ['deploy.restart_policy.max_attempts', toInt],
  ['deploy.placement.max_replicas_per_node', toInt],
  ['healthcheck.retries', toInt],
  ['depends_on.*.required', toBool],
  ['depends_on.*.restart', toBool],
  ['healthcheck.disable', toBool],
  ['ports.*.target', toInt],
  ['ports.*.published', toInt],
  ['ulimits.*', toInt],
  ['ulimits.*.soft', toInt],
  ['ulimits.*.hard', toInt],
  ['volumes.*.read_only', toBool],
  ['volumes.*.volume.nocopy', toBool],
  ['volumes.*.bind.create_host_path', toBool],
];
const TOP: [string, Cast][] = [
  ...['networks', 'volumes', 'secrets', 'configs'].map((s): [string, Cast] => [`${s}.*.external`, toBool]),
  ...['internal', 'attachable', 'enable_ipv4', 'enable_ipv6'].map((k): [string, Cast] => [`networks.*.${k}`, toBool]),
];

export function castTypedFields(data: Raw, source: Source): void {
  for (const [name, service] of Object.entries(isMap(data.services) ? data.services : {})) {
    if (!isMap(service)) continue;
    for (const [path, cast] of SERVICE) apply(service, path.split('.'), cast);
    fileModes(service, name, source);
  }
  for (const [path, cast] of TOP) apply(data, path.split('.'), cast);
}

function apply(node: unknown, path: string[], cast: Cast): void {
  const [head, ...rest] = path;
  if (head === undefined || node === null || typeof node !== 'object') return;
  const container = node as Raw;
  const keys = head === '*' ? Object.keys(container) : [head];
  for (const key of keys) {
    if (rest.length) apply(container[key], rest, cast);
    else if (typeof container[key] === 'string') container[key] = cast(container[key]);
  }
}

/**
 * `mode: 0440` is octal to docker compose (YAML 1.1), but 440 to our YAML 1.2 parser: read the
 * digits as written. A quoted or interpolated mode is octal as well.
 */
function fileModes(service: Raw, name: string, source: Source): void {
  for (const kind of ['secrets', 'configs']) {
    const list = service[kind];
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      if (!isMap(entry) || entry.mode === undefined) return;
      const node = source.doc.getIn(['services', name, kind, i, 'mode'], true);
      const written = isScalar(node) && typeof node.source === 'string' ? node.source : String(entry.mode);
      const text = typeof entry.mode === 'string' ? entry.mode : written;
      if (/^0[0-7]+$/.test(text.trim())) entry.mode = parseInt(text, 8);
      else if (typeof entry.mode === 'string') entry.mode = toInt(entry.mode);
    });
  }
}
