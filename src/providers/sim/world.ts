// What a SimDriver shares with the simulated engines of its machines: one state, one set of conditions.
import type { SimConditions, SimKind } from './conditions.js';
import type { SimStateFile } from './file.js';
import type { SimState } from './state.js';

export class SimWorld {
  constructor(
    readonly cluster: string,
    readonly file: SimStateFile,
    readonly conditions: SimConditions,
  ) {}

  /**
   * The prologue of every simulated call: wait the kind's latency, read the state as it is after
   * the wait (another call may have changed it meanwhile), let `check` refuse (a stopped machine
   * answers nothing), then maybe inject a fault — all before the caller changes anything, so a
   * failed call leaves no trace and its retry starts clean.
   */
  async enter<T>(kind: SimKind, machine: string, check: (state: SimState) => T): Promise<T> {
    await this.conditions.delay(kind);
    const checked = check(await this.file.state());
    this.conditions.fault(kind, machine);
    return checked;
  }

  /**
   * The state, for a call that enter() would let through at once: the state is loaded and the kind
   * has no latency and no faults (its prologue would neither wait nor throw). Undefined: use enter().
   */
  now(kind: SimKind): SimState | undefined {
    return this.conditions.immediate(kind) ? this.file.loaded() : undefined;
  }

  changed(): void {
    this.file.changed();
  }
}

export function simEngineUrl(cluster: string, machine: string): string {
  return `sim://${cluster}/${machine}`;
}
