// Port: a published host port already bound on a machine, by any container or by a replica planned
// earlier in this run, excludes it.
import type { Filter } from './types.js';

export const portFilter: Filter = {
  name: 'port',
  prepare(task) {
    if (task.ports.length === 0) return undefined;
    const refuse = (node: { ports: Map<string, string> }) => {
      for (const p of task.ports) {
        const holder = node.ports.get(p);
        if (holder !== undefined) return { reason: `port ${p} in use by ${holder}`, group: `port ${p} in use` };
      }
      return undefined;
    };
    // A replica of this service just took these ports.
    return { refuse, recheck: refuse };
  },
};
