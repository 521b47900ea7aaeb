// The one data flow every command shares: manifest → desired; drivers → observed; place; plan.
import { resolve } from 'node:path';
import { loadManifest } from '../manifest/index.js';
import { UserError, type Diagnostic } from '../model/diagnostic.js';
import type { Desired, StrategyName } from '../model/desired.js';
import type { Placement } from '../model/placement.js';
import { makePlan } from '../plan/index.js';
import type { Plan } from '../plan/types.js';
import { closeDrivers, openDrivers, type Drivers } from '../providers/index.js';
import { observe, type Observation } from '../reconcile/observe.js';
import { place } from '../sched/index.js';
import { formatDiagnostic } from '../ui/diagnostic.js';

export function loadDesired(file: string): Desired {
  const result = loadManifest(resolve(file));
  if (!result.ok) throw new UserError(result.diagnostics);
  printWarnings(result.warnings);
  return result.desired;
}

export function printWarnings(warnings: Diagnostic[]): void {
  for (const w of warnings) process.stderr.write(formatDiagnostic(w) + '\n');
}

export interface Session {
  desired: Desired;
  drivers: Drivers;
  observation: Observation;
  close(): Promise<void>;
}

export async function openSession(desired: Desired): Promise<Session> {
  const drivers = await openDrivers(desired);
  try {
    const observation = await observe(desired.name, drivers);
    return { desired, drivers, observation, close: () => closeDrivers(drivers) };
  } catch (err) {
    await closeDrivers(drivers);
    throw err;
  }
}

export interface PlanChoices {
  strategy?: StrategyName;
  seed?: number;
}

export function computePlan(desired: Desired, observation: Observation, choices: PlanChoices = {}): { placement: Placement; plan: Plan } {
  const placement = place(desired, observation.observed, { strategy: choices.strategy, seed: choices.seed });
  return { placement, plan: makePlan(desired, observation.observed, placement) };
}

/** `destroy` is a plan towards "nothing": no services, no machines — except adopted (generic) hosts. */
export function emptied(desired: Desired): Desired {
  return { ...desired, services: [], machines: desired.machines.filter((m) => m.driver === 'generic') };
}
