// The scheduler: desired × observed → where every replica runs. Pure and synchronous.
// Existing replicas keep their machine; new ones are placed one at a time, services in dependency
// order, with the classic Swarm filters and strategies (see place-service.ts).
import type { Desired, StrategyName } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Placement, ReplicaPlacement, Unschedulable } from '../model/placement.js';
import { containerName } from '../plan/naming.js';
import type { Keys } from './candidates.js';
import { explain } from './explain.js';
import { fatesOf, ownedByService } from './fates.js';
import { constraintFilter } from './filters/constraint.js';
import { enabledFilters } from './filters/index.js';
import { addResident, buildNodes, residentOfObserved } from './nodes.js';
import { placementOrder } from './order.js';
import { placeService, type Context } from './place-service.js';
import { seededRandom } from './random.js';
import { makeTask, residentOf } from './task.js';

export interface PlaceOptions {
  strategy?: StrategyName;
  seed?: number;
}

export function place(desired: Desired, observed: Observed, options: PlaceOptions = {}): Placement {
  const nodes = buildNodes(desired, observed);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const owned = ownedByService(desired, observed);
  const tasks = new Map(desired.services.map((s) => [s.name, makeTask(desired.name, s)]));

  // Fates first, for every service: what stays occupies its machine before anything is placed.
  const constrained = desired.scheduler.filters.includes('constraint');
  const fates = new Map(
    desired.services.map((s) => {
      const hard = constrained ? [constraintFilter.prepare(tasks.get(s.name)!, false)].filter((c) => c !== undefined) : [];
      return [s.name, fatesOf(s, owned.get(s.name), byName, hard)];
    }),
  );
  const staying = new Set<string>();
  for (const list of fates.values()) {
    for (const f of list) if (f.fate !== 'new' && f.existing) staying.add(f.existing.container.id);
  }
  for (const m of observed.machines) {
    const node = byName.get(m.name);
    if (!node) continue;
    for (const c of m.engine?.containers ?? []) {
      const ours = c.owner && c.labels['io.cluster.name'] === desired.name;
      if (!ours) addResident(node, residentOfObserved(c));
      else if (staying.has(c.id)) {
        const f = fates.get(c.owner!.service)!.find((x) => x.existing?.container.id === c.id)!;
        addResident(node, f.fate === 'kept' ? residentOfObserved(c) : { ...residentOf(tasks.get(c.owner!.service)!, c.name, c.owner!.replica), id: c.id });
      }
    }
  }

  const keys: Keys = { weight: new Int32Array(nodes.length), containers: new Int32Array(nodes.length) };
  const ctx: Context = {
    nodes,
    filters: enabledFilters(desired.scheduler.filters),
    strategy: options.strategy ?? desired.scheduler.strategy,
    random: seededRandom(options.seed ?? desired.scheduler.seed),
    keys,
    containerName: (service, replica) => containerName(desired.name, service, replica),
  };

  const replicas: ReplicaPlacement[] = [];
  const unschedulable: Unschedulable[] = [];
  for (const service of placementOrder(desired.services)) {
    const task = tasks.get(service.name)!;
    const list = fates.get(service.name)!;
    const outcome = placeService(
      ctx,
      task,
      list.filter((f) => f.fate === 'new').map((f) => f.replica),
    );
    if (outcome.unplaced.length) {
      const first = outcome.unplaced[0]!;
      const { reasons, summary } = explain(nodes, task, outcome.explainWith, `${service.name}-${first}`);
      unschedulable.push({ service: service.name, replicas: outcome.unplaced, reasons, summary });
    }
    for (const f of list) {
      const existing = f.existing && { machine: f.existing.machine, id: f.existing.container.id, name: f.existing.container.name };
      const at = f.fate === 'new' ? outcome.placed.get(f.replica) : undefined;
      if (f.fate !== 'new') replicas.push({ service: service.name, replica: f.replica, machine: f.existing!.machine, fate: f.fate, existing: existing! });
      else if (at !== undefined) replicas.push({ service: service.name, replica: f.replica, machine: nodes[at]!.name, fate: 'new', ...(existing ? { existing } : {}) });
    }
  }
  return { replicas, unschedulable };
}
