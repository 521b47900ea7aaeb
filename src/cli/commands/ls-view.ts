// `cluster ls` as docker-machine ls (docker/machine commands/ls.go): the ACTIVE column, --filter,
// --format with a `table` prefix, -q. Pure: machine rows and the options in, text out.
import { InvalidArgumentError } from 'commander';
import { RE2JS } from 're2js';
import { didYouMean } from '../../manifest/hints.js';
import type { MachineState } from '../../model/observed.js';

/** One machine as ls shows it; field names are docker-machine's HostListItem's, so templates carry over. */
export interface LsItem {
  Name: string;
  /** `*` for the machine DOCKER_HOST points at, else `-` (ls.go attemptGetHostState). */
  Active: '*' | '-';
  ActiveHost: boolean;
  DriverName: string;
  /** docker-machine's spelling: machineStateName. */
  State: string;
  URL: string;
  Swarm: string;
  DockerVersion: string;
  Error: string;
  /** Engine labels, for label= filters (not a template field, as in docker-machine). */
  labels: Record<string, string>;
}

/**
 * The STATE column as docker-machine prints it: libmachine/state/state.go's `states` ("Running",
 * "Paused", "Stopped", "Error", ...), not cluster's lower-case machine states. `--filter state=`
 * compares without case (ls.go matchesState: strings.EqualFold), so `state=running` still matches.
 */
export function machineStateName(state: MachineState): string {
  switch (state) {
    case 'running':
      return 'Running';
    case 'paused':
      return 'Paused';
    case 'stopped':
      return 'Stopped';
    case 'error':
      return 'Error';
  }
}

/** ls.go isActive: running, and DOCKER_HOST is exactly the URL `env` would export for it. */
export function isActive(state: MachineState, dockerHost: string, envDockerHost: string | undefined): boolean {
  return state === 'running' && dockerHost !== '' && dockerHost === envDockerHost;
}

// ---- --filter (ls.go parseFilters, filterHost): AND across keys, OR among values of one key.

export interface LsFilter {
  key: 'driver' | 'state' | 'name' | 'label';
  value: string;
  /** name=: a Go (RE2) regular expression, matched anywhere in the name (regexp.MatchString). */
  regex?: RE2JS;
}

const FILTER_KEYS = ['driver', 'state', 'name', 'label'] as const;

/** A commander argParser: each --filter is checked when the command line is read. */
export function parseFilter(text: string, previous: LsFilter[] = []): LsFilter[] {
  const eq = text.indexOf('=');
  if (eq < 0) throw new InvalidArgumentError(`write KEY=VALUE with KEY one of ${FILTER_KEYS.join(', ')} (docker-machine's ls filters)`);
  const key = text.slice(0, eq).toLowerCase();
  const value = text.slice(eq + 1);
  if (key === 'swarm') throw new InvalidArgumentError("swarm= is classic Swarm's master name, which cluster machines do not have; the SWARM column is the swarm-mode role: use --format '{{.Name}} {{.Swarm}}'");
  if (!(FILTER_KEYS as readonly string[]).includes(key)) {
    const hint = didYouMean(key, FILTER_KEYS);
    throw new InvalidArgumentError(`unsupported filter key '${key}'${hint ? ` (${hint})` : ''}: use ${FILTER_KEYS.map((k) => `${k}=`).join(', ')}`);
  }
  const filter: LsFilter = { key: key as LsFilter['key'], value };
  if (key === 'name') {
    try {
      filter.regex = RE2JS.compile(value);
    } catch (err) {
      throw new InvalidArgumentError(`name=${value} is not a regular expression (Go syntax): ${(err as Error).message}`);
    }
  }
  return [...previous, filter];
}

export function matchesFilters(item: LsItem, filters: readonly LsFilter[]): boolean {
  return FILTER_KEYS.every((key) => {
    const mine = filters.filter((f) => f.key === key);
    return mine.length === 0 || mine.some((f) => matches(item, f));
  });
}

