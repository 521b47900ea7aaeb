// Machines the plan re-creates because what they were made with cannot change in place (their node
// image). Shared by the scheduler (a machine being replaced is drained: its replicas go elsewhere
// first) and the plan (machine.replace). Pure.
import type { Desired, DesiredMachine } from './desired.js';
import type { Observed, ObservedMachine } from './observed.js';

export interface Replacement {
  machine: string;
  from: string;
  to: string;
}

/** The node image the manifest asks a machine for; absent: the driver's default, which never replaces anything. */
export function wantedImage(m: DesiredMachine): string | undefined {
  return typeof m.options.image === 'string' ? m.options.image : undefined;
}

/** A wanted, seen machine (same driver) whose recorded node image differs from the manifest's. */
export function replacementOf(m: DesiredMachine, o: ObservedMachine | undefined): Replacement | undefined {
  const to = wantedImage(m);
  const from = o?.spec?.image;
  if (!o || o.driver !== m.driver || !to || !from || to === from) return undefined;
  return { machine: m.name, from, to };
}

export function replacedMachines(desired: Desired, observed: Observed): Map<string, Replacement> {
  const out = new Map<string, Replacement>();
  // Only a machine that asks for a node image can be replaced: most manifests ask for none, and then none is looked up.
  if (!desired.machines.some((m) => wantedImage(m) !== undefined)) return out;
  const seen = new Map(observed.machines.map((o) => [o.name, o]));
  for (const m of desired.machines) {
    const r = replacementOf(m, seen.get(m.name));
    if (r) out.set(m.name, r);
  }
  return out;
}
