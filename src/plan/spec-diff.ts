import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { ServiceSpec } from '../model/desired.js';

/**
 * Field-level differences between the spec a container was created from and the desired one.
 * fast-json-patch diffs arrays by index, so lists whose order carries no meaning (ports, volumes)
 * become maps keyed by what identifies an entry; a reorder is then no change, an edit is one op.
 */
export function specPatch(before: ServiceSpec | undefined, after: ServiceSpec): Operation[] {
  if (!before) return [{ op: 'replace', path: '', value: '(spec of the running container unknown)' }];
  // invertible: each replace/remove is preceded by a `test` of the old value, so a plan can show old → new.
  return fjp.compare(comparable(before), comparable(after), true);
}

export function comparable(spec: ServiceSpec): Record<string, unknown> {
  const { ports, volumes, ...rest } = spec;
  return {
    ...rest,
    ports: Object.fromEntries(ports.map((p) => [`${p.hostIp ? `${p.hostIp}:` : ''}${p.published ?? ''}${p.publishedEnd === undefined ? '' : `-${p.publishedEnd}`}:${p.target}/${p.protocol}`, p])),
    volumes: Object.fromEntries(volumes.map((v) => [v.target, v])),
  };
}

/** The spec recorded in a container's label, if it parses. */
export function parseSpecLabel(text: string | undefined): ServiceSpec | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as ServiceSpec;
  } catch {
    return undefined;
  }
}
