// Networks as a simulated engine answers: bridges belong to the engine; an overlay belongs to the
// swarm, is created on a manager, and is listed by managers (as dockerd does for unused overlays).
import { createHash } from 'node:crypto';
import type { ObservedNetwork } from '../../model/observed.js';
import type { SimMachine, SimNetwork, SimState } from './state.js';
import { SimEngineError } from './errors.js';
import type { NetworkCreateRequest } from '../../engine/types.js';

export function networkFacts(state: SimState, machine: SimMachine): ObservedNetwork[] {
  const member = state.membership.get(machine.name);
  const overlays = member?.node.role === 'manager' ? member.swarm.networks : [];
  return [...machine.networks, ...overlays].map((n) => ({ id: networkId(state, n), name: n.name, driver: n.driver, labels: { ...n.labels } }));
}

export function createNetwork(state: SimState, machine: SimMachine, req: NetworkCreateRequest): void {
  const list = req.driver === 'overlay' ? managedNetworks(state, machine) : machine.networks;
  if (list.some((n) => n.name === req.name)) return;
  list.push({ name: req.name, driver: req.driver, labels: { ...req.labels } });
}

export function removeNetwork(state: SimState, machine: SimMachine, name: string): void {
  const member = state.membership.get(machine.name);
  for (const list of [machine.networks, member?.swarm.networks ?? []]) {
    const i = list.findIndex((n) => n.name === name);
    if (i >= 0) list.splice(i, 1);
  }
}

function managedNetworks(state: SimState, machine: SimMachine): SimNetwork[] {
  const member = state.membership.get(machine.name);
  if (member?.node.role !== 'manager') {
    throw new SimEngineError('Cannot create a multi-host network from a worker node. Please create the network from a manager node.', 403);
  }
  return member.swarm.networks;
}

function networkId(state: SimState, n: SimNetwork): string {
  return createHash('sha256').update(`${state.cluster}:${n.driver}:${n.name}`).digest('hex').slice(0, 25);
}
