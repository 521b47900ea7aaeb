// Existing replicas stay where they are: a replica whose container is on a machine that stays and
// still meets the service's hard constraints is kept (same config) or replaced in place (changed
// config). Every other replica is placed anew; the old container, if any, is what it replaces.
import type { Desired, DesiredService } from '../model/desired.js';
import { LABEL, type Observed, type ObservedContainer } from '../model/observed.js';
import type { ReplicaFate } from '../model/placement.js';
import type { Check } from './filters/types.js';
import type { Node } from './node.js';

export interface Existing {
  machine: string;
  container: ObservedContainer;
}

export interface Fate {
  replica: number;
  /** kept/replaced: the machine it stays on; new: to be placed. */
  fate: ReplicaFate;
  existing?: Existing;
}

/** Owned containers of each service, by replica, in machine-name then container-name order. */
export function ownedByService(desired: Desired, observed: Observed): Map<string, Map<number, Existing[]>> {
  const out = new Map<string, Map<number, Existing[]>>();
  for (const m of observed.machines) {
    for (const c of m.engine?.containers ?? []) {
      if (!c.owner || c.labels[LABEL.cluster] !== desired.name) continue;
      let byReplica = out.get(c.owner.service);
      if (!byReplica) out.set(c.owner.service, (byReplica = new Map()));
      const list = byReplica.get(c.owner.replica) ?? [];
      list.push({ machine: m.name, container: c });
      byReplica.set(c.owner.replica, list);
    }
  }
  return out;
}

export function fatesOf(service: DesiredService, owned: Map<number, Existing[]> | undefined, nodes: Map<string, Node>, hard: Check[]): Fate[] {
  const fates: Fate[] = new Array(service.scale);
  for (let replica = 1; replica <= service.scale; replica++) {
    const list = owned?.get(replica);
    if (!list) {
      fates[replica - 1] = { replica, fate: 'new' };
      continue;
    }
    const stay = list.find((e) => {
      const node = nodes.get(e.machine);
      return node !== undefined && hard.every((c) => c.refuse(node) === undefined);
    });
    fates[replica - 1] = stay
      ? { replica, fate: stay.container.owner!.configHash === service.configHash ? 'kept' : 'replaced', existing: stay }
      : { replica, fate: 'new', existing: list[0]! };
  }
  return fates;
}
