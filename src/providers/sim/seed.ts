// A converged simulated cluster in one step, for benchmarks and capacity tests: what a million
// createContainer calls would leave behind, built directly (then saved with writeSimState).
import type { Role } from '../../model/desired.js';
import type { ContainerState } from '../../model/observed.js';
import type { ContainerCreateRequest } from '../../engine/types.js';
import { imageRef, SimState, type SimMachineSpec } from './state.js';

/** A DesiredMachine fits here as it is. */
export interface SeedMachine extends SimMachineSpec {
  role?: Role;
}

/** Exactly what the reconciler would pass to createContainer on `machine` (same labels). */
export interface SeedContainer {
  machine: string;
  request: ContainerCreateRequest;
  state?: ContainerState; // default running
}

/**
 * Machines running with their images present, the swarm formed (the first manager initialises it,
 * the other roles join), every container in its state (running by default).
 */
export function seedSimState(cluster: string, machines: SeedMachine[], containers: Iterable<SeedContainer>): SimState {
  const state = new SimState(cluster);
  for (const m of machines) state.addMachine(m);
  const first = machines.find((m) => m.role === 'manager');
  if (first) {
    const swarm = state.createSwarm(first.name);
    for (const m of machines) if (m !== first && m.role) state.addNode(swarm, m.name, m.role);
  }
  for (const { machine: name, request, state: cstate } of containers) {
    const machine = state.machines.get(name);
    if (!machine) throw new Error(`seedSimState: container ${request.name} is placed on ${name}, which is not among the machines`);
    machine.images.add(imageRef(request.spec.image));
    state.addContainer(machine, request, cstate ?? 'running');
  }
  return state;
}
