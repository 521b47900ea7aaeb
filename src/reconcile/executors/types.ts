// An executor runs one kind of plan action. Every one is idempotent, so a re-run after a crash or a
// retry after a transient failure converges instead of duplicating.
import type { Action, ActionKind } from '../../plan/types.js';
import type { ActionContext } from './context.js';

export type Executor<K extends ActionKind> = (ctx: ActionContext, action: Extract<Action, { kind: K }>) => Promise<void>;

/** One executor per action kind: the compiler rejects a table that misses a kind or names one that is not. */
export type Executors = { [K in ActionKind]: Executor<K> };
