// Existing replicas stay where they are: a replica whose container is on a machine that stays and
// still meets the service's hard constraints is kept (same config) or replaced in place (changed
// config). Every other replica is placed anew; the old container, if any, is what it replaces.
// Owned containers that no replica uses (scaled away, duplicates, services gone) are retired.
//
// A converged cluster of a million replicas goes through here on every plan, so each container is
// visited a bounded number of times, and nothing is keyed by its 64-hex-digit id.
import type { DesiredService } from '../model/desired.js';
import type { ObservedContainer } from '../model/observed.js';
import type { Existing, ReplicaPlacement } from '../model/placement.js';
import type { Check } from './filters/types.js';
import { pushTo } from '../model/multimap.js';
import type { Node } from './node.js';

/**
 * One service's owned containers by replica number: the first seen (machine, then container name
 * order) and, rarely, more. `lookalikes`: containers that copy a replica's labels but not its
 * deterministic name while the real one exists (a hand-made impostor): never the replica, never removed.
 */
export interface Owned {
  count: number;
  first: (Existing | undefined)[];
  more?: Map<number, Existing[]>;
  lookalikes?: Existing[];
}

/**
 * Files an owned container (one with an `owner`) under its service and replica. When two claim one
 * replica, the deterministic name decides (`named`, asked only then): the named one is the replica,
 * an unnamed one is a lookalike. Two named ones (one per machine, after a crash) are duplicates.
 */
export function addOwned(owned: Map<string, Owned>, machine: string, container: ObservedContainer, named: (c: ObservedContainer) => boolean = () => true): void {
  const { service, replica } = container.owner!;
  let o = owned.get(service);
  if (!o) owned.set(service, (o = { count: 0, first: [] }));
  const e: Existing = { machine, container };
  const first = o.first[replica];
  if (first === undefined) {
    o.first[replica] = e;
    o.count++;
    return;
  }
  const isNamed = named(container);
  if (isNamed && !named(first.container)) {
    o.first[replica] = e;
    (o.lookalikes ??= []).push(first);
    // Unnamed claimants filed earlier as duplicates are lookalikes too.
    const rest = o.more?.get(replica) ?? [];
    o.more?.delete(replica);
    o.count -= rest.length;
    o.lookalikes.push(...rest);
    return;
  }
  if (!isNamed && named(first.container)) {
    (o.lookalikes ??= []).push(e);
    return;
  }
  o.count++;
  pushTo((o.more ??= new Map()), replica, e);
}

/** A service's replicas before placement: staying ones are decided; `wanted` are to be placed (`from`: the container each replaces). */
export interface Fates {
  slots: (ReplicaPlacement | undefined)[]; // index replica - 1; undefined = to be placed
  wanted: number[];
  from: Map<number, Existing>;
}

export function fatesOf(service: DesiredService, owned: Owned | undefined, nodes: Map<string, Node>, hard: Check[]): Fates {
  const slots = new Array<ReplicaPlacement | undefined>(service.scale);
  const wanted: number[] = [];
  const from = new Map<number, Existing>();
  // Hard constraints are asked once per machine, not once per replica on it.
  const verdict = new Int8Array(nodes.size); // by node index: 0 not asked yet, 1 stays, 2 refused
  // max_replicas_per_node: the lowest-numbered replicas on a machine stay, those past the limit are placed anew.
  const cap = service.placement.maxPerMachine;
  const staying = cap === undefined ? undefined : new Int32Array(nodes.size);
  const staysOn = (e: Existing): boolean => {
    const node = nodes.get(e.machine);
    if (node === undefined) return false;
    // Drained (swarmkit's orchestrator.InvalidNode): its replicas get a new home; paused ones stay.
    if (node.availability === 'drain') return false;
    if (staying && staying[node.index]! >= cap!) return false;
    if (hard.length === 0) return true;
    if (verdict[node.index] === 0) verdict[node.index] = hard.every((c) => c.refuse(node) === undefined) ? 1 : 2;
    return verdict[node.index] === 1;
  };
  for (let replica = 1; replica <= service.scale; replica++) {
    const first = owned?.first[replica];
    if (first === undefined) {
      wanted.push(replica);
      continue;
    }
    const stay = staysOn(first) ? first : owned!.more?.get(replica)?.find(staysOn);
    if (stay) {
      if (staying) staying[nodes.get(stay.machine)!.index]!++;
      const fate = stay.container.owner!.configHash === service.configHash ? 'kept' : 'replaced';
      slots[replica - 1] = { service: service.name, replica, machine: stay.machine, fate, existing: stay };
    } else {
      wanted.push(replica);
      from.set(replica, first);
    }
  }
  return { slots, wanted, from };
}

/**
 * Owned containers no placed replica refers to, in machine then container name order. `placed`: a
 * service's replicas after placement (index replica - 1) and how many of them use an existing container.
 */
export function retiredOf(owned: Map<string, Owned>, placed: (service: string) => { slots: (ReplicaPlacement | undefined)[]; using: number } | undefined): Existing[] {
  const out: Existing[] = [];
  for (const [service, o] of owned) {
    const p = placed(service);
    if (p && p.using === o.count) continue; // every owned container is some replica's: the common, converged case
    o.first.forEach((e, replica) => {
      if (e !== undefined && p?.slots[replica - 1]?.existing !== e) out.push(e);
    });
    for (const [replica, list] of o.more ?? []) for (const e of list) if (p?.slots[replica - 1]?.existing !== e) out.push(e);
  }
  return out.sort(byMachineThenName);
}

/** Containers that copy a replica's labels but not its name, while the real replica exists: reported, left alone. */
export function lookalikesOf(owned: Map<string, Owned>): Existing[] {
  return [...owned.values()].flatMap((o) => o.lookalikes ?? []).sort(byMachineThenName);
}

function byMachineThenName(a: Existing, b: Existing): number {
  return a.machine < b.machine ? -1 : a.machine > b.machine ? 1 : a.container.name < b.container.name ? -1 : a.container.name > b.container.name ? 1 : 0;
}
