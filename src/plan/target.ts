// `--target machine.X` / `--target service.Y`: a plan limited to those objects' actions and
// everything they wait for (as Terraform's -target), for repairs and careful rollouts.
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

export function targetPlan(plan: Plan, targets: string[]): Plan {
  const parsed = targets.map((t) => {
    const p = parseTarget(t);
    if (!p) throw new Error(`invalid --target ${t}: write machine.NAME or service.NAME`);
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
  const placements = Object.fromEntries(Object.entries(plan.placements).filter(([s]) => parsed.some((t) => t.kind === 'service' && t.name === s)));
  return {
    ...plan,
    actions: plan.actions.filter((a) => keep.has(a.id)),
    placements,
    unschedulable: plan.unschedulable.filter((u) => parsed.some((t) => t.kind === 'service' && t.name === u.service)),
    warnings: [...plan.warnings, `targeted plan (${targets.join(', ')}): other changes are neither shown nor applied; run without --target to converge the rest`],
  };
}
