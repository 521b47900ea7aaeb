// The scheduler: desired × observed → where every replica runs. Pure and synchronous.
// Existing replicas keep their machine; new ones are placed one at a time, services in dependency
// order, with the classic Swarm filters and strategies (see place-service.ts).
import type { Desired, StrategyName } from '../model/desired.js';
import type { Observed, ObservedContainer } from '../model/observed.js';
import { ownsContainer } from '../model/ownership.js';
import type { Existing, Placement, ReplicaPlacement, Unschedulable } from '../model/placement.js';
import { containerName, normalizeImage, parkedName } from '../model/naming.js';
import { withResolvedImages } from '../model/image-ref.js';
import type { Keys } from './candidates.js';
import { explain } from './explain.js';
import { addOwned, fatesOf, lookalikesOf, retiredOf, type Fates, type Owned } from './fates.js';
import { globalFates, placePinned } from './global.js';
import { holdGlobal, holdUnseen, unseenMachines, type HeldReplicas } from './held.js';
import { lostMachines, moveCause, takeForBalance } from './moves.js';
import { constraintFilter } from './filters/constraint.js';
import { enabledFilters } from './filters/index.js';
import type { Node, Tracking } from './node.js';
import { convergedPlacement } from './converged.js';
import { addResident, buildNodes, residentOfObserved, stayNodes } from './nodes.js';
import { placementOrder } from './order.js';
import { placeService, type Context, type ServiceOutcome } from './place-service.js';
import { seededRandom } from './random.js';
import { makeTask, residentOf, type Task } from './task.js';

export interface PlaceOptions {
  strategy?: StrategyName;
  seed?: number;
  /** Now (ms since the epoch), for the silent-engine grace period; the caller's clock keeps this pure. */
  now?: number;
  /** How long replicas that may be on a silent engine are kept before they are placed elsewhere. */
  silentGraceMs?: number;
  /** `--rebalance`: move replicas of spread services to restore an even share per machine (moves.ts). */
  rebalance?: boolean;
  /**
   * Try the converged path first (converged.ts): a placement where every replica is kept comes by
   * column in `kept`, not one ReplicaPlacement each. For callers that read `kept` as well as `replicas`.
   */
  converged?: boolean;
}

/** Five minutes, as Kubernetes waits for an unreachable node (default-unreachable-toleration-seconds). */
export const DEFAULT_SILENT_GRACE_MS = 300_000;

export function place(manifest: Desired, observed: Observed, options: PlaceOptions = {}): Placement {
  const desired = scheduledDesired(manifest, observed);
  if (options.converged) {
    // The converged path asks only whether replicas may stay: the nodes' bookkeeping is built when it falls back.
    const unseen = unseenMachines(desired, observed, silenceRules(options)).size;
    const kept = convergedPlacement(desired, observed, stayNodes(desired, observed), unseen, options.rebalance === true);
    if (kept) return kept;
  }
  return run({ desired, nodes: buildNodes(desired, observed) }, observed, options, false).placement;
}

/** The placement and the scheduler's state after it (for explanations: every machine's bookkeeping is complete). */
export function schedule(manifest: Desired, observed: Observed, options: PlaceOptions = {}): { placement: Placement; ctx: Context; tasks: Map<string, Task> } {
  return run(scheduled(manifest, observed), observed, options, true);
}

/** What the scheduler places: images resolved, swarm-mode services left to the swarm; and the machines as nodes. */
function scheduled(manifest: Desired, observed: Observed): { desired: Desired; nodes: Node[] } {
  const desired = scheduledDesired(manifest, observed);
  return { desired, nodes: buildNodes(desired, observed) };
}

function scheduledDesired(manifest: Desired, observed: Observed): Desired {
  // A re-pushed tag of a `pull_policy: always` service makes its replicas not current (replaced in place).
  const all = withResolvedImages(manifest, observed, normalizeImage);
  // Swarm-mode services are placed by the swarm's own scheduler.
  return all.services.some((s) => s.mode === 'swarm') ? { ...all, services: all.services.filter((s) => s.mode !== 'swarm') } : all;
}

function silenceRules(options: PlaceOptions): { now: number; graceMs: number } {
  return { now: options.now ?? Date.now(), graceMs: options.silentGraceMs ?? DEFAULT_SILENT_GRACE_MS };
}

/**
 * `explaining`: the caller reads every machine's bookkeeping afterwards. Otherwise what stays is
 * counted on its machine only when some replica is placed: a converged plan of a million replicas
 * places none, and counting them was a third of its scheduling time.
 */
