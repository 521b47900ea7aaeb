// The filters and their order, in one place (classic Swarm's filter.go): health, port, dependency,
// affinity, constraint. The first that refuses a machine is the one its explanation names.
import type { FilterName } from '../../model/desired.js';
import { affinityFilter } from './affinity.js';
import { availabilityFilter } from './availability.js';
import { constraintFilter } from './constraint.js';
import { dependencyFilter } from './dependency.js';
import { healthFilter } from './health.js';
import { maxReplicasFilter } from './max-replicas.js';
import { portFilter } from './port.js';
import type { Filter } from './types.js';

export const FILTERS: readonly Filter[] = [healthFilter, portFilter, dependencyFilter, affinityFilter, constraintFilter];

/**
 * classic's filters the manifest enables, then swarmkit's MaxReplicasFilter, which a service turns on
 * by setting its limit; node availability (swarmkit's ReadyFilter) right after health, always.
 */
export function enabledFilters(names: readonly FilterName[]): Filter[] {
  const on = new Set(names);
  const classic = FILTERS.filter((f) => on.has(f.name));
  const at = classic.findIndex((f) => f.name === 'health') + 1;
  return [...classic.slice(0, at), availabilityFilter, ...classic.slice(at), maxReplicasFilter];
}

export type { Check, Filter, Refusal } from './types.js';
