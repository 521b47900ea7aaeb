// The values this process must never show or store in clear, like a CI runner's `add-mask`: every
// value of a sensitive variable that interpolation substituted (in the manifest, compose files,
// .env and env_file) and every compose secret's content read from a variable. Masking goes by
// VALUE, so a password follows wherever interpolation put it: `postgres://app:(sensitive)@db` in a
// label, a command, an image tag, an error message. (A value written literally under a sensitive
// environment key is masked under that key only: src/plan/sensitive.ts.)
// A variable is sensitive when its name says so (PASSWORD, TOKEN, SECRET, KEY...) or the manifest
// lists it under `sensitive:`. The registry is process-wide because the CLI loads one manifest per run
// (watch reloads add to it; a rotated-away value stays masked, which is the safe side).

export const MASK = '(sensitive)';
const SENSITIVE_NAME = /PASSWORD|PASSWD|TOKEN|SECRET|KEY|CREDENTIAL/i;

const listed = new Set<string>();
/** Longest first, so a secret containing another is masked whole. */
let values: string[] = [];

/** Names the manifest declares under `sensitive:`. */
export function declareSensitive(names: Iterable<string>): void {
  for (const n of names) listed.add(n);
}

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name) || listed.has(name);
}

export function rememberSecret(value: string | undefined): void {
  if (!value || values.includes(value)) return;
  // Its JSON-escaped form too: a value with a quote or a backslash is written that way in JSON.
  const escaped = JSON.stringify(value).slice(1, -1);
  values = [...new Set([...values, value, escaped])].sort((a, b) => b.length - a.length);
}

/**
 * Forgets every remembered value and declared name. For a process that loads unrelated manifests one
 * after another (the test suite's shared workers, test/support/fresh-secrets.ts); the CLI never calls it.
 */
export function forgetSecrets(): void {
  listed.clear();
  values = [];
}

export function hasSecrets(): boolean {
  return values.length > 0;
}

/** `text` with every remembered secret replaced by MASK. */
export function maskText(text: string, minLength = 1, eligible: (value: string) => boolean = () => true): string {
  if (!values.length) return text;
  let out = text;
  for (const v of values) if (v.length >= minLength && out.includes(v) && eligible(v)) out = out.split(v).join(MASK);
  return out;
}

/** A copy of plain data with every string (not object keys) masked; the same object when nothing changes. */
export function maskDeep<T>(x: T): T {
  if (!values.length) return x;
  return walk(x) as T;
}

function walk(x: unknown): unknown {
  if (typeof x === 'string') return maskText(x);
  if (Array.isArray(x)) {
    const out = x.map(walk);
    return out.some((v, i) => v !== x[i]) ? out : x;
  }
  if (x && typeof x === 'object' && typeof (x as { toJSON?: unknown }).toJSON === 'function') return walk((x as { toJSON(): unknown }).toJSON());
  if (x && typeof x === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      out[k] = walk(v);
      if (out[k] !== v) changed = true;
    }
    return changed ? out : x;
  }
  return x;
}
