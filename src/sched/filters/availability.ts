// Node availability, as swarmkit's ReadyFilter (manager/scheduler/filter.go) admits only nodes whose
// Spec.Availability is active: a paused or drained machine takes no new replica. What stays on it is
// decided in fates.ts (drain moves its replicas, as orchestrator.InvalidNode in
// manager/orchestrator/task.go counts a drained node's tasks as needing a new home; pause keeps them).
// Always on: the manifest's own `availability:` asks for it.
import type { Filter, Refusal } from './types.js';

const PAUSED: Refusal = { reason: 'availability pause: takes no new replicas', group: 'availability pause' };
const DRAINED: Refusal = { reason: 'availability drain: takes no new replicas, its replicas move elsewhere', group: 'availability drain' };
const REPLACED: Refusal = { reason: 'being replaced (node image changes): drained until it is back', group: 'being replaced' };

export const availabilityFilter: Filter = {
  name: 'availability',
  prepare: () => ({
    refuse: (node) => (node.availability === undefined ? undefined : node.availability === 'pause' ? PAUSED : node.replaced ? REPLACED : DRAINED),
  }),
};
