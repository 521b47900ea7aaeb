// Placing the new replicas of one service, one at a time, each seeing every earlier placement.
// Classic Swarm semantics: filter with soft expressions; if no machine is left (filters or
// resources), filter again without them; the strategy ranks what remains. Only the machine that
// received a replica changes, so only it is re-checked: O(log n) per replica.
import type { FilterName, StrategyName } from '../model/desired.js';
import { isPlainLiteral } from './expr.js';
import { candidateSet, type CandidateSet, type Keys } from './candidates.js';
import type { Check, Filter } from './filters/types.js';
import { addResident, type Node, type Tracking } from './node.js';
import { FULL, weigh } from './resources.js';
import { placeSpread } from './spread.js';
import { residentOf, type Task } from './task.js';

export interface NamedCheck {
  name: FilterName;
  check: Check;
}

export interface Context {
  nodes: Node[];
  filters: Filter[];
  strategy: StrategyName;
  random: () => number;
  keys: Keys;
  tracking: Tracking;
  containerName: (service: string, replica: number) => string;
  /** Label key → value → machine indexes, for `key==value` constraints (built on first use). */
  labelIndex?: Map<string, Map<string, number[]>>;
}

/**
 * Replica `replicas[k]` went to machine index `machines[k]`, for k < machines.length. Two arrays
 * of small integers, not a Map: a million replicas in a Map cost ~40 bytes each and its regrowth.
 */
export interface Placed {
  replicas: readonly number[];
  machines: number[];
}

export interface ServiceOutcome {
  placed: Placed;
  /** Replicas that found no machine, and the checks to explain it with (hard expressions only). */
  unplaced: number[];
  explainWith: NamedCheck[];
}

export function prepareChecks(filters: readonly Filter[], task: Task, soft: boolean): NamedCheck[] {
  const out: NamedCheck[] = [];
  for (const f of filters) {
    const check = f.prepare(task, soft);
    if (check) out.push({ name: f.name, check });
  }
  return out;
}

export interface Tier {
  checks: NamedCheck[];
  set: CandidateSet;
}

export function placeService(ctx: Context, task: Task, replicas: readonly number[]): ServiceOutcome {
  // Nothing to place (a converged service): no machine needs ranking.
  if (replicas.length === 0) return { placed: { replicas, machines: [] }, unplaced: [], explainWith: [] };
  if (task.service.placement.spread?.length) return placeSpread(ctx, task, replicas);
  const enabled = new Set(ctx.filters.map((f) => f.name));
  const hasSoft =
    (enabled.has('constraint') && task.constraints.some((e) => e.soft)) || (enabled.has('affinity') && task.affinities.some((e) => e.soft));
  const relaxedChecks = prepareChecks(ctx.filters, task, false);
  const strict = buildTier(ctx, task, hasSoft ? prepareChecks(ctx.filters, task, true) : relaxedChecks);
  let relaxed: Tier | undefined = hasSoft ? undefined : strict;

  const placed: Placed = { replicas, machines: [] };
  for (let k = 0; k < replicas.length; k++) {
    const replica = replicas[k]!;
    let tier = strict;
    if (tier.set.size === 0) tier = relaxed ??= buildTier(ctx, task, relaxedChecks);
    if (tier.set.size === 0) {
      // Nothing changes until something is placed, so every later replica fails the same way.
      return { placed, unplaced: replicas.slice(k), explainWith: relaxedChecks };
    }
    const i = tier.set.pick();
    placed.machines.push(i);
    landed(ctx, task, replica, i, relaxed === strict || !relaxed ? [strict] : [strict, relaxed]);
  }
  return { placed, unplaced: [], explainWith: relaxedChecks };
}

/** Replica `replica` goes to node `i`: its bookkeeping, and node `i` re-checked in each tier (only it changed). */
export function landed(ctx: Context, task: Task, replica: number, i: number, tiers: Tier[]): void {
  const node = ctx.nodes[i]!;
  // The name is read only for published ports and the `container` affinity: not built a million times for nothing.
  const named = task.ports.length > 0 || ctx.tracking.names;
  const resident = residentOf(task, named ? ctx.containerName(task.service.name, replica) : '', replica);
  addResident(node, resident, ctx.tracking);
  ctx.keys.containers[i] = node.containers;
  for (const t of tiers) {
    if (t.set.has(i)) {
      const broken = t.checks.some((c) => c.check.recheck?.(node, resident) !== undefined);
      const w = broken ? FULL : weigh(node, task);
      if (w === FULL) t.set.remove(i);
      else {
        ctx.keys.weight[i] = w;
        t.set.update(i);
      }
    } else admit(ctx, task, t, node);
  }
}

/** The machines passing `checks` with room, as the strategy ranks them; `within`: only those machines. */
export function buildTier(ctx: Context, task: Task, checks: NamedCheck[], within?: readonly number[]): Tier {
  const tier: Tier = { checks, set: candidateSet(ctx.strategy, ctx.nodes.length, ctx.keys, ctx.random) };
  const indexed = within ?? (ctx.filters.some((f) => f.name === 'constraint') ? indexedCandidates(ctx, task) : undefined);
  if (indexed) for (const i of indexed) admit(ctx, task, tier, ctx.nodes[i]!);
  else for (const node of ctx.nodes) admit(ctx, task, tier, node);
  return tier;
}

function admit(ctx: Context, task: Task, tier: Tier, node: Node): void {
  for (const c of tier.checks) if (c.check.refuse(node)) return;
  const w = weigh(node, task);
  if (w === FULL) return;
  ctx.keys.weight[node.index] = w;
  ctx.keys.containers[node.index] = node.containers;
  tier.set.add(node.index);
}

/**
 * Machines whose label `key` equals `value` for the first hard `key==value` constraint whose value
 * means only itself (no regexp character, so `^value$` is equality, and a missing label's '' never
 * equals it): an index lookup, not a scan. Anything else is checked machine by machine.
 */
function indexedCandidates(ctx: Context, task: Task): number[] | undefined {
  const e = task.constraints.find((c) => !c.soft && !c.literal && c.op === '==' && c.key !== 'node' && c.key !== 'node.role' && isPlainLiteral(c.value));
  if (!e) return undefined;
  if (!ctx.labelIndex) {
    ctx.labelIndex = new Map();
    for (const node of ctx.nodes) {
      for (const [k, v] of Object.entries(node.labels)) {
        let byValue = ctx.labelIndex.get(k);
        if (!byValue) ctx.labelIndex.set(k, (byValue = new Map()));
        const list = byValue.get(v);
        if (list) list.push(node.index);
        else byValue.set(v, [node.index]);
      }
    }
  }
  return ctx.labelIndex.get(e.key)?.get(e.value) ?? [];
}