function run({ desired, nodes }: { desired: Desired; nodes: Node[] }, observed: Observed, options: PlaceOptions, explaining: boolean): { placement: Placement; ctx: Context; tasks: Map<string, Task> } {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const tasks = new Map(desired.services.map((s) => [s.name, makeTask(desired.name, s)]));
  const tracking = trackingFor(desired);

  // One pass over what is observed: this cluster's replicas by service, everything else occupies its machine.
  // Sized up front: replicas arrive in machine order, and an array written far past its end turns into a slow dictionary.
  const owned = new Map<string, Owned>(desired.services.map((s) => [s.name, { count: 0, first: new Array<Existing | undefined>((s.global ? nodes.length : s.scale) + 1) }]));
  // Asked only when two containers claim one replica: is this one named as the replica would be?
  const services = new Map(desired.services.map((s) => [s.name, s]));
  const named = (c: ObservedContainer) => {
    const s = services.get(c.owner!.service);
    const name = containerName(desired.name, s?.name ?? '', c.owner!.replica, s?.spec.containerName);
    return !s || c.name === name || c.name === parkedName(name);
  };
  // Another checkout's containers (same cluster name, another identity) are residents like any stranger's.
  const viewer = { cluster: desired.name, identity: observed.identity };
  for (const m of observed.machines) {
    const node = byName.get(m.name);
    for (const c of m.engine?.containers ?? []) {
      if (ownsContainer(viewer, c)) addOwned(owned, m.name, c, named);
      else if (node) addResident(node, residentOfObserved(c, tracking, false), tracking);
    }
  }

  // Fates next, for every service: what stays occupies its machine before anything is placed.
  const constrained = desired.scheduler.filters.includes('constraint');
  const fates = new Map<string, Fates>();
  const pinned = new Map<string, [number, number][]>();
  const unseen = unseenMachines(desired, observed, silenceRules(options));
  const held: HeldReplicas[] = [];
  const strategy = options.strategy ?? desired.scheduler.strategy;
  const rebalancing = new Map<string, Set<number>>();
  const lost = lostMachines(desired, observed, unseen);
  const stayed: NonNullable<Placement['stayed']> = [];
  // Recorded here, counted before the first placement (the slots do not change until then).
  const staying: [Fates['slots'], Task][] = [];
  const addStaying = (slots: Fates['slots'], task: Task) => staying.push([slots, task]);
  const countStaying = () => {
    for (const [slots, task] of staying) {
      for (const rp of slots) {
        if (!rp) continue;
        const c = rp.existing!.container;
        // A kept container counts as it is; a replaced one as its new config will be.
        addResident(byName.get(rp.machine)!, rp.fate === 'kept' ? residentOfObserved(c, tracking) : { ...residentOf(task, c.name, rp.replica), id: c.id }, tracking);
      }
    }
    staying.length = 0;
  };
  for (const s of desired.services) {
    const task = tasks.get(s.name)!;
    const hard = constrained ? [constraintFilter.prepare(task, false)].filter((c) => c !== undefined) : [];
    if (s.global) {
      // One per eligible machine (global.ts): an unseen machine's replica is found when it is back, listed as not seen until then.
      const g = globalFates(s, owned.get(s.name), nodes, byName, hard);
      const kept = holdGlobal(s.name, unseen, byName, hard);
      if (kept) held.push(kept);
      fates.set(s.name, { slots: g.slots, wanted: [], from: new Map() });
      pinned.set(s.name, g.pinned);
      addStaying(g.slots, task);
      continue;
    }
    const f = fatesOf(s, owned.get(s.name), byName, hard);
    const kept = holdUnseen(s.name, f.wanted, f.from, unseen, byName, hard);
    f.wanted = kept.wanted;
    if (kept.held) held.push(kept.held);
    if (options.rebalance && strategy === 'spread' && !s.placement.spread?.length) {
      const taken = takeForBalance(s, f, nodes, hard);
      if (taken.length) rebalancing.set(s.name, new Set(taken));
    }
    fates.set(s.name, f);
    addStaying(f.slots, task);
  }

  const fixedNames = new Map(desired.services.flatMap((s) => (s.spec.containerName ? [[s.name, s.spec.containerName] as const] : [])));
  const ctx: Context = {
    nodes,
    filters: enabledFilters(desired.scheduler.filters),
    strategy,
    random: seededRandom(options.seed ?? desired.scheduler.seed),
    keys: { weight: new Int32Array(nodes.length), containers: new Int32Array(nodes.length) } satisfies Keys,
    tracking,
    containerName: (service, replica) => containerName(desired.name, service, replica, fixedNames.get(service)),
  };

  const replicas: ReplicaPlacement[] = [];
  const unschedulable: Unschedulable[] = [];
  const using = new Map<string, number>();
  if (explaining || [...fates.values()].some((f) => f.wanted.length > 0) || [...pinned.values()].some((p) => p.length > 0)) countStaying();
  for (const service of placementOrder(desired.services)) {
    const task = tasks.get(service.name)!;
    const { slots, wanted, from } = fates.get(service.name)!;
    const pins = pinned.get(service.name);
    let outcome: ServiceOutcome;
    if (pins) {
      const p = placePinned(ctx, task, pins);
      outcome = { placed: p.placed, unplaced: [], explainWith: [] };
      unschedulable.push(...p.unschedulable);
    } else outcome = placeService(ctx, task, wanted);
    const moving = rebalancing.get(service.name);
    if (outcome.unplaced.length) {
      const { reasons, summary } = explain(nodes, task, outcome.explainWith, `${service.name}-${outcome.unplaced[0]}`);
      // A replica taken for balance, or moving off a drained machine, that no machine can take stays
      // where it runs: a move is create before destroy, and there is nothing to create.
      const stays = outcome.unplaced.filter((r) => {
        const e = from.get(r);
        const node = e && byName.get(e.machine);
        return node !== undefined && (moving?.has(r) || (node.availability === 'drain' && !node.replaced));
      });
      for (const r of stays) {
        const e = from.get(r)!;
        moving?.delete(r);
        slots[r - 1] = { service: service.name, replica: r, machine: e.machine, fate: e.container.owner!.configHash === service.configHash ? 'kept' : 'replaced', existing: e };
        addResident(byName.get(e.machine)!, residentOfObserved(e.container, tracking), tracking);
      }
      if (stays.length) stayed.push({ service: service.name, replicas: stays, reason: summary });
      const rest = outcome.unplaced.filter((r) => !stays.includes(r));
      if (rest.length) unschedulable.push({ service: service.name, replicas: rest, reasons, summary });
    }
    const hadAny = (owned.get(service.name)?.count ?? 0) > 0;
    const { replicas: placedReplicas, machines: placedOn } = outcome.placed;
    for (let k = 0; k < placedOn.length; k++) {
      const replica = placedReplicas[k]!;
      const at = placedOn[k]!;
      const existing = from.get(replica);
      const machine = nodes[at]!.name;
      if (existing && moving?.has(replica) && existing.machine === machine) {
        // Taken for balance, and the strategy put it back: it stays as it was.
        moving.delete(replica);
        slots[replica - 1] = { service: service.name, replica, machine, fate: existing.container.owner!.configHash === service.configHash ? 'kept' : 'replaced', existing };
        continue;
      }
      const rebalanced = existing !== undefined && (moving?.has(replica) ?? false);
      const lostOne = !existing && hadAny && lost.length > 0;
      const why = existing ? moveCause(existing, byName, rebalanced) : lostOne ? `not found on any machine seen; it may have been on ${lost.join(', ')}` : undefined;
      const cause = rebalanced ? 'rebalanced' : lostOne ? 'machine-lost' : undefined;
      // Optional fields set, not spread: a spread literal is a quarter bigger, a million times over.
      const rp: ReplicaPlacement = { service: service.name, replica, machine, fate: 'new' };
      if (existing) rp.existing = existing;
      if (why) rp.why = why;
      if (cause) rp.cause = cause;
      slots[replica - 1] = rp;
    }
    let n = 0;
    for (const rp of slots) {
      if (!rp) continue;
      replicas.push(rp);
      if (rp.existing) n++;
    }
    using.set(service.name, n);
  }
  const retired = retiredOf(owned, (name) => {
    const f = fates.get(name);
    return f && { slots: f.slots, using: using.get(name)! };
  });
  const lookalikes = lookalikesOf(owned);
  const rebalanced = [...rebalancing].filter(([, r]) => r.size).map(([service, r]) => ({ service, replicas: [...r].sort((a, b) => a - b), reason: 'spread: even share per machine' }));
  const unseenOut = [...unseen].map(([machine, u]) => ({ machine, state: u.state, starts: u.starts, ...(u.until !== undefined ? { until: new Date(u.until).toISOString() } : {}) }));
  return {
    placement: { replicas, unschedulable, retired, ...(lookalikes.length ? { lookalikes } : {}), ...(rebalanced.length ? { rebalanced } : {}), ...(stayed.length ? { stayed } : {}), ...(held.length || unseenOut.some((u) => u.starts) ? { held, unseen: unseenOut } : {}) },
    ctx,
    tasks,
  };
}

/** Which node contents any filter of this manifest can ask about (see Tracking). */
function trackingFor(desired: Desired): Tracking {
  const on = new Set(desired.scheduler.filters);
  const keys = on.has('affinity') ? desired.services.flatMap((s) => s.placement.affinities.map((e) => e.key)) : [];
  const containerDeps =
    on.has('dependency') && desired.services.some((s) => s.spec.volumesFrom.some((v) => v.startsWith('container:')) || s.spec.networkMode?.startsWith('container:'));
  return {
    names: keys.includes('container') || containerDeps === true,
    images: keys.includes('image'),
    labelKeys: [...new Set(keys.filter((k) => k !== 'container' && k !== 'image'))],
  };
}
