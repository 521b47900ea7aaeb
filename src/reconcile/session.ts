// The apply session: one plan run against a cluster that is open (its lock held, observed), from the
// plan shown to the state after the apply. It owns the stop contract, not the process signals: the
// caller gives it an AbortSignal (in the CLI, src/cli/interrupts.ts is the one place that listens to
// SIGINT/SIGTERM) and a reporter (src/ui/apply-report.ts: plain lines, JSON events, the ink view).
//
// Stop contract: when the signal aborts, nothing new starts (queued actions are dropped), running
// actions get `graceMs` to finish, and the outcome says what was done, what was not, and what was
// still running when the grace period ran out. Releasing the lock stays with whoever opened the
// cluster (its close()), on every path.
import type { Desired } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Drivers } from '../providers/index.js';
import { hasChanges } from '../plan/summary.js';
import type { Action, Plan } from '../plan/types.js';
import { ActionRunner } from './actions.js';
import { observe, type Observation } from './observe.js';
import { trace } from './trace.js';
import { DEFAULT_WALK, walk, walkedAll, type WalkEvent, type WalkResult } from './walk.js';

/** How long running actions may take to finish after a stop, unless the caller says otherwise. */
export const DEFAULT_GRACE_MS = 60_000;

/** A cluster opened for one run: its drivers, what was observed, and close() (drivers, then the lock). */
export interface OpenCluster {
  desired: Desired;
  drivers: Drivers;
  /** What was observed when it was opened; replaced when an apply observes again under the same lock. */
  observation: Observation;
  close(): Promise<void>;
}

/** What one walk of a plan did. */
export interface PlanRun {
  walk: WalkResult;
  /** The run started machines it could not see into, and observed and planned again after (runWithFollowUp). */
  followedUp?: boolean;
  /** Why the run stopped early (the AbortSignal's reason, e.g. "SIGINT"); undefined when it was not stopped. */
  stopped?: string;
  /** The cluster after the run, observed with the run's own drivers before the lock is released. */
  after?: Observed;
}

export type ApplyOutcome =
  | { kind: 'refused'; plan: Plan } // a change the manifest forbids (protect): nothing ran
  | { kind: 'unchanged'; plan: Plan }
  | { kind: 'cancelled'; plan: Plan; why: 'declined' | 'stopped' }
  | ({ kind: 'applied'; plan: Plan } & PlanRun);

/** Progress of one walk: a live view begins and ends with it. */
export interface ProgressReporter {
  begin(plan: Plan): void;
  event(e: WalkEvent): void;
  /** The stop arrived: nothing new starts; these actions run on for at most `graceMs`. */
  stopping(running: Action[], graceMs: number): void;
  /** The walk is over: `result` is what it did (absent when it threw); a live view draws its last frame from it. */
  end(result?: WalkResult): void;
}

export interface ApplyReporter extends ProgressReporter {
  /** The plan, before anything is asked or runs. */
  plan(plan: Plan): void;
  /** The plan made after the first one started machines that could not be seen: it runs next, without asking again. */
  replanned(plan: Plan, why: string): void;
  /** What was done and what was not; after a run that was not stopped, the state after it. */
  finished(outcome: ApplyOutcome): void;
}

export interface RunOptions {
  signal: AbortSignal;
  reporter: ProgressReporter;
  parallelism?: number;
  graceMs?: number;
  /** Observe the cluster after the run (skipped when it was stopped: the user wants out). */
  observeAfter?: boolean;
}

/** Walks the plan, then (unless stopped) observes the result with the same drivers. */
export async function runPlan(cluster: OpenCluster, desired: Desired, plan: Plan, o: RunOptions): Promise<PlanRun> {
  const runner = new ActionRunner(desired, cluster.observation.observed, cluster.drivers, cluster.observation.records, o.signal);
  const graceMs = o.graceMs ?? DEFAULT_GRACE_MS;
  o.reporter.begin(plan);
  let result: WalkResult | undefined;
  try {
    result = await walk(plan.actions, runner.run, {
      ...DEFAULT_WALK,
      parallelism: o.parallelism ?? DEFAULT_WALK.parallelism,
      signal: o.signal,
      graceMs,
      onEvent: (e) => o.reporter.event(e),
      onStopping: (running) => o.reporter.stopping(running, graceMs),
    });
  } finally {
    trace('walked');
    o.reporter.end(result);
  }
  const run: PlanRun = { walk: result };
  if (o.signal.aborted) run.stopped = stopReason(o.signal);
  // Same drivers, same lock: this sees exactly what the run left (a sim driver's unsaved state
  // included), and no other apply can have changed it in between.
  else if (o.observeAfter) run.after = (await observe(desired.name, cluster.drivers, { identity: cluster.observation.observed.identity })).observed;
  if (run.after) trace('observed after');
  return run;
}

