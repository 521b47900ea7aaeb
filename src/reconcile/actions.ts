// Runs one plan action against drivers and engines through the executor of its kind
// (src/reconcile/executors/). Every action is idempotent, so a re-run after a crash or a retry after
// a transient failure converges instead of duplicating.
import type { Desired } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Drivers } from '../providers/index.js';
import type { MachineRecord } from '../providers/types.js';
import type { Action } from '../plan/types.js';
import { ActionContext, executors, type Executor } from './executors/index.js';

export { replicaLabels } from './executors/index.js';

export class ActionRunner {
  private readonly ctx: ActionContext;

  constructor(desired: Desired, observed: Observed, drivers: Drivers, records: Map<string, MachineRecord>, signal?: AbortSignal) {
    this.ctx = new ActionContext(desired, observed, drivers, records);
    this.ctx.signal = signal;
  }

  run = (a: Action): Promise<void> => (executors[a.kind] as Executor<Action['kind']>)(this.ctx, a);
}
