// Health: a machine whose engine is unreachable and that this plan does not start or create takes
// nothing. Machines the plan creates or starts are candidates (a fresh cluster is planned onto them).
import type { Filter } from './types.js';

export const healthFilter: Filter = {
  name: 'health',
  prepare: () => ({
    refuse: (node) => (node.problem === undefined ? undefined : { reason: `unhealthy: ${node.problem}`, group: 'unhealthy' }),
  }),
};
