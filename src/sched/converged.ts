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
import type { KeptReplicas, Placement } from '../model/placement.js';
import { settle } from '../model/settle.js';
import { hardConstraints } from './filters/constraint.js';
import type { StayNode } from './nodes.js';
import { placementOrder } from './order.js';
import { makeTask } from './task.js';

const NOT_OURS = -1;
const STALE = -2;

/**
 * `desired`: the manifest as the full path schedules it (images resolved, swarm-mode services out);
 * `nodes` as stayNodes gives them (buildNodes' nodes without their bookkeeping); `unseen`: how many machines the full path would hold replicas for.
 */
export function convergedPlacement(desired: Desired, observed: Observed, nodes: readonly StayNode[], unseen: number, rebalance: boolean): Placement | undefined {
  if (rebalance || unseen > 0) return undefined;
  const services = desired.services;
  if (services.some((s) => s.global || s.placement.maxPerMachine !== undefined || s.imageDigest)) return undefined;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const index = new Map(services.map((s, i) => [s.name, i]));
  // Where each replica runs: replica r at r - 1, as 1 + the index of its machine in observed.machines
  // (0: not found yet). Typed arrays: `new Array(n)` of a hundred thousand or more is a dictionary
  // that allocates as it is filled. And how many are found.
  const where = services.map((s) => new Int32Array(s.scale));
  const found = new Int32Array(services.length);
  // May service i stay on node n? By i * nodes + n: 0 not asked yet, 1 yes, 2 no.
  const stays = new Int8Array(services.length * nodes.length);
  const hard = desired.scheduler.filters.includes('constraint')
    ? services.map((s) => hardConstraints(makeTask(desired.name, s)))
    : services.map(() => undefined);
  const mayStay = (i: number, node: StayNode | undefined): boolean => {
    // As fates.ts staysOn: a machine that goes, drains or is replaced moves its replicas.
    if (node === undefined || node.availability === 'drain') return false;
    const at = i * nodes.length + node.index;
    if (stays[at] === 0) stays[at] = hard[i]?.refuse(node) === undefined ? 1 : 2;
    return stays[at] === 1;
  };
  const viewer = { cluster: desired.name, identity: observed.identity };
  // The service index of an owner of this cluster with the current config; NOT_OURS for another
  // cluster's or checkout's (a resident, which matters only to replicas placed); STALE for a service
  // gone or a config changed (the full path places or replaces).
  const serviceOf = (o: OwnerBase | undefined): number => {
    if (o === undefined || !ownedBy(viewer, o.cluster, o.id)) return NOT_OURS;
    const i = index.get(o.service);
    return i === undefined || o.configHash !== services[i]!.configHash ? STALE : i;
  };
  // Replica `r` of service `i` (from serviceOf), on machine `at`: false when the full path would do more than keep it.
  const claim = (at: number, node: StayNode | undefined, i: number, r: number, state: string): boolean => {
    if (i === STALE) return false;
    const w = where[i]!;
    if (!(r >= 1 && r <= w.length) || w[r - 1] !== 0) return false;
    if (state === 'created' || state === 'exited' || !mayStay(i, node)) return false;
    w[r - 1] = at + 1;
    found[i]!++;
    return true;
  };
  const machines = observed.machines;
  for (let at = 0; at < machines.length; at++) {
    const m = machines[at]!;
    if (!m.engine) continue;
    const node = byName.get(m.name);
    const columns = containerColumnsOf(m.engine);
    if (columns) {
      // By column (a simulated cluster as read from its state file): no container object is made.
      const { owner, owners, replica, state } = columns;
      // Whose a container is, whether its config is current and whether its service may stay on this
      // machine depend on its owner template only: asked once per template, not per container
      // (STALE also for a service that may not stay: claim() refuses both).
      const service = owners.map((o) => {
        const i = serviceOf(o);
        return i >= 0 && !mayStay(i, node) ? STALE : i;
      });
      for (let k = 0; k < state.length; k++) {
        const r = replica[k]!;
        if (r === 0) continue;
        const i = service[owner[k]!]!;
        if (i === NOT_OURS) continue;
        if (i === STALE) return undefined;
        // claim() inline, the template's part answered above.
        const w = where[i]!;
        if (!(r >= 1 && r <= w.length) || w[r - 1] !== 0) return undefined;
        const s = state[k];
        if (s === 'created' || s === 'exited') return undefined;
        w[r - 1] = at + 1;
        found[i]!++;
      }
      continue;
    }
    for (const c of m.engine.containers) {
      const i = serviceOf(c.owner);
      if (i !== NOT_OURS && !claim(at, node, i, c.owner!.replica, c.state)) return undefined;
    }
  }
  if (services.some((s, i) => found[i] !== s.scale)) return undefined;
  const kept = placementOrder(services)
    .filter((s) => s.scale > 0)
    .map((s: DesiredService) => keptByColumn(s.name, where[index.get(s.name)!]!, machines));
  return { replicas: [], unschedulable: [], retired: [], kept };
}

/**
 * Every replica of a service kept: `machines` (replica r on machines[r - 1]) is built on first read,
 * then a plain property. A no-op plan never reads it unless something is shown or networks are bridged.
 */
function keptByColumn(service: string, where: Int32Array, observed: Observed['machines']): KeptReplicas {
  return {
    service,
    get machines() {
      // Grown by push: a fast array, not a dictionary.
      const value: string[] = [];
      for (let r = 0; r < where.length; r++) value.push(observed[where[r]! - 1]!.name);
      return settle(this, 'machines', value);
    },
  };
}
