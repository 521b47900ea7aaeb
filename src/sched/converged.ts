// The converged path: when every replica of every service already runs where it may stay, with the
// current config, and nothing else of this cluster is there, the placement is "all kept" — decided
// from the observed containers in one pass that makes no object per container, and given by column
// (Placement.kept). A million-replica no-op plan spent most of its scheduling time building an
// Existing and a ReplicaPlacement per replica to find out that nothing changes.
//
// It must be exactly what the full path (index.ts run) gives, so it only answers when the full path
// would keep every replica and do nothing else; at the first difference it returns undefined and the
// full path runs. Cases the full path handles with more than "kept", all of which fall back:
// - a replica missing, duplicated, claimed by a lookalike, past the scale, of a service gone or swarm-mode (placed, retired);
// - a replica with another config (replaced), created or exited (started), on a machine it may not stay on
//   (unknown, drained, replaced, its hard constraints refused there);
// - global services, max_replicas_per_node, a resolved image digest (pull_policy: always), --rebalance,
//   unseen machines (their replicas are held, the plan starts them).
// test/sched/converged.test.ts checks the equivalence on random near-converged clusters.
import type { Desired, DesiredService } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import { ownedBy } from '../model/ownership.js';
import { containerColumnsOf, type OwnerBase } from '../model/container-columns.js';
import type { Placement } from '../model/placement.js';
import { constraintFilter } from './filters/constraint.js';
import type { Node } from './node.js';
import { placementOrder } from './order.js';
import { makeTask } from './task.js';

const STARTABLE = new Set(['created', 'exited']);

/**
 * `desired`: the manifest as the full path schedules it (images resolved, swarm-mode services out);
 * `nodes` as buildNodes gives them; `unseen`: how many machines the full path would hold replicas for.
 */
export function convergedPlacement(desired: Desired, observed: Observed, nodes: readonly Node[], unseen: number, rebalance: boolean): Placement | undefined {
  if (rebalance || unseen > 0) return undefined;
  const services = desired.services;
  if (services.some((s) => s.global || s.placement.maxPerMachine !== undefined || s.imageDigest)) return undefined;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const index = new Map(services.map((s, i) => [s.name, i]));
  // Where each replica runs (replica r at r - 1), and how many are found.
  const where = services.map((s) => new Array<string | undefined>(s.scale));
  const found = new Int32Array(services.length);
  // May service i stay on node n? By i * nodes + n: 0 not asked yet, 1 yes, 2 no.
  const stays = new Int8Array(services.length * nodes.length);
  const hard = desired.scheduler.filters.includes('constraint')
    ? services.map((s) => constraintFilter.prepare(makeTask(desired.name, s), false))
    : services.map(() => undefined);
  const mayStay = (i: number, node: Node | undefined): boolean => {
    // As fates.ts staysOn: a machine that goes, drains or is replaced moves its replicas.
    if (node === undefined || node.availability === 'drain') return false;
    const at = i * nodes.length + node.index;
    if (stays[at] === 0) stays[at] = hard[i]?.refuse(node) === undefined ? 1 : 2;
    return stays[at] === 1;
  };
  const viewer = { cluster: desired.name, identity: observed.identity };
  // One container of this cluster, replica `r` of `owner.service`: false when the full path would do more than keep it.
  const claim = (machine: string, node: Node | undefined, owner: OwnerBase, r: number, state: string): boolean => {
    const i = index.get(owner.service);
    if (i === undefined) return false;
    const s = services[i]!;
    if (!(r >= 1 && r <= s.scale) || where[i]![r - 1] !== undefined) return false;
    if (owner.configHash !== s.configHash || STARTABLE.has(state) || !mayStay(i, node)) return false;
    where[i]![r - 1] = machine;
    found[i]!++;
    return true;
  };
  for (const m of observed.machines) {
    if (!m.engine) continue;
    const node = byName.get(m.name);
    const columns = containerColumnsOf(m.engine);
    if (columns) {
      // By column (a simulated cluster as read from its state file): no container object is made.
      const { owner, owners, replica, state } = columns;
      // Whose a container is depends on its owner template only: asked once per template.
      const ours = owners.map((o) => o !== undefined && ownedBy(viewer, o.cluster, o.id));
      for (let k = 0; k < state.length; k++) {
        const t = owner[k]!;
        const r = replica[k]!;
        // Not owned, or another cluster's or checkout's: a resident, which matters only to replicas placed.
        if (r === 0 || !ours[t]) continue;
        if (!claim(m.name, node, owners[t]!, r, state[k]!)) return undefined;
      }
      continue;
    }
    for (const c of m.engine.containers) {
      const o = c.owner;
      if (o === undefined || !ownedBy(viewer, o.cluster, o.id)) continue;
      if (!claim(m.name, node, o, o.replica, c.state)) return undefined;
    }
  }
  if (services.some((s, i) => found[i] !== s.scale)) return undefined;
  const kept = placementOrder(services)
    .filter((s) => s.scale > 0)
    .map((s: DesiredService) => ({ service: s.name, machines: where[index.get(s.name)!] as string[] }));
  return { replicas: [], unschedulable: [], retired: [], kept };
}
