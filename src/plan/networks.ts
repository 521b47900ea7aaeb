// Network actions. With swarm roles each network is one attachable overlay made on the swarm's
// leader, and a container waits for it and for its machine to be in the swarm. Without, each
// machine that runs an attached container gets its own bridge of that name.
import type { Desired } from '../model/desired.js';
import { isLockObject, LABEL, type Observed } from '../model/observed.js';
import { ownsLabels } from '../model/ownership.js';
import type { Placement } from '../model/placement.js';
import type { ActionList } from './builder.js';
import type { MachineSteps } from './machines.js';

/** Actions a container on `machine` attached to `network` (engine name) must wait for. */
export type NetworkSteps = (machine: string, network: string) => (string | undefined)[];

export function planNetworks(desired: Desired, observed: Observed, placement: Placement, machines: MachineSteps, list: ActionList): NetworkSteps {
  const owned = (desired.networks ?? []).filter((n) => !n.external);
  if (owned.length === 0) return () => [];
  const present = (machine: string, network: string) =>
    !machines.leaving.has(machine) && Boolean(observed.machines.find((m) => m.name === machine)?.engine?.networks?.some((n) => n.name === network));
  const labels = (key: string) => ({ [LABEL.cluster]: desired.name, [LABEL.network]: key });
  const ownedNames = new Set(owned.map((n) => n.engineName));

  if (machines.swarmUnseen) return () => []; // overlays or bridges: decided once the managers are seen
  const leader = machines.swarmLeader;
  if (leader) {
    const created = new Map<string, string | undefined>();
    for (const n of owned) {
      created.set(
        n.engineName,
        present(leader, n.engineName)
          ? undefined
          : list.add(n.engineName, { kind: 'network.create', machine: leader, network: n.engineName, driver: 'overlay', labels: labels(n.name), after: [swarmStep(list, leader) ?? machines.ready(leader)], cause: 'missing', reason: 'spans the swarm: containers on any machine reach each other by service name' }),
      );
    }
    return (machine, network) => (ownedNames.has(network) ? [created.get(network), swarmStep(list, machine)] : []);
  }

  const services = new Map(desired.services.map((s) => [s.name, s]));
  const bridges = new Map<string, string | undefined>();
  const bridge = (service: string, machine: string) => {
    for (const { network } of services.get(service)?.spec.networks ?? []) {
      const key = `${machine}:${network}`;
      if (!ownedNames.has(network) || bridges.has(key)) continue;
      const n = owned.find((o) => o.engineName === network)!;
      bridges.set(key, present(machine, network) ? undefined : list.add(key, { kind: 'network.create', machine, network, driver: 'bridge', labels: labels(n.name), after: [machines.ready(machine)], cause: 'missing', reason: 'no swarm: this network stays on its machine' } as never));
    }
  };
  for (const r of placement.replicas) bridge(r.service, r.machine);
  for (const k of placement.kept ?? []) {
    // Most services join no network: their kept replicas (a million on a big no-op plan) are not walked.
    if (!services.get(k.service)?.spec.networks?.length) continue;
    for (const machine of k.machines) bridge(k.service, machine);
  }
  return (machine, network) => [bridges.get(`${machine}:${network}`)];
}

/** Networks this cluster made that nothing wants any more go last, after the containers on them. */
export function planNetworkRemovals(desired: Desired, observed: Observed, machines: MachineSteps, list: ActionList): void {
  const wanted = new Set((desired.networks ?? []).map((n) => n.engineName));
  const viewer = { cluster: desired.name, identity: observed.identity };
  const containerSteps = list.actions.filter((a) => a.kind === 'container.remove' || a.kind === 'container.replace' || a.kind === 'service.remove' || a.kind === 'service.update').map((a) => a.id);
  for (const m of observed.machines) {
    if (!m.engine || machines.leaving.has(m.name)) continue;
    const manager = m.engine.swarm.role === 'manager';
    for (const n of m.engine.networks ?? []) {
      if (!ownsLabels(viewer, n.labels) || wanted.has(n.name)) continue;
      if (isLockObject(n.labels)) continue; // the apply lock of the run making this plan, not a service's network
      if (n.driver === 'overlay' && !manager) continue; // a worker's view of a swarm overlay: removed on a manager
      list.add(`${m.name}:${n.name}`, { kind: 'network.remove', machine: m.name, network: n.name, after: containerSteps, cause: 'not-in-manifest', reason: 'no service uses it any more' });
    }
  }
}

function swarmStep(list: ActionList, machine: string): string | undefined {
  for (const kind of ['swarm.init', 'swarm.join', 'swarm.promote']) if (list.has(`${kind}:${machine}`)) return `${kind}:${machine}`;
  return undefined;
}