function matches(item: LsItem, f: LsFilter): boolean {
  switch (f.key) {
    case 'driver':
      return equalFold(item.DriverName, f.value);
    case 'state':
      return equalFold(item.State, f.value);
    case 'name':
      return f.regex!.matcher(item.Name).find();
    case 'label': {
      // label=KEY=VALUE compares the value without case (matchesLabel); label=KEY (documented as
      // label=<key>[=<value>], which docker-machine's code indexes out of range on) means "has KEY".
      const eq = f.value.indexOf('=');
      if (eq < 0) return f.value in item.labels;
      const have = item.labels[f.value.slice(0, eq)];
      return have !== undefined && equalFold(have, f.value.slice(eq + 1));
    }
  }
}

const equalFold = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

// ---- --format (ls.go parseFormat): Go template actions `{{.Field}}` only; `table` adds a header row and columns.

const HEADERS: Record<string, string> = {
  Name: 'NAME',
  Active: 'ACTIVE',
  ActiveHost: 'ACTIVE_HOST',
  DriverName: 'DRIVER',
  State: 'STATE',
  URL: 'URL',
  Swarm: 'SWARM',
  DockerVersion: 'DOCKER',
  Error: 'ERRORS',
};
/** Fields docker-machine documents that cluster has nothing for: said so, rather than printed empty. */
const NOT_HERE: Record<string, string> = {
  ActiveSwarm: "classic Swarm's master; cluster runs swarm mode (see .Swarm)",
  SwarmOptions: "classic Swarm's options; cluster runs swarm mode (see .Swarm)",
  EngineOptions: 'the engine is described by `cluster inspect MACHINE`',
  ResponseTime: 'cluster observes every machine at once, not one by one',
};

export const DEFAULT_FORMAT = 'table {{ .Name }}\t{{ .Active }}\t{{ .DriverName}}\t{{ .State }}\t{{ .URL }}\t{{ .Swarm }}\t{{ .DockerVersion }}\t{{ .Error}}';

export interface LsFormat {
  table: boolean;
  parts: ({ text: string } | { field: keyof typeof HEADERS })[];
}

/** A commander argParser: a template error is reported when the command line is read. */
export function parseFormat(format: string): LsFormat {
  let body = format;
  const table = body.startsWith('table');
  if (table) body = body.slice('table'.length);
  body = body.trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  const parts: LsFormat['parts'] = [];
  let at = 0;
  for (const m of body.matchAll(/\{\{(.*?)\}\}/gs)) {
    parts.push({ text: body.slice(at, m.index) });
    at = m.index + m[0].length;
    const action = m[1]!.trim();
    const field = /^\.([A-Za-z_]\w*)$/.exec(action)?.[1];
    if (field === undefined) throw new InvalidArgumentError(`{{${m[1]}}}: only {{.Field}} is supported here (fields: ${fieldList()})`);
    if (field in NOT_HERE) throw new InvalidArgumentError(`.${field}: ${NOT_HERE[field]}`);
    if (!(field in HEADERS)) {
      const hint = didYouMean(field, Object.keys(HEADERS));
      throw new InvalidArgumentError(`no field .${field}${hint ? ` (${hint.replace('`', '`.')})` : ''}; fields: ${fieldList()}`);
    }
    parts.push({ field: field as keyof typeof HEADERS });
  }
  const rest = body.slice(at);
  if (rest.includes('{{')) throw new InvalidArgumentError(`unclosed action: ${rest.slice(rest.indexOf('{{'))}`);
  parts.push({ text: rest });
  return { table, parts };
}

const fieldList = () => Object.keys(HEADERS).map((f) => `.${f}`).join(', ');

export function renderLs(format: LsFormat, items: readonly LsItem[]): string {
  const line = (value: (field: keyof typeof HEADERS) => string) => format.parts.map((p) => ('text' in p ? p.text : value(p.field))).join('') + '\n';
  const lines = items.map((item) => line((f) => String(item[f as keyof LsItem])));
  if (!format.table) return lines.join('');
  return tabwriter(line((f) => HEADERS[f]!) + lines.join(''));
}

/** Go's text/tabwriter as ls.go sets it up (minwidth 5, padding 3): tab-ended cells become aligned columns. */
function tabwriter(text: string): string {
  const rows = text.split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const r of rows) r.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(Math.max(5, widths[i]! + 3)) : cell)).join('')).join('\n');
}
