// `watch --drift report`: tell an edit's changes from drift. Argo CD's auto-sync without self-heal
// syncs when the desired revision changes and only reports when the live state drifts; here the
// "revision" is the manifest this watch last converged to. Drift is what a plan against that same
// manifest would do now; an edit's plan, minus those actions, is what the edit changed. Pure.
import { canonicalJson } from '../manifest/hash.js';
import type { Action, Plan } from './types.js';

/** An action's content without its edges and wording: equal for the same change made for the same cause. */
function content(a: Action): string {
  const { after: _after, reason: _reason, ...rest } = a;
  return canonicalJson(rest);
}

/**
 * `plan` without the actions `drift` has too (the same change), except those an edit's action waits
 * for: an edit that needs a drifted object back (a stopped machine its new replica goes to) brings it
 * back, as --target does.
 */
export function withoutDrift(plan: Plan, drift: Plan): Plan {
  const drifted = new Set(drift.actions.map(content));
  const byId = new Map(plan.actions.map((a) => [a.id, a]));
  const keep = new Set<string>();
  const visit = (id: string) => {
    if (keep.has(id) || !byId.has(id)) return;
    keep.add(id);
    for (const d of byId.get(id)!.after) visit(d);
  };
  for (const a of plan.actions) if (!drifted.has(content(a))) visit(a.id);
  const actions = plan.actions.filter((a) => keep.has(a.id));
  const left = plan.actions.length - actions.length;
  if (!left) return plan;
  const kept = new Set(actions.map((a) => a.id));
  return {
    ...plan,
    actions: actions.map((a) => ({ ...a, after: a.after.filter((d) => kept.has(d)) })),
    notes: [...(plan.notes ?? []), `--drift report: ${left} correction${left === 1 ? '' : 's'} of drift left undone (not applied with this edit)`],
  };
}

/** The drift `applied` does not correct: drift's actions whose change is not in the applied plan. */
export function leftUncorrected(drift: Plan, applied: Plan): Plan {
  const done = new Set(applied.actions.map(content));
  const actions = drift.actions.filter((a) => !done.has(content(a)));
  const kept = new Set(actions.map((a) => a.id));
  return { ...drift, actions: actions.map((a) => ({ ...a, after: a.after.filter((d) => kept.has(d)) })) };
}

/** Identifies a drift, so the same one is said once, not on every re-observe; '' when there is none. */
export function driftKey(plan: Plan): string {
  return plan.actions.map(content).sort().join('\n');
}
