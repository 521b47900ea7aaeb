// `deploy.mode: global` on a container service: one replica on each eligible machine, as swarmkit's
// global orchestrator keeps one task per node (manager/orchestrator/global/global.go reconcileServices):
// - a machine meeting the service's hard constraints (constraint.NodeMatches) runs one replica; its
//   existing one stays (kept, or replaced in place when the config changed);
// - a replica on a machine that no longer meets them, or that left the manifest, goes: it is never
//   placed elsewhere (shutdownTasks), and a second one on the same machine goes too;
// - a machine that is down, stopped or paused gets nothing new until it is seen (updateNode drops
//   DOWN nodes; a paused node gets no added task): its replica, if any, is found when it is back.
// Replica numbers name containers, so a new machine's replica takes the lowest number no owned
// container uses: existing replicas keep theirs, and the plan for an added machine is only its own.
import type { DesiredService } from '../model/desired.js';
import { isCurrentReplica } from '../model/image-ref.js';
import { LABEL } from '../model/observed.js';
import type { Existing, ReplicaPlacement, Unschedulable } from '../model/placement.js';
import type { Owned } from './fates.js';
import type { Check } from './filters/types.js';
import type { Node } from './node.js';
import { explain } from './explain.js';
import { addResident } from './node.js';
import { prepareChecks, type Context, type Placed } from './place-service.js';
import { FULL, weigh } from './resources.js';
import { residentOf, type Task } from './task.js';

export interface GlobalFates {
  /** Index replica - 1: the replicas that stay; the array is as long as the highest replica number kept or pinned. */
  slots: (ReplicaPlacement | undefined)[];
  /** New replicas and the machine (node index) each belongs to, in machine order. */
  pinned: [replica: number, node: number][];
}

export function globalFates(service: DesiredService, owned: Owned | undefined, nodes: readonly Node[], byName: Map<string, Node>, hard: Check[]): GlobalFates {
  const eligible = (node: Node) => hard.every((c) => c.refuse(node) === undefined);
  const keeper = new Int32Array(nodes.length); // replica kept on each machine, 0 = none
  const slots: (ReplicaPlacement | undefined)[] = [];
  const used = new Set<number>();
  const consider = (replica: number, e: Existing | undefined) => {
    if (e === undefined) return;
    used.add(replica);
    const node = byName.get(e.machine);
    // A drained machine's replica goes (swarmkit global.go reconcileOneNode shuts a drained node's tasks down); a paused one's stays.
    if (node === undefined || keeper[node.index] !== 0 || node.availability === 'drain' || !eligible(node)) return; // retired (retiredOf finds it unused)
    keeper[node.index] = replica;
    const fate = isCurrentReplica(service, e.container, LABEL.imageDigest) ? 'kept' : 'replaced';
    slots[replica - 1] = { service: service.name, replica, machine: node.name, fate, existing: e };
  };
  // Lowest replica number first: of two on one machine, the older name stays.
  if (owned) {
    for (let replica = 1; replica < owned.first.length; replica++) {
      consider(replica, owned.first[replica]);
      for (const e of owned.more?.get(replica) ?? []) consider(replica, e);
    }
  }
  const pinned: [number, number][] = [];
  let next = 1;
  for (const node of nodes) {
    // A paused or drained machine gets no new replica (global.go: a paused node gets no added task).
    if (keeper[node.index] !== 0 || node.problem !== undefined || node.availability !== undefined || !eligible(node)) continue;
    while (used.has(next)) next++;
    used.add(next);
    pinned.push([next, node.index]);
    slots.length = Math.max(slots.length, next);
  }
  return { slots, pinned };
}

/**
 * Places each pinned replica on its own machine when every filter and its resources allow it there;
 * otherwise it is unschedulable, explained by that machine's refusal.
 */
export function placePinned(ctx: Context, task: Task, pinned: GlobalFates['pinned']): { placed: Placed; unschedulable: Unschedulable[] } {
  const checks = prepareChecks(ctx.filters, task, false);
  const placed = { replicas: [] as number[], machines: [] as number[] };
  const unschedulable: Unschedulable[] = [];
  for (const [replica, i] of pinned) {
    const node = ctx.nodes[i]!;
    if (checks.some((c) => c.check.refuse(node) !== undefined) || weigh(node, task) === FULL) {
      const { reasons, summary } = explain([node], task, checks, `${task.service.name}-${replica} (one per machine: ${node.name})`);
      unschedulable.push({ service: task.service.name, replicas: [replica], reasons, summary });
      continue;
    }
    placed.replicas.push(replica);
    placed.machines.push(i);
    addResident(node, residentOf(task, ctx.containerName(task.service.name, replica), replica), ctx.tracking);
    ctx.keys.containers[i] = node.containers;
  }
  return { placed, unschedulable };
}
