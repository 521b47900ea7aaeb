// Port (classic filter/port.go): a published host port already bound on a machine, by any container
// or by a replica planned earlier in this run, excludes it when the bindings clash: the same port and
// protocol on the same address, or either on all interfaces (src/model/host-port.ts).
import { portOfKey } from '../../model/host-port.js';
import type { Node } from '../node.js';
import type { Filter, Refusal } from './types.js';

/** Who holds a binding that clashes with `key` on `node`, if anyone. */
function holderOf(node: Node, key: string): string | undefined {
  const port = portOfKey(key);
  // On all interfaces: any binding of the port clashes. On one address: one on all interfaces, or on the same address.
  if (port === undefined) return node.ports.get(key) ?? node.portsOnOneIp?.get(key);
  return node.ports.get(port) ?? node.ports.get(key);
}

export const portFilter: Filter = {
  name: 'port',
  prepare(task) {
    if (task.ports.length === 0) return undefined;
    const refuse = (node: Node): Refusal | undefined => {
      for (const p of task.ports) {
        const holder = holderOf(node, p);
        if (holder !== undefined) return { reason: `port ${p} in use by ${holder}`, group: `port ${p} in use` };
      }
      return undefined;
    };
    // A replica of this service just took these ports.
    return { refuse, recheck: refuse };
  },
};
