// The filters and their order, in one place (classic Swarm's filter.go): health, port, dependency,
// affinity, constraint. The first that refuses a machine is the one its explanation names.
import type { FilterName } from '../../model/desired.js';
import { affinityFilter } from './affinity.js';
import { constraintFilter } from './constraint.js';
import { dependencyFilter } from './dependency.js';
import { healthFilter } from './health.js';
import { maxReplicasFilter } from './max-replicas.js';
import { portFilter } from './port.js';
import type { Filter } from './types.js';

export const FILTERS: readonly Filter[] = [healthFilter, portFilter, dependencyFilter, affinityFilter, constraintFilter];

/** classic's filters the manifest enables, then swarmkit's MaxReplicasFilter, which a service turns on by setting its limit. */
export function enabledFilters(names: readonly FilterName[]): Filter[] {
  const on = new Set(names);
  return [...FILTERS.filter((f) => on.has(f.name)), maxReplicasFilter];
}

export type { Check, Filter, Refusal } from './types.js';
