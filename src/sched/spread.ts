// deploy.placement.preferences: [{ spread: node.labels.zone }] on a container service, as swarmkit
// spreads (manager/scheduler/nodeset.go tree, scheduler.go scheduleNTasksOnSubtree): machines are
// grouped by the label's value, those without it forming one group (value ""); a group counts every
// replica of the service on its machines, whether or not they pass the filters; each replica goes to
// the group with the fewest among those with a machine that can take it (a full group is left out,
// as swarmkit's noRoom), and inside it to the machine the strategy ranks first. With several
// preferences the groups nest, outermost first. swarmkit splits a batch evenly and breaks ties in
// Go's map order; one replica at a time to the emptiest group gives the same counts, and ties go to
// the value first in name order, so a plan is reproducible.
import type { Node } from './node.js';
import { buildTier, landed, prepareChecks, type Context, type Placed, type ServiceOutcome, type Tier } from './place-service.js';
import type { Task } from './task.js';

/** One leaf group: the machines whose labels have these values, outermost preference first. */
interface Group {
  path: string[];
  machines: number[];
  strict: Tier;
  relaxed?: Tier;
}

export function placeSpread(ctx: Context, task: Task, replicas: readonly number[]): ServiceOutcome {
  const keys = task.service.placement.spread!;
  const name = task.service.name;
  const byPath = new Map<string, Group>();
  // Replicas of the service under each path prefix ("" is the root), joined with \0.
  const count = new Map<string, number>();
  for (const node of ctx.nodes) {
    const path = keys.map((k) => labelValue(node, k));
    const held = node.services.get(name) ?? 0;
    for (let l = 1; l <= path.length; l++) {
      const prefix = path.slice(0, l).join('\0');
      count.set(prefix, (count.get(prefix) ?? 0) + held);
    }
    const id = path.join('\0');
    const g = byPath.get(id);
    if (g) g.machines.push(node.index);
    else byPath.set(id, { path, machines: [node.index], strict: undefined! });
  }
  const groups = [...byPath.values()].sort((a, b) => compare(a.path, b.path));

  const enabled = new Set(ctx.filters.map((f) => f.name));
  const hasSoft = (enabled.has('constraint') && task.constraints.some((e) => e.soft)) || (enabled.has('affinity') && task.affinities.some((e) => e.soft));
  const relaxedChecks = prepareChecks(ctx.filters, task, false);
  const strictChecks = hasSoft ? prepareChecks(ctx.filters, task, true) : relaxedChecks;
  for (const g of groups) g.strict = buildTier(ctx, task, strictChecks, g.machines);
  let relaxedBuilt = !hasSoft;
  if (!hasSoft) for (const g of groups) g.relaxed = g.strict;

  const placed: Placed = { replicas, machines: [] };
  for (let k = 0; k < replicas.length; k++) {
    // Soft expressions are dropped only when no machine of any group passes them (classic's rule, place-service.ts).
    let tierOf = (g: Group) => g.strict;
    if (!groups.some((g) => g.strict.set.size > 0)) {
      if (!relaxedBuilt) for (const g of groups) g.relaxed = buildTier(ctx, task, relaxedChecks, g.machines);
      relaxedBuilt = true;
      tierOf = (g: Group) => g.relaxed!;
    }
    const g = emptiest(groups.filter((x) => tierOf(x).set.size > 0), count, keys.length);
    if (!g) return { placed, unplaced: replicas.slice(k), explainWith: relaxedChecks };
    const i = tierOf(g).set.pick();
    placed.machines.push(i);
    landed(ctx, task, replicas[k]!, i, g.relaxed && g.relaxed !== g.strict ? [g.strict, g.relaxed] : [g.strict]);
    for (let l = 1; l <= g.path.length; l++) {
      const prefix = g.path.slice(0, l).join('\0');
      count.set(prefix, count.get(prefix)! + 1);
    }
  }
  return { placed, unplaced: [], explainWith: relaxedChecks };
}

/** Level by level, keep the groups under the value holding the fewest replicas (ties: first value by name). */
function emptiest(candidates: Group[], count: Map<string, number>, levels: number): Group | undefined {
  let left = candidates;
  for (let l = 1; l <= levels && left.length > 1; l++) {
    let best = Infinity;
    for (const g of left) best = Math.min(best, count.get(g.path.slice(0, l).join('\0'))!);
    const first = left.find((g) => count.get(g.path.slice(0, l).join('\0')) === best)!;
    const value = first.path.slice(0, l).join('\0');
    left = left.filter((g) => g.path.slice(0, l).join('\0') === value);
  }
  return left[0];
}

/** A machine's value for a spread key; a machine without the label is in the "" group (nodeset.go tree). */
export function labelValue(node: Node, key: string): string {
  return Object.hasOwn(node.labels, key) ? node.labels[key]! : '';
}

function compare(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
