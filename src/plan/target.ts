// `--target machine.X` / `--target service.Y`: a plan limited to those objects' actions and
// everything they wait for (as Terraform's -target), for repairs and careful rollouts.
import { didYouMean } from '../manifest/hints.js';
import { UserError } from '../model/diagnostic.js';
import type { Desired } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Action, Plan } from './types.js';

export function parseTarget(t: string): { kind: 'machine' | 'service'; name: string } | undefined {
  const m = /^(machine|service)\.(.+)$/.exec(t);
  return m ? { kind: m[1] as 'machine' | 'service', name: m[2]! } : undefined;
}

function selected(a: Action, targets: { kind: 'machine' | 'service'; name: string }[]): boolean {
  return targets.some((t) =>
    t.kind === 'service'
      ? 'service' in a && a.service === t.name
      : a.machine === t.name && (a.kind.startsWith('machine.') || a.kind.startsWith('swarm.') || a.kind.startsWith('engine.')),
  );
}

/**
 * The plan limited to `targets` and what they wait for. A target must name a machine or service of
 * the manifest, or one the plan removes; anything else is refused with the closest name, never read
 * as "no changes".
 */
export function targetPlan(plan: Plan, targets: string[], desired: Desired, observed: Observed): Plan {
  const known = new Set([
    ...desired.machines.map((m) => `machine.${m.name}`),
    ...desired.services.map((s) => `service.${s.name}`),
    ...observed.machines.map((m) => `machine.${m.name}`),
    ...observed.machines.flatMap((m) => (m.engine?.containers ?? []).flatMap((c) => (c.owner ? [`service.${c.owner.service}`] : []))),
    ...plan.actions.flatMap((a) => [...(a.machine ? [`machine.${a.machine}`] : []), ...('service' in a ? [`service.${a.service}`] : [])]),
  ]);
  const parsed = targets.map((t) => {
    const p = parseTarget(t);
    if (!p) throw UserError.plain(`invalid --target ${t}: write machine.NAME or service.NAME`, didYouMean(t, [...known]));
    if (!known.has(t)) throw UserError.plain(`--target ${t}: there is no ${p.kind} ${p.name} in the manifest or the cluster`, didYouMean(t, [...known]) ?? `known: ${[...known].sort().join(', ') || 'none'}`);
    return p;
  });
  const byId = new Map(plan.actions.map((a) => [a.id, a]));
  const keep = new Set<string>();
  const visit = (id: string) => {
    if (keep.has(id)) return;
    keep.add(id);
    for (const d of byId.get(id)?.after ?? []) visit(d);
  };
  for (const a of plan.actions) if (selected(a, parsed)) visit(a.id);
  const leftOut = plan.actions.length - keep.size;
  const placements = Object.fromEntries(Object.entries(plan.placements).filter(([s]) => parsed.some((t) => t.kind === 'service' && t.name === s)));
  return {
    ...plan,
    actions: plan.actions.filter((a) => keep.has(a.id)),
    placements,
    unschedulable: plan.unschedulable.filter((u) => parsed.some((t) => t.kind === 'service' && t.name === u.service)),
    warnings: [...plan.warnings, `targeted plan (${targets.join(', ')}): ${leftOut ? `${leftOut} other change${leftOut === 1 ? ' is' : 's are'} left out, neither shown nor applied; run without --target to converge the rest` : 'nothing else is pending'}`],
    targeted: { targets, left_out: leftOut },
  };
}
