// Compose's value forms: byte sizes ("512m", "2g", "1.5GiB"), durations ("1m30s"), cpus ("0.5").

const BYTE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Bytes, or undefined when the text is not a size. Units are binary, as in compose (1m = 1 MiB). */
export function parseBytes(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$/i.exec(v);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * BYTE_UNITS[(m[2] || 'b').toLowerCase()]!);
}

const DURATION_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined. A bare number is milliseconds. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string' || !/^\s*(\d+(\.\d+)?(us|ms|s|m|h)\s*)+$/.test(v)) return undefined;
  let total = 0;
  for (const [, n, unit] of v.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)) total += Number(n) * DURATION_UNITS[unit!]!;
  return total;
}

export function parseCpus(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** An integer from a number or a numeric string (interpolated values arrive as strings). */
export function parseInteger(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
}
