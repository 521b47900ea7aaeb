// plan(desired, observed, placement) → Plan: pure, synchronous, deterministic.
import type { Desired } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Placement } from '../model/placement.js';
import { ActionList } from './builder.js';
import { planContainers } from './containers.js';
import { topologicalOrder } from './graph.js';
import { planMachines } from './machines.js';
import type { Plan } from './types.js';

export type { Action, ActionKind, Plan } from './types.js';

export function makePlan(desired: Desired, observed: Observed, placement: Placement): Plan {
  const list = new ActionList();
  const warnings: string[] = [];
  const machines = planMachines(desired, observed, list, warnings);
  planContainers(desired, observed, placement, machines, list);
  const simulated = desired.machines.some((m) => m.driver === 'sim') || observed.machines.some((m) => m.driver === 'sim');
  return {
    format_version: '1.0',
    cluster: desired.name,
    simulated,
    actions: topologicalOrder(list.actions),
    placements: placementsAfterApply(placement),
    unschedulable: placement.unschedulable,
    warnings,
  };
}

/** service → machine → replica numbers, keys sorted so the JSON is stable. */
function placementsAfterApply(placement: Placement): Plan['placements'] {
  const out: Plan['placements'] = {};
  for (const r of placement.replicas) ((out[r.service] ??= {})[r.machine] ??= []).push(r.replica);
  const sorted: Plan['placements'] = {};
  for (const service of Object.keys(out)) {
    const byMachine = out[service]!;
    sorted[service] = Object.fromEntries(
      Object.keys(byMachine)
        .sort()
        .map((m) => [m, byMachine[m]!.sort((a, b) => a - b)]),
    );
  }
  return sorted;
}
