// The compose-spec's merge rules, for several -f files and for `extends`: mappings merge, some
// sequences append, some merge by key, and a few fields replace outright. The key lists mirror
// compose-go's override/merge.go and override/uniqueness.go.
type Raw = Record<string, unknown>;

/** Sequences that append, without duplicates. */
const APPEND = new Set(['ports', 'expose', 'dns', 'dns_search', 'dns_opt', 'tmpfs', 'external_links', 'links', 'cap_add', 'cap_drop', 'devices', 'security_opt', 'group_add', 'env_file', 'label_file', 'profiles']);
/** Written as a list or a map, merged as a map (entry by entry). */
const AS_MAP = new Set(['environment', 'labels', 'extra_hosts', 'sysctls', 'annotations']);
/** Mounts: an entry replaces the one with the same target. */
const BY_TARGET = new Set(['volumes', 'secrets', 'configs']);
const REPLACE = new Set(['command', 'entrypoint', 'image', 'healthcheck.test']);

export function mergeService(base: Raw, over: Raw): Raw {
  return mergeMaps(normalizeService(base), normalizeService(over), '');
}

/** Top-level networks, volumes, secrets and configs: plain recursive merge. */
export function mergeTopLevel(base: Raw, over: Raw): Raw {
  return mergeMaps(base, over, 'top');
}

function mergeMaps(base: Raw, over: Raw, at: string): Raw {
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const path = at ? `${at}.${key}` : key;
    const old = out[key];
    if (old === undefined || old === null || REPLACE.has(path)) out[key] = value;
    else if (at === '' && APPEND.has(key) && Array.isArray(old) && Array.isArray(value)) out[key] = unique([...old, ...value]);
    else if (at === '' && BY_TARGET.has(key) && Array.isArray(old) && Array.isArray(value)) out[key] = mergeByTarget(key, old, value);
    else if (isMap(old) && isMap(value)) out[key] = mergeMaps(old, value, path);
    else out[key] = value;
  }
  return out;
}

/** List forms that mean a map become that map, and single values a list, so two files' entries merge by key. */
export function normalizeService(raw: Raw): Raw {
  const out: Raw = { ...raw };
  for (const key of AS_MAP) if (Array.isArray(out[key])) out[key] = listToMap(out[key] as unknown[], key === 'extra_hosts' ? /[=:]/ : /=/);
  for (const key of APPEND) if (typeof out[key] === 'string') out[key] = [out[key]];
  if (isMap(out.build) && Array.isArray(out.build.args)) out.build = { ...out.build, args: listToMap(out.build.args, /=/) };
  if (isMap(out.deploy) && Array.isArray(out.deploy.labels)) out.deploy = { ...out.deploy, labels: listToMap(out.deploy.labels, /=/) };
  if (Array.isArray(out.depends_on)) out.depends_on = Object.fromEntries((out.depends_on as unknown[]).map((d) => [String(d), { condition: 'service_started' }]));
  if (Array.isArray(out.networks)) out.networks = Object.fromEntries((out.networks as unknown[]).map((n) => [String(n), {}]));
  else if (isMap(out.networks)) out.networks = Object.fromEntries(Object.entries(out.networks).map(([n, v]) => [n, v ?? {}]));
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

/** Where a mount lands in the container: `a:/b:ro` → /b; a secret `s` → /run/secrets/s, a config `c` → /c. */
function mountTarget(key: string, v: unknown): string {
  const under = key === 'secrets' ? '/run/secrets' : '';
  if (key === 'volumes') {
    if (isMap(v)) return String(v.target);
    const parts = String(v).split(':');
    return parts.length === 1 ? parts[0]! : parts[1]!;
  }
  const source = isMap(v) ? String(v.source) : String(v);
  const target = isMap(v) && typeof v.target === 'string' ? v.target : source;
  return target.startsWith('/') ? target : `${under}/${target}`;
}

function mergeByTarget(key: string, base: unknown[], over: unknown[]): unknown[] {
  const byTarget = new Map(base.map((v) => [mountTarget(key, v), v]));
  for (const v of over) byTarget.set(mountTarget(key, v), v);
  return [...byTarget.values()];
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
