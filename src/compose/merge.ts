// The compose-spec's merge rules, for several -f files and for `extends`: mappings merge, some
// sequences append, some merge by key, and a few fields replace outright.
type Raw = Record<string, unknown>;

const APPEND = new Set(['ports', 'expose', 'dns', 'dns_search', 'tmpfs', 'external_links', 'cap_add', 'cap_drop', 'devices', 'security_opt', 'dns_opt', 'group_add']);
const AS_MAP = new Set(['environment', 'labels', 'extra_hosts', 'sysctls', 'annotations']);
const BY_TARGET = new Set(['volumes', 'secrets', 'configs']);
const REPLACE = new Set(['command', 'entrypoint', 'image', 'healthcheck.test']);

export function mergeService(base: Raw, over: Raw): Raw {
  return mergeMaps(normalizeService(base), normalizeService(over), '');
}

function mergeMaps(base: Raw, over: Raw, at: string): Raw {
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const path = at ? `${at}.${key}` : key;
    const old = out[key];
    if (old === undefined || REPLACE.has(path)) out[key] = value;
    else if (at === '' && APPEND.has(key) && Array.isArray(old) && Array.isArray(value)) out[key] = unique([...old, ...value]);
    else if (at === '' && BY_TARGET.has(key) && Array.isArray(old) && Array.isArray(value)) out[key] = mergeByTarget(old, value);
    else if (isMap(old) && isMap(value)) out[key] = mergeMaps(old, value, path);
    else out[key] = value;
  }
  return out;
}

/** List forms that mean a map become that map, so two files' entries merge by key. */
export function normalizeService(raw: Raw): Raw {
  const out: Raw = { ...raw };
  for (const key of AS_MAP) if (Array.isArray(out[key])) out[key] = listToMap(out[key] as unknown[], key === 'extra_hosts' ? /[=:]/ : /=/);
  if (Array.isArray(out.depends_on)) out.depends_on = Object.fromEntries((out.depends_on as unknown[]).map((d) => [String(d), { condition: 'service_started' }]));
  if (Array.isArray(out.networks)) out.networks = Object.fromEntries((out.networks as unknown[]).map((n) => [String(n), null]));
  return out;
}

function listToMap(list: unknown[], separator: RegExp): Raw {
  const out: Raw = {};
  for (const entry of list) {
    const s = String(entry);
    const m = separator.exec(s);
    if (!m) out[s] = null;
    else out[s.slice(0, m.index)] = s.slice(m.index + 1);
  }
  return out;
}

function mergeByTarget(base: unknown[], over: unknown[]): unknown[] {
  const key = (v: unknown) => {
    if (v && typeof v === 'object') return String((v as Raw).target ?? (v as Raw).source);
    const parts = String(v).split(':');
    return parts.length === 1 ? parts[0]! : parts[1]!;
  };
  const byKey = new Map(base.map((v) => [key(v), v]));
  for (const v of over) byKey.set(key(v), v);
  return [...byKey.values()];
}

function unique(list: unknown[]): unknown[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const k = JSON.stringify(v);
    return !seen.has(k) && (seen.add(k), true);
  });
}

export function isMap(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
