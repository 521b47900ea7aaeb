import type { Action, Plan } from './types.js';

/** How an action reads to a person: Terraform's symbols, and which summary count it adds to. */
export type Effect = 'add' | 'change' | 'destroy' | 'replace' | 'none';

export function effectOf(action: Action): Effect {
  switch (action.kind) {
    case 'machine.create':
    case 'container.create':
    case 'image.ensure':
    case 'image.build':
    case 'swarm.init':
    case 'swarm.join':
    case 'network.create':
    case 'service.create':
      return 'add';
    case 'machine.start':
    case 'machine.resize':
    case 'machine.availability':
    case 'container.start':
    case 'swarm.promote':
    case 'swarm.demote':
    case 'service.update':
      return 'change';
    case 'engine.labels':
      return action.readOnly ? 'none' : 'change';
    case 'engine.options':
      return 'change';
    case 'machine.remove':
    case 'container.remove':
    case 'swarm.leave':
    case 'swarm.forget':
    case 'network.remove':
    case 'service.remove':
      return 'destroy';
    case 'container.replace':
    case 'machine.replace':
      return 'replace';
    default:
      return unreachable(action);
  }
}

export const SYMBOL: Record<Effect, string> = { add: '+', change: '~', destroy: '-', replace: '-/+', none: '!' };

export interface Counts {
  add: number;
  change: number;
  destroy: number;
}

export function countEffects(actions: readonly Action[]): Counts {
  const c: Counts = { add: 0, change: 0, destroy: 0 };
  for (const a of actions) {
    const e = effectOf(a);
    if (e === 'replace') (c.add++, c.destroy++);
    else if (e !== 'none') c[e]++;
  }
  return c;
}

export function hasChanges(plan: Plan): boolean {
  return plan.actions.some((a) => effectOf(a) !== 'none');
}

/** Changes, or a cluster the plan cannot mend (a swarm without quorum): either is drift for `plan --detailed-exitcode`. */
export function hasDrift(plan: Plan): boolean {
  // Replicas that could not be seen are not known to match either: a pipeline must not read that as converged.
  return hasChanges(plan) || !!plan.unhealthy?.length || !!plan.unseen;
}

/** Replicas kept as not seen; a global service's count one per machine (their numbers are not known). */
export function unseenReplicas(plan: Pick<Plan, 'unseen'>): number {
  return plan.unseen?.replicas.reduce((n, r) => n + (r.global ? r.machines.length : r.replicas.length), 0) ?? 0;
}

export function summaryLine(plan: Plan): string {
  const c = countEffects(plan.actions);
  if (c.add + c.change + c.destroy === 0) {
    if (plan.unhealthy?.length) return 'No changes this plan can make, but the cluster is unhealthy (see above).';
    const unseen = unseenReplicas(plan);
    // Nothing to do is not the same as converged: replicas that could not be seen may not be running.
    if (unseen) return `No changes can be made now; ${unseen} replica${unseen === 1 ? '' : 's'} could not be seen (see "not seen" above).`;
    const left = plan.targeted?.left_out ?? 0;
    if (left) return `No changes in the target (${plan.targeted!.targets.join(', ')}); ${left} other change${left === 1 ? ' is' : 's are'} pending: run without --target to see ${left === 1 ? 'it' : 'them'}.`;
    if (plan.targeted) return `No changes in the target (${plan.targeted.targets.join(', ')}), nor anywhere else.`;
    return 'No changes. The cluster matches the manifest.';
  }
  return `Plan: ${c.add} to add, ${c.change} to change, ${c.destroy} to destroy.`;
}

export function unreachable(x: never): never {
  throw new Error(`internal: unhandled ${JSON.stringify(x)}`);
}
