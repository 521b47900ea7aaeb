// The scheduler: desired × observed → where every replica runs. Pure and synchronous.
// Existing replicas keep their machine; new ones are placed one at a time, services in dependency
// order, with the classic Swarm filters and strategies (see place-service.ts).
import type { Desired, StrategyName } from '../model/desired.js';
import { LABEL, type Observed, type ObservedContainer } from '../model/observed.js';
import type { Placement, ReplicaPlacement, Unschedulable } from '../model/placement.js';
import { containerName } from '../plan/naming.js';
import type { Keys } from './candidates.js';
import { explain } from './explain.js';
import { fatesOf, ownedByService, type Fate } from './fates.js';
import { constraintFilter } from './filters/constraint.js';
import { enabledFilters } from './filters/index.js';
import type { Tracking } from './node.js';
import { addResident, buildNodes, residentOfObserved } from './nodes.js';
import { placementOrder } from './order.js';
import { placeService, type Context } from './place-service.js';
import { seededRandom } from './random.js';
import { makeTask, residentOf, type Task } from './task.js';

export interface PlaceOptions {
  strategy?: StrategyName;
  seed?: number;
}

export function place(desired: Desired, observed: Observed, options: PlaceOptions = {}): Placement {
  return schedule(desired, observed, options).placement;
}

/** The placement and the scheduler's state after it (for explanations). */
export function schedule(all: Desired, observed: Observed, options: PlaceOptions = {}): { placement: Placement; ctx: Context; tasks: Map<string, Task> } {
  // Swarm-mode services are placed by the swarm's own scheduler.
  const desired = all.services.some((s) => s.mode === 'swarm') ? { ...all, services: all.services.filter((s) => s.mode !== 'swarm') } : all;
  const nodes = buildNodes(desired, observed);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const owned = ownedByService(desired, observed);
  const tasks = new Map(desired.services.map((s) => [s.name, makeTask(desired.name, s)]));
  const tracking = trackingFor(desired);

  // Fates first, for every service: what stays occupies its machine before anything is placed.
  const constrained = desired.scheduler.filters.includes('constraint');
  const fates = new Map<string, Fate[]>();
  const staying = new Map<ObservedContainer, Fate>(); // by identity: a million 64-hex-digit keys hash slowly
  for (const s of desired.services) {
    const hard = constrained ? [constraintFilter.prepare(tasks.get(s.name)!, false)].filter((c) => c !== undefined) : [];
    const list = fatesOf(s, owned.get(s.name), byName, hard);
    fates.set(s.name, list);
    for (const f of list) if (f.fate !== 'new') staying.set(f.existing!.container, f);
  }
  for (const m of observed.machines) {
    const node = byName.get(m.name);
    if (!node) continue;
    for (const c of m.engine?.containers ?? []) {
      const ours = c.owner !== undefined && c.labels[LABEL.cluster] === desired.name;
      const f = ours ? staying.get(c) : undefined;
      if (!ours || f?.fate === 'kept') addResident(node, residentOfObserved(c), tracking);
      else if (f) addResident(node, { ...residentOf(tasks.get(c.owner!.service)!, c.name, c.owner!.replica), id: c.id }, tracking);
    }
  }

  const fixedNames = new Map(desired.services.flatMap((s) => (s.spec.containerName ? [[s.name, s.spec.containerName] as const] : [])));
  const ctx: Context = {
    nodes,
    filters: enabledFilters(desired.scheduler.filters),
    strategy: options.strategy ?? desired.scheduler.strategy,
    random: seededRandom(options.seed ?? desired.scheduler.seed),
    keys: { weight: new Int32Array(nodes.length), containers: new Int32Array(nodes.length) } satisfies Keys,
    tracking,
    containerName: (service, replica) => containerName(desired.name, service, replica, fixedNames.get(service)),
  };

  const replicas: ReplicaPlacement[] = [];
  const unschedulable: Unschedulable[] = [];
  for (const service of placementOrder(desired.services)) {
    const task = tasks.get(service.name)!;
    const list = fates.get(service.name)!;
    const wanted: number[] = [];
    for (const f of list) if (f.fate === 'new') wanted.push(f.replica);
    const outcome = placeService(ctx, task, wanted);
    if (outcome.unplaced.length) {
      const { reasons, summary } = explain(nodes, task, outcome.explainWith, `${service.name}-${outcome.unplaced[0]}`);
      unschedulable.push({ service: service.name, replicas: outcome.unplaced, reasons, summary });
    }
    for (const f of list) {
      const existing = f.existing && { machine: f.existing.machine, id: f.existing.container.id, name: f.existing.container.name };
      if (f.fate !== 'new') {
        replicas.push({ service: service.name, replica: f.replica, machine: f.existing!.machine, fate: f.fate, existing: existing! });
        continue;
      }
      const at = outcome.placed.get(f.replica);
      if (at !== undefined) replicas.push({ service: service.name, replica: f.replica, machine: nodes[at]!.name, fate: 'new', ...(existing ? { existing } : {}) });
    }
  }
  return { placement: { replicas, unschedulable }, ctx, tasks };
}

/** Which node contents any filter of this manifest can ask about (see Tracking). */
function trackingFor(desired: Desired): Tracking {
  const on = new Set(desired.scheduler.filters);
  const keys = on.has('affinity') ? desired.services.flatMap((s) => s.placement.affinities.map((e) => e.key)) : [];
  const containerDeps =
    on.has('dependency') && desired.services.some((s) => s.spec.volumesFrom.some((v) => v.startsWith('container:')) || s.spec.networkMode?.startsWith('container:'));
  return {
    names: keys.includes('container') || containerDeps === true,
    images: keys.includes('image'),
    labelKeys: [...new Set(keys.filter((k) => k !== 'container' && k !== 'image'))],
  };
}
