// What of a service spec may be shown or stored: the masked view. Sensitive values never leave the
// process in clear: not in plan text or JSON, saved plans, logs, nor in the labels recorded on
// containers and swarm services. A value is masked when its environment key is sensitive (by name
// or `sensitive:`), and wherever a remembered secret value occurs in any string of the spec
// (src/model/secrets.ts: the value is followed through interpolation, not only the key it sits under).
// So that a rotation is still seen field by field, each masked field also has a salted digest of
// its real value; digests, never values, are compared and stored (label io.cluster.sensitive).
import { createHash } from 'node:crypto';
import type { Operation } from 'fast-json-patch';
import type { ServiceSpec } from '../model/desired.js';
import { isSensitiveName, MASK, maskDeep } from '../model/secrets.js';
import { comparable } from './spec-diff.js';

export const CHANGED = '(sensitive value changed)';

/** Masked field (JSON Pointer into the comparable spec, as in plan patches) → digest of its real value. */
export type SensitiveDigests = Record<string, string>;

export interface MaskedSpec {
  spec: ServiceSpec;
  digests: SensitiveDigests;
}

const memo = new WeakMap<ServiceSpec, Map<string, MaskedSpec>>();

/** The spec as it may be shown and stored, with digests of what was masked; memoised per spec. */
export function maskedView(spec: ServiceSpec, listed: readonly string[] = [], salt = ''): MaskedSpec {
  const key = `${listed.join(',')}\0${salt}`;
  const cached = memo.get(spec)?.get(key);
  if (cached) return cached;
  const env = Object.entries(spec.environment);
  const byKey = env.some(([k]) => sensitiveKey(k, listed)) ? { ...spec, environment: Object.fromEntries(env.map(([k, v]) => [k, sensitiveKey(k, listed) ? MASK : v])) } : spec;
  const masked = maskDeep(byKey);
  const digests: SensitiveDigests = {};
  if (masked !== spec) collect(comparable(spec), comparable(masked), '', salt, digests);
  const view = { spec: masked, digests };
  if (!memo.has(spec)) memo.set(spec, new Map());
  memo.get(spec)!.set(key, view);
  return view;
}

/** The spec with sensitive values masked: what is shown and recorded. */
export function maskSpec(spec: ServiceSpec, listed: readonly string[] = []): ServiceSpec {
  return maskedView(spec, listed).spec;
}

const sensitiveKey = (name: string, listed: readonly string[]) => isSensitiveName(name) || listed.includes(name);

function collect(real: unknown, masked: unknown, path: string, salt: string, out: SensitiveDigests): void {
  if (typeof real === 'string') {
    if (real !== masked) out[path] = createHash('sha256').update(`${salt}\0${path}\0${real}`).digest('hex').slice(0, 16);
    return;
  }
  if (real && typeof real === 'object' && masked && typeof masked === 'object') {
    for (const [k, v] of Object.entries(real)) collect(v, (masked as Record<string, unknown>)[k], `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, salt, out);
  }
}

/**
 * Fields whose masked form is unchanged but whose real value changed: one `replace` op each, with
 * CHANGED as its value, so a rotation shows where it happened and never what it was or is.
 */
export function sensitiveChanges(before: SensitiveDigests | undefined, after: SensitiveDigests, patch: Operation[]): Operation[] {
  if (!before) return [];
  const touched = new Set(patch.map((op) => op.path));
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return paths.filter((p) => before[p] !== after[p] && before[p] !== undefined && after[p] !== undefined && !touched.has(p)).map((path) => ({ op: 'replace' as const, path, value: CHANGED }));
}

/** The digests recorded in a label, if it parses. */
export function parseDigests(text: string | undefined): SensitiveDigests | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as SensitiveDigests) : undefined;
  } catch {
    return undefined;
  }
}
