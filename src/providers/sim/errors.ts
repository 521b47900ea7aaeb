// Errors of the simulated engine: EngineErrors made from Docker's HTTP status for the same failure,
// so the core treats a simulated 409 or 404 exactly as a real one (and never retries them).
import type { SimMachine, SimState } from './state.js';
import { EngineError, kindOfStatus } from '../../engine/errors.js';

export class SimEngineError extends EngineError {
  /** Without a status: a refusal no retry cures (the sim's swarm-state refusals, which dockerd sends as 503). */
  constructor(message: string, status?: number) {
    super(status === undefined ? 'refused' : kindOfStatus(status), message, status === undefined ? {} : { status });
    this.name = 'SimEngineError';
  }
}

/** The machine, when it exists and runs; otherwise the error a dead daemon's client would see. */
export function runningMachine(state: SimState, name: string): SimMachine {
  const machine = existingMachine(state, name);
  // Unavailable, as a real stopped engine, but not transient: retrying a stopped machine does not start it.
  if (machine.state !== 'running') throw new EngineError('unavailable', `${name}: machine is stopped`, { transient: false });
  return machine;
}

export function existingMachine(state: SimState, name: string): SimMachine {
  const machine = state.machines.get(name);
  if (!machine) throw new SimEngineError(`simulated machine ${name} does not exist`, 404);
  return machine;
}
