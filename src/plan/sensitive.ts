// Sensitive values never leave the process in clear: not in plan text or JSON, saved plans, logs,
// nor in the spec label recorded on containers. A value is sensitive when its variable's name says
// so (PASSWORD, TOKEN, SECRET, KEY) or the manifest lists it under `sensitive:`.
import type { ServiceSpec } from '../model/desired.js';

export const MASK = '(sensitive)';
const SENSITIVE_NAME = /PASSWORD|PASSWD|TOKEN|SECRET|KEY|CREDENTIAL/i;

export function isSensitive(name: string, listed: readonly string[] = []): boolean {
  return SENSITIVE_NAME.test(name) || listed.includes(name);
}

/** The spec with sensitive environment values replaced by MASK: what is shown and recorded. */
export function maskSpec(spec: ServiceSpec, listed: readonly string[] = []): ServiceSpec {
  const entries = Object.entries(spec.environment);
  if (!entries.some(([k]) => isSensitive(k, listed))) return spec;
  return { ...spec, environment: Object.fromEntries(entries.map(([k, v]) => [k, isSensitive(k, listed) ? MASK : v])) };
}
