// plan(desired, observed, placement) → Plan: pure, synchronous, deterministic.
import type { Desired } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import { replicaCount, type Placement } from '../model/placement.js';
import { settle } from '../model/settle.js';
import { ActionList } from './builder.js';
import { planContainers } from './containers.js';
import { chainRollouts } from './rollouts.js';
import { topologicalOrder } from './graph.js';
import { planMachines } from './machines.js';
import { planNetworkRemovals, planNetworks } from './networks.js';
import { pushTo } from '../model/multimap.js';
import { checkoutWarnings } from './others.js';
import { planSwarmServices } from './swarm-services.js';
import type { Action, Plan } from './types.js';
import { hasSecrets, maskDeep, maskText } from '../model/secrets.js';
import { traitsOf } from '../providers/index.js';
import { withResolvedImages } from '../model/image-ref.js';
import { digestWarnings } from './images.js';
import { normalizeImage } from '../model/naming.js';

export type { Action, ActionKind, Plan } from './types.js';

export function makePlan(manifest: Desired, observed: Observed, placement: Placement): Plan {
  const desired = withResolvedImages(manifest, observed, normalizeImage);
  const list = new ActionList();
  const warnings: string[] = [...digestWarnings(desired, observed)];
  for (const l of placement.lookalikes ?? []) {
    const { service, replica } = l.container.owner!;
    warnings.push(`${l.machine}: container ${l.container.name} carries the labels of ${service} replica ${replica} but not its name; the replica is the one named so, this one is left alone (remove it yourself)`);
  }
  for (const f of observed.foreign ?? []) warnings.push(`${f}: not adopted, not touched (remove it yourself if it is stale)`);
  warnings.push(...checkoutWarnings(desired, observed));
  const unhealthy: string[] = [];
  const notes: string[] = [];
  const machines = planMachines(desired, observed, list, warnings, unhealthy, notes);
  const networkSteps = planNetworks(desired, observed, placement, machines, list);
  planContainers(desired, observed, placement, machines, list, networkSteps);
  const rollouts = chainRollouts(desired, observed, list);
  planSwarmServices(desired, observed, machines, list, networkSteps, warnings);
  planNetworkRemovals(desired, observed, machines, list);
  if (desired.networks?.length && !machines.swarmLeader && !machines.swarmUnseen && replicaCount(placement) > 0) {
    warnings.push('no swarm roles: networks do not reach across machines, so services that depend on each other over one are kept on one machine');
  }
  for (const s of placement.stayed ?? []) {
    warnings.push(`${s.service} ${s.replicas.map((r) => `#${r}`).join(', ')} stay${s.replicas.length === 1 ? 's' : ''} where ${s.replicas.length === 1 ? 'it runs' : 'they run'} (drain or rebalance would move ${s.replicas.length === 1 ? 'it' : 'them'}): ${s.reason}`);
  }
  removeMachinesLast(list.actions);
  const resized = list.actions.filter((a) => a.kind === 'machine.resize').map((a) => a.machine);
  if (resized.length && placement.unschedulable.length) {
    // Placed against the size machines have (src/sched/nodes.ts), never the one a pending resize promises.
    warnings.push(`replicas were placed against the present size of ${resized.join(', ')}: once the resize has run, plan or apply again to place the rest`);
  }
  const simulated = [...desired.machines, ...observed.machines].some((m) => traitsOf(m.driver).simulated);
  return maskedPlan({
    format_version: '1.0',
    cluster: desired.name,
    simulated,
    actions: topologicalOrder(list.actions),
    // Built on first read (JSON, a rendered action's note, --target), not for a plan that nobody asks
    // for it: on a converged million-replica cluster the no-op plan would pay ~0.1 s for a map it never shows.
    get placements() {
      return settle(this, 'placements', placementsAfterApply(placement));
    },
    unschedulable: placement.unschedulable,
    warnings,
    blocked: blockedChanges(desired, observed, list.actions),
    // Machines the plan starts are always said: what they hold (and their swarm) is planned once they are up.
    ...(placement.unseen ? { unseen: { machines: placement.unseen, replicas: placement.held ?? [] } } : {}),
    ...(unhealthy.length ? { unhealthy } : {}),
    ...(rollouts.length ? { rollouts } : {}),
    ...(notes.length || placement.rebalanced ? { notes: [...notes, ...rebalanceNotes(placement)] } : {}),
  });
}

/**
 * A plan is shown, saved and compared, never trusted with a secret: what it says about values
 * (images, labels, patches, reasons) is masked; what identifies objects (machine, service and
 * container names, ids) is not, since the executor acts on it. The executor takes real values
 * (an image tag from a secret variable) from the Desired.
 */
function maskedPlan(plan: Plan): Plan {
  if (!hasSecrets()) return plan;
  // An image step's id names its image: masked too. The machine part is an object name and stays;
  // two images that differ only in a secret would mask to one id, so later ones are numbered.
  const shownIds = new Map<string, string>();
  const taken = new Set(plan.actions.map((a) => a.id));
  for (const a of plan.actions) {
    if (a.kind !== 'image.ensure' && a.kind !== 'image.build') continue;
    const masked = a.kind === 'image.ensure' ? `${a.kind}:${a.machine}:${maskText(a.image)}` : maskText(a.id);
    if (masked === a.id) continue;
    let shown = masked;
    for (let n = 2; taken.has(shown); n++) shown = `${masked}#${n}`;
    taken.add(shown);
    shownIds.set(a.id, shown);
  }
  const imageId = (id: string) => shownIds.get(id) ?? id;
  const actions = plan.actions.map((a): Action => {
    const shown = { ...a, id: imageId(a.id), after: a.after.map(imageId), ...(a.reason !== undefined ? { reason: maskText(a.reason) } : {}) } as Action;
    switch (shown.kind) {
      case 'machine.create':
        return { ...shown, labels: maskDeep(shown.labels) };
      case 'engine.labels':
        return { ...shown, labels: maskDeep(shown.labels), patch: maskDeep(shown.patch) };
      case 'engine.options':
        return { ...shown, options: maskDeep(shown.options), patch: maskDeep(shown.patch) };
      case 'image.ensure':
        return { ...shown, image: maskText(shown.image) };
      case 'image.build':
        return { ...shown, image: maskText(shown.image), context: maskText(shown.context) };
      case 'service.update':
      case 'container.replace':
        return { ...shown, patch: maskDeep(shown.patch) };
      default:
        return shown;
    }
  });
  return { ...plan, actions, unschedulable: maskDeep(plan.unschedulable), warnings: maskDeep(plan.warnings), blocked: maskDeep(plan.blocked), ...(plan.unhealthy ? { unhealthy: maskDeep(plan.unhealthy) } : {}), ...(plan.notes ? { notes: maskDeep(plan.notes) } : {}) };
}

/**
 * A leaving machine leaves the swarm, and is removed or replaced, after the replicas moving off it are
 * up elsewhere (and have retired their old container): create before destroy, no gap in service, and
 * no removal racing a machine that is already gone.
 */
function removeMachinesLast(actions: Action[]): void {
  const removal = new Map<string, Action[]>();
  for (const a of actions) if (a.kind === 'machine.remove' || a.kind === 'machine.replace' || a.kind === 'swarm.leave') pushTo(removal, a.machine, a);
  for (const a of actions) {
    if (a.kind !== 'container.replace' || a.from.machine === a.machine) continue;
    for (const r of removal.get(a.from.machine) ?? []) r.after.push(a.id);
  }
}

/** `--rebalance`: how many replicas move, of which services, and why. */
function rebalanceNotes(placement: Placement): string[] {
  const r = placement.rebalanced ?? [];
  if (!r.length) return [];
  const n = r.reduce((sum, s) => sum + s.replicas.length, 0);
  return [`--rebalance moves ${n} replica${n === 1 ? '' : 's'} (${r.map((s) => `${s.service} ×${s.replicas.length}`).join(', ')}): ${r[0]!.reason}; each new one runs before its old one is removed`];
}

/** Like Terraform's prevent_destroy: a protected machine (now, or at the last apply) is never removed or replaced. */
function blockedChanges(desired: Desired, observed: Observed, actions: readonly Action[]): string[] {
  const protectedNow = new Set(desired.machines.filter((m) => m.protect).map((m) => m.name));
  for (const m of observed.machines) if (m.protected) protectedNow.add(m.name);
  return actions
    .filter((a) => (a.kind === 'machine.remove' || a.kind === 'machine.replace') && protectedNow.has(a.machine))
    .map((a) => `machine ${a.machine} is protected (protect: true) and this plan would ${desired.machines.some((m) => m.name === a.machine) ? 'replace' : 'remove'} it (${a.reason}); set protect: false and apply first`);
}

/** service → machine → replica numbers: services in placement order, machines and replicas sorted, so the JSON is stable. */
function placementsAfterApply(placement: Placement): Plan['placements'] {
  // Maps while collecting: objects keyed by ten thousand machine names are slow dictionaries.
  const byService = new Map<string, Map<string, number[]>>();
  const byMachineOf = (service: string) => {
    let byMachine = byService.get(service);
    if (!byMachine) byService.set(service, (byMachine = new Map()));
    return byMachine;
  };
  const all = placement.replicas;
  for (let i = 0; i < all.length; i++) {
    const r = all[i]!;
    pushTo(byMachineOf(r.service), r.machine, r.replica);
  }
  // Kept by column (the converged path): replica r on machines[r - 1], in replica order as above.
  for (const { service, machines } of placement.kept ?? []) {
    const byMachine = byMachineOf(service);
    for (let i = 0; i < machines.length; i++) pushTo(byMachine, machines[i]!, i + 1);
  }
  const sorted: Plan['placements'] = {};
  for (const [service, byMachine] of byService) {
    // A service's replicas come in replica order, so each list is sorted already; sorting a hundred thousand short lists anyway cost ~90 MB of scratch.
    sorted[service] = Object.fromEntries([...byMachine.keys()].sort().map((m) => [m, ascending(byMachine.get(m)!)]));
  }
  return sorted;
}

function ascending(list: number[]): number[] {
  for (let i = 1; i < list.length; i++) if (list[i - 1]! > list[i]!) return list.sort((a, b) => a - b);
  return list;
}
