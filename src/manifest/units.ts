// Compose's value forms, read as docker compose reads them: byte sizes (compose-go types.UnitBytes:
// an integer, else go-units RAMInBytes), durations (compose-go types.Duration: go-str2duration),
// cpus (types.NanoCPUs: strconv.ParseFloat).

const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * Bytes, or undefined when the value is not a size. go-units RAMInBytes (size.go parseSize): a
 * decimal number, an optional space, then b, or k/m/g/t/p (binary: 1m = 1 MiB) with an optional
 * b or ib, any case: 512m, 1.5g, 2GiB, "1 kb". The fraction is cut, as Go's int64() cuts it.
 */
export function parseBytes(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.trunc(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^([0-9.]*[0-9][0-9.]*(?:[eE][+-]?[0-9]+)?) ?([a-zA-Z]{0,3})$/.exec(v);
  if (!m || !isGoFloat(m[1]!)) return undefined;
  const size = Number(m[1]);
  const suffix = m[2]!.toLowerCase();
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const unit = BINARY[suffix[0]!];
  if (unit === undefined || (suffix.length === 2 && suffix[1] !== 'b') || (suffix.length === 3 && suffix.slice(1) !== 'ib')) return undefined;
  const bytes = Math.trunc(size * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86_400e9, w: 604_800e9 };

/**
 * Milliseconds of a compose duration, or undefined. go-str2duration ParseDuration (what compose-go's
 * types.Duration decodes with): "0", or numbers each with a unit (ns us µs ms s m h d w), no spaces:
 * 1m30s, 1.5h, 500ms, 2d. A bare number other than 0 has no unit and is refused, as compose refuses
 * it; so is a negative duration, which no engine field takes.
 */
export function parseComposeDuration(v: unknown): number | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).replace(/^\+/, '');
  if (s === '0') return 0;
  // µs and μs (micro sign, Greek mu) escaped: the bundle stays ASCII (bin/code-cache.js reads it as latin1).
  if (!/^(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h|d|w))+$/.test(s)) return undefined;
  let ns = 0;
  for (const [, n, unit] of s.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d|w)/g)) ns += Number(n) * NS[unit!]!;
  return ns / 1e6;
}

/** Milliseconds: a bare number is milliseconds (cluster's own settings: simulation latency, CLI flags), else a compose duration. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  return parseComposeDuration(v);
}

/** Cores: a number, or a string strconv.ParseFloat reads as a decimal (0.5, 1e-1); not negative. */
export function parseCpus(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && isGoFloat(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** An integer from a number or a numeric string (interpolated values arrive as strings), as strconv.Atoi reads it. */
export function parseInteger(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[-+]?\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A decimal strconv.ParseFloat accepts (no hex, no inf/nan, no spaces). */
function isGoFloat(s: string): boolean {
  return /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(s);
}
