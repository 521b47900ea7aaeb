// Swarm-mode services as a simulated manager answers: kept on the swarm, tasks "running" at once
// (a simulated node runs no process), refused on a worker as dockerd refuses.
import { createHash } from 'node:crypto';
import type { ObservedSwarmService } from '../../model/observed.js';
import type { SimMachine, SimService, SimState, SimSwarm } from './state.js';
import { SimEngineError } from './errors.js';
import type { SwarmServiceRequest, SwarmServiceTasks } from '../../engine/types.js';

export function serviceFacts(state: SimState, machine: SimMachine): ObservedSwarmService[] | undefined {
  const member = state.membership.get(machine.name);
  if (member?.node.role !== 'manager') return undefined;
  return member.swarm.services.map((s) => {
    const n = taskCount(member.swarm, s);
    return { id: s.id, name: s.name, labels: { ...s.labels }, tasks: { running: n, desired: n } };
  });
}

export function createService(state: SimState, machine: SimMachine, req: SwarmServiceRequest): string {
  const swarm = managed(state, machine);
  const found = swarm.services.find((s) => s.name === req.name);
  if (found) return found.id;
  const id = createHash('sha256').update(`${swarm.id}:service:${req.name}`).digest('hex').slice(0, 25);
  swarm.services.push(toSimService(id, req));
  return id;
}

export function updateService(state: SimState, machine: SimMachine, id: string, req: SwarmServiceRequest): void {
  const swarm = managed(state, machine);
  const i = swarm.services.findIndex((s) => s.id === id);
  if (i < 0) throw new SimEngineError(`service ${id} not found`, 404);
  swarm.services[i] = toSimService(id, req);
}

export function removeService(state: SimState, machine: SimMachine, id: string): void {
  const swarm = managed(state, machine);
  const i = swarm.services.findIndex((s) => s.id === id);
  if (i >= 0) swarm.services.splice(i, 1);
}

export function serviceTasks(state: SimState, machine: SimMachine, id: string): SwarmServiceTasks {
  const swarm = managed(state, machine);
  const s = swarm.services.find((x) => x.id === id);
  if (!s) throw new SimEngineError(`service ${id} not found`, 404);
  const n = taskCount(swarm, s);
  return { desired: n, running: n, upToDate: n };
}

function taskCount(swarm: SimSwarm, s: SimService): number {
  return s.global ? [...swarm.nodes.values()].filter((node) => !node.left).length : s.replicas;
}

function toSimService(id: string, req: SwarmServiceRequest): SimService {
  return { id, name: req.name, labels: { ...req.labels }, replicas: req.replicas, global: req.swarm.mode === 'global' };
}

function managed(state: SimState, machine: SimMachine): SimSwarm {
  const member = state.membership.get(machine.name);
  if (member?.node.role !== 'manager') {
    throw new SimEngineError('This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state.', 503);
  }
  return member.swarm;
}
