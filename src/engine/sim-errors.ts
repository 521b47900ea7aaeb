// Errors of the simulated engine, shaped like dockerode's: a message and Docker's HTTP status, so
// the core treats a simulated 409 or 404 exactly as a real one (and never retries them).
import type { SimMachine, SimState } from '../providers/sim-state.js';

export class SimEngineError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'SimEngineError';
  }
}

/** The machine, when it exists and runs; otherwise the error a dead daemon's client would see. */
export function runningMachine(state: SimState, name: string): SimMachine {
  const machine = existingMachine(state, name);
  // No status code and not transient: retrying a stopped machine does not start it.
  if (machine.state !== 'running') throw new SimEngineError(`${name}: machine is stopped`);
  return machine;
}

export function existingMachine(state: SimState, name: string): SimMachine {
  const machine = state.machines.get(name);
  if (!machine) throw new SimEngineError(`simulated machine ${name} does not exist`, 404);
  return machine;
}
