// deploy.placement.max_replicas_per_node (swarmkit's MaxReplicasFilter, manager/scheduler/filter.go):
// a machine already holding N replicas of the service, staying or placed earlier in this run, takes
// no more. Set only by the service, so it applies whatever scheduler.filters lists.
import type { Filter, Refusal } from './types.js';

export const maxReplicasFilter: Filter = {
  name: 'max_replicas_per_node',
  prepare(task) {
    const max = task.service.placement.maxPerMachine;
    if (max === undefined) return undefined;
    const name = task.service.name;
    const reached: Refusal = { reason: `max_replicas_per_node ${max} reached`, group: `max_replicas_per_node ${max} reached` };
    const refuse = (node: { services: Map<string, number> }) => ((node.services.get(name) ?? 0) >= max ? reached : undefined);
    // A replica of this service just landed here.
    return { refuse, recheck: refuse };
  },
};
