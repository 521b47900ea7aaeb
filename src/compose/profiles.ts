// Profiles: a service that lists `profiles:` runs only when one of them is enabled (--profile, or
// COMPOSE_PROFILES as a comma-separated list; `*` enables all). A service without profiles always runs.
import { didYouMean } from '../manifest/hints.js';
import type { Env } from '../manifest/interpolate.js';
import type { Path } from '../manifest/read.js';
import { isMap } from './merge.js';

type Raw = Record<string, unknown>;

export interface ProfileProblem {
  severity: 'error' | 'warning';
  /** Below the service: ['depends_on', dep]. */
  at: Path;
  message: string;
  hint?: string;
}

export function activeProfiles(given: string[] | undefined, env: Env): Set<string> {
  const fromEnv = (env.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return new Set([...(given ?? []), ...fromEnv]);
}

export function profilesOf(raw: Raw): string[] {
  return Array.isArray(raw.profiles) ? raw.profiles.map(String) : [];
}

export function isEnabled(raw: Raw | undefined, active: Set<string>): boolean {
  if (raw === undefined) return false;
  const own = profilesOf(raw);
  return own.length === 0 || active.has('*') || own.some((p) => active.has(p));
}

/**
 * An enabled service may only depend on enabled ones. A dependency marked `required: false` is
 * dropped with a warning (compose starts without it); any other is an error naming the profile.
 */
export function checkDependencies(service: string, raw: Raw, all: Map<string, Raw>, active: Set<string>): ProfileProblem[] {
  if (!isMap(raw.depends_on)) return [];
  const problems: ProfileProblem[] = [];
  const kept: Raw = {};
  for (const [dep, how] of Object.entries(raw.depends_on)) {
    const target = all.get(dep);
    if (isEnabled(target, active)) {
      kept[dep] = how;
      continue;
    }
    const at = ['depends_on', dep];
    if (isMap(how) && how.required === false) {
      problems.push({ severity: 'warning', at, message: `service ${service}: optional dependency ${dep} is not enabled; started without it` });
      continue;
    }
    kept[dep] = how;
    if (!target) problems.push({ severity: 'error', at, message: `service ${service} depends on ${dep}, which is not defined`, hint: didYouMean(dep, [...all.keys()]) ?? `define service ${dep}, or remove it from depends_on` });
    else {
      const names = profilesOf(target);
      problems.push({ severity: 'error', at, message: `service ${service} depends on ${dep}, which is in a profile that is not enabled`, hint: `enable profile ${names.join(' or ')} (--profile ${names[0]} or COMPOSE_PROFILES=${names[0]})` });
    }
  }
  // A new map: depends_on may be shared with another service through a YAML anchor.
  raw.depends_on = kept;
  return problems;
}
