// Walks the action graph like Terraform's DAG walker: every action starts as soon as everything it
// waits for has finished; a failure marks its dependents "skipped" (upstream failed) and the report
// names root causes only; everything independent still finishes. Concurrency: one global limit
// (`parallelism`) and a per-machine limit, so one slow machine cannot take every slot.
// Cancellation (`signal`): nothing new starts — queued actions are dropped at once, and an action
// that reaches the front of a queue checks the signal before it begins — and running actions get
// `graceMs` to finish; whatever still runs then is reported as abandoned and the walk returns.
import PQueue from 'p-queue';
import pRetry from 'p-retry';
import { errorMessage, isTransient } from '../engine/errors.js';
import type { Action } from '../plan/types.js';
import { withTimeout } from './timeout.js';

export type WalkEvent =
  | { type: 'start'; action: Action }
  | { type: 'retry'; action: Action; attempt: number; error: string }
  | { type: 'done'; action: Action; ms: number }
  | { type: 'failed'; action: Action; error: string; ms: number }
  | { type: 'skipped'; action: Action; because: string };

export interface WalkOptions {
  parallelism: number;
  perMachine: number;
  /** Retries of transient failures (exponential backoff with jitter). */
  retries: number;
  minRetryDelayMs: number;
  /** Upper bound for one action including its retries. */
  actionTimeoutMs: number;
  signal?: AbortSignal;
  /** After the signal: how long running actions may take to finish before the walk returns without them. */
  graceMs?: number;
  onEvent?: (e: WalkEvent) => void;
  /** Called once when the signal arrives, with the actions that are still running. */
  onStopping?: (running: Action[]) => void;
}

export interface WalkResult {
  done: string[];
  failed: { id: string; error: string }[];
  skipped: { id: string; because: string }[];
  /** Never started because of cancellation. */
  notStarted: string[];
  /** Still running when the grace period after the signal ran out: their outcome is unknown. */
  abandoned: string[];
  ms: number;
}

/** Every action ran and succeeded: nothing failed, was skipped, was not started or was abandoned. */
export function walkedAll(w: WalkResult): boolean {
  return !w.failed.length && !w.skipped.length && !w.notStarted.length && !w.abandoned.length;
}

export const DEFAULT_WALK: Omit<WalkOptions, 'signal' | 'graceMs' | 'onEvent' | 'onStopping'> = {
  parallelism: 10,
  perMachine: 4,
  retries: 4,
  minRetryDelayMs: 200,
  actionTimeoutMs: 300_000,
};

export async function walk(actions: Action[], run: (a: Action) => Promise<void>, options: WalkOptions): Promise<WalkResult> {
  const t0 = performance.now();
  const byId = new Map(actions.map((a) => [a.id, a]));
  // The walk ends when every id has settled: a repeated id would never let it end.
  if (byId.size !== actions.length) throw new Error(`the plan repeats an action id (${actions.find((a, i) => actions.findIndex((b) => b.id === a.id) !== i)?.id}): nothing was run`);
  const waitingFor = new Map(actions.map((a) => [a.id, a.after.filter((d) => byId.has(d)).length]));
  const dependents = new Map<string, string[]>();
  for (const a of actions) {
    for (const d of a.after) {
      if (!byId.has(d)) continue;
      const list = dependents.get(d);
      if (list) list.push(a.id); // in place: copying the list per dependent was quadratic (one image step, 100,000 replicas)
      else dependents.set(d, [a.id]);
    }
  }

  const global = new PQueue({ concurrency: Math.max(1, options.parallelism) });
  const perMachine = new Map<string, PQueue>();
  const result: WalkResult = { done: [], failed: [], skipped: [], notStarted: [], abandoned: [], ms: 0 };
  const settled = new Set<string>();
  const running = new Map<string, Action>();
  /** Set once the walk has returned: late outcomes of abandoned actions are not reported. */
  let over = false;
  const onEvent = options.onEvent ?? (() => {});
  const emit = (e: WalkEvent) => over || onEvent(e);
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const settle = (id: string) => {
    settled.add(id);
    running.delete(id);
    if (settled.size === actions.length) finish();
  };
  const notStarted = (action: Action) => {
    result.notStarted.push(action.id);
    settle(action.id);
  };

  const skipDependents = (root: string) => {
    const stack = [...(dependents.get(root) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (settled.has(id)) continue;
      const action = byId.get(id)!;
      result.skipped.push({ id, because: root });
      emit({ type: 'skipped', action, because: root });
      settle(id);
      for (const next of dependents.get(id) ?? []) stack.push(next); // one by one: an image step can have 100,000 dependents
    }
  };

  const attempt = async (action: Action) => {
    // The signal is checked again here, at the front of the queue: it may have come while this waited.
    if (settled.has(action.id)) return;
    if (options.signal?.aborted) return notStarted(action);
    const started = performance.now();
    running.set(action.id, action);
    emit({ type: 'start', action });
    try {
      await pRetry(() => withTimeout(run(action), options.actionTimeoutMs, `${action.id} did not finish within ${Math.round(options.actionTimeoutMs / 1000)} s (action limit)`), {
        retries: options.retries,
        minTimeout: options.minRetryDelayMs,
        factor: 2,
        randomize: true,
        shouldRetry: ({ error }) => isTransient(error) && !options.signal?.aborted,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0 && isTransient(error)) emit({ type: 'retry', action, attempt: attemptNumber, error: errorMessage(error) });
        },
      });
      if (over) return;
      result.done.push(action.id);
      emit({ type: 'done', action, ms: performance.now() - started });
      settle(action.id);
      for (const next of dependents.get(action.id) ?? []) {
        const left = waitingFor.get(next)! - 1;
        waitingFor.set(next, left);
        if (left === 0) schedule(byId.get(next)!);
      }
    } catch (err) {
      if (over) return;
      const error = errorMessage(err);
      result.failed.push({ id: action.id, error });
      emit({ type: 'failed', action, error, ms: performance.now() - started });
      settle(action.id);
      skipDependents(action.id);
    }
  };

  const schedule = (action: Action) => {
    if (settled.has(action.id)) return;
    if (options.signal?.aborted) return notStarted(action);
    const machine = 'machine' in action ? action.machine : '';
    let lane = perMachine.get(machine);
    if (!lane) perMachine.set(machine, (lane = new PQueue({ concurrency: Math.max(1, options.perMachine) })));
    void lane.add(() => global.add(() => attempt(action)));
  };

  // The signal: drop everything queued or waiting now (not one by one as slots free up), then give
  // what runs `graceMs` to finish.
  let grace: NodeJS.Timeout | undefined;
  const stop = () => {
    global.clear();
    for (const lane of perMachine.values()) lane.clear();
    for (const a of actions) if (!settled.has(a.id) && !running.has(a.id)) notStarted(a);
    options.onStopping?.([...running.values()]);
    if (running.size && options.graceMs !== undefined) grace = setTimeout(finish, options.graceMs);
  };

  if (actions.length === 0) finish();
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });
  for (const a of actions) if (waitingFor.get(a.id) === 0) schedule(a);
  try {
    await finished;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    clearTimeout(grace);
  }
  over = true;
  result.abandoned = [...running.keys()];
  result.ms = performance.now() - t0;
  return result;
}