export interface ApplyRequest extends Omit<RunOptions, 'reporter' | 'observeAfter'> {
  desired: Desired;
  plan: Plan;
  reporter: ApplyReporter;
  /** Asked only when the plan changes something; false cancels. Absent: approved. */
  approve?: (plan: Plan) => Promise<boolean>;
  /** Show the state after the apply (not after destroy: nothing is left to show). */
  observeAfter: boolean;
  /**
   * Observe again and plan again, with the lock still held. Given, it runs after a plan that started
   * machines it could not see into (their replicas were kept as unseen): what they hold is seen
   * now, and the rest of the way is planned and run in the same apply, as the first plan said.
   */
  replan?: () => Promise<{ observation: Observation; plan: Plan }>;
}

/** `cluster apply` / `destroy` once the cluster is open: show the plan, ask, run, report. */
export async function applySession(cluster: OpenCluster, r: ApplyRequest): Promise<ApplyOutcome> {
  r.reporter.plan(r.plan);
  const outcome = await decideAndRun(cluster, r);
  r.reporter.finished(outcome);
  trace('reported');
  return outcome;
}

async function decideAndRun(cluster: OpenCluster, r: ApplyRequest): Promise<ApplyOutcome> {
  const { plan } = r;
  if (plan.blocked.length) return { kind: 'refused', plan };
  if (!hasChanges(plan)) return { kind: 'unchanged', plan };
  if (r.approve && !(await r.approve(plan))) return { kind: 'cancelled', plan, why: r.signal.aborted ? 'stopped' : 'declined' };
  if (r.signal.aborted) return { kind: 'cancelled', plan, why: 'stopped' };
  return { kind: 'applied', ...(await runWithFollowUp(cluster, r.desired, plan, { ...r, onReplanned: (next, why) => r.reporter.replanned(next, why) })) };
}

export interface FollowUpOptions extends RunOptions {
  replan?: () => Promise<{ observation: Observation; plan: Plan }>;
  onReplanned: (plan: Plan, why: string) => void;
}

/**
 * Runs the plan; when it started machines it could not see into (their replicas were kept as
 * unseen) and `replan` is given, observes again under the same lock and runs what they need, as
 * the plan said it would. One run as far as the caller can tell: every action, the final view.
 */
export async function runWithFollowUp(cluster: OpenCluster, desired: Desired, plan: Plan, o: FollowUpOptions): Promise<{ plan: Plan } & PlanRun> {
  const starting = startedUnseen(plan);
  const first = await runPlan(cluster, desired, plan, { ...o, observeAfter: o.observeAfter && !(starting.length && o.replan) });
  if (!starting.length || !o.replan || first.stopped || !walkedAll(first.walk) || o.signal.aborted) return { plan, ...first };
  const { observation, plan: next } = await o.replan();
  cluster.observation = observation;
  if (next.blocked.length || !hasChanges(next)) return { plan, ...first, followedUp: true, ...(o.observeAfter ? { after: observation.observed } : {}) };
  o.onReplanned(next, `${starting.join(', ')} ${starting.length === 1 ? 'is' : 'are'} up: planned what ${starting.length === 1 ? 'it holds' : 'they hold'}`);
  const second = await runPlan(cluster, desired, next, o);
  return { plan: joined(plan, next), ...second, followedUp: true, walk: joinedWalks(first.walk, second.walk) };
}

/** Machines the plan starts whose contents could not be seen: the run plans again once they are up. */
function startedUnseen(plan: Plan): string[] {
  return (plan.unseen?.machines ?? []).filter((m) => m.starts).map((m) => m.machine);
}

/** One apply that ran two plans reports as one: every action, the second plan's view of the result. */
function joined(first: Plan, second: Plan): Plan {
  return { ...second, actions: [...first.actions, ...second.actions], warnings: [...new Set([...first.warnings, ...second.warnings])] };
}

function joinedWalks(a: WalkResult, b: WalkResult): WalkResult {
  return {
    ...b,
    done: [...a.done, ...b.done],
    failed: [...a.failed, ...b.failed],
    skipped: [...a.skipped, ...b.skipped],
    notStarted: [...a.notStarted, ...b.notStarted],
    abandoned: [...a.abandoned, ...b.abandoned],
    ms: a.ms + b.ms,
  };
}

function stopReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string') return reason;
  return reason instanceof Error && reason.name !== 'AbortError' ? reason.message : 'stop requested';
}
