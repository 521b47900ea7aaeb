// Whose an object is. Labels name the cluster; since two checkouts of one manifest (same `name:`)
// may share an engine (the generic driver adopts existing engines), the checkout's identity decides
// between them: an object carrying this cluster's name but another checkout's id is someone else's.
// It is never counted, replaced or removed here; like any foreign container it still takes ports
// and capacity on its machine.
import { containerColumnsOf } from './container-columns.js';
import { LABEL, type Observed, type ObservedContainer } from './observed.js';

type Viewer = Pick<Observed, 'cluster' | 'identity'>;

/** Objects without an id (earlier versions) and a checkout without one (a plan before the first apply) match any. */
export function ownedBy(viewer: Viewer, cluster: string | undefined, id: string | undefined): boolean {
  return cluster === viewer.cluster && (id === undefined || viewer.identity === undefined || id === viewer.identity);
}

export function ownsLabels(viewer: Viewer, labels: Record<string, string> | null | undefined): boolean {
  return !!labels && ownedBy(viewer, labels[LABEL.cluster], labels[LABEL.id]);
}

export function ownsContainer(viewer: Viewer, c: ObservedContainer): boolean {
  const o = c.owner;
  return o !== undefined && ownedBy(viewer, o.cluster, o.id);
}

/** Another checkout's objects on one machine (or, for swarm services, on the swarm its manager leads). */
export interface OtherCheckout {
  id: string;
  machine: string;
  containers: number;
  networks: number;
  services: number;
}

/**
 * Objects of this cluster's name with an id other than `identity` (every id, when `identity` is
 * undefined), per id and machine, sorted. One pass over every container: the converged plan of a
 * million replicas goes through here.
 */
export function otherCheckouts(observed: Pick<Observed, 'cluster' | 'machines'>, identity: string | undefined): OtherCheckout[] {
  const found = new Map<string, OtherCheckout>();
  const at = (id: string, machine: string) => {
    const key = `${id}\0${machine}`;
    let o = found.get(key);
    if (!o) found.set(key, (o = { id, machine, containers: 0, networks: 0, services: 0 }));
    return o;
  };
  const other = (cluster: string | undefined, id: string | undefined): id is string => id !== undefined && id !== identity && cluster === observed.cluster;
  for (const m of observed.machines) {
    const e = m.engine;
    if (!e) continue;
    const columns = containerColumnsOf(e);
    if (columns) {
      // By column: an owner is a template's, so it is asked once per template, not once per container.
      const others = columns.owners.map((o) => o !== undefined && o.id !== identity && o.id !== undefined && o.cluster === observed.cluster);
      const { owner, replica } = columns;
      // Most often no template is another checkout's: then no container is, and none is visited.
      if (others.includes(true)) for (let k = 0; k < replica.length; k++) if (replica[k] !== 0 && others[owner[k]!]) at(columns.owners[owner[k]!]!.id!, m.name).containers++;
    } else {
      for (const c of e.containers) {
        const o = c.owner;
        // Inline, not other(): this line runs once per container, ours included.
        if (o !== undefined && o.id !== identity && o.id !== undefined && o.cluster === observed.cluster) at(o.id, m.name).containers++;
      }
    }
    for (const n of e.networks ?? []) if (other(n.labels[LABEL.cluster], n.labels[LABEL.id])) at(n.labels[LABEL.id]!, m.name).networks++;
    for (const s of e.swarmServices ?? []) if (other(s.labels[LABEL.cluster], s.labels[LABEL.id])) at(s.labels[LABEL.id]!, m.name).services++;
  }
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.machine < b.machine ? -1 : a.machine > b.machine ? 1 : 0));
}

/** The ids of other checkouts seen, sorted: what `--adopt` chooses from. */
export function otherIds(others: readonly OtherCheckout[]): string[] {
  return [...new Set(others.map((o) => o.id))].sort();
}

/** How an id is shown in sentences: enough to tell ids apart and to give to `--adopt`. */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}
