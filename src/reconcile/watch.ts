// Watch mode: keep the cluster converged while the manifest is edited and while the world drifts.
// chokidar watches the manifest and every file it pulls in; bursts of saves are debounced; an invalid
// edit is reported and the last good desired state stays in force; runs never overlap — a change
// that arrives during a run schedules exactly one more run after it. A periodic re-observe catches
// drift (a container killed, a machine stopped) that no file event announces.
//
// watchCluster() is the watch session on top of the loop: each run opens the cluster (lock held),
// plans, applies through runPlan (same stop contract as apply), reports the state after it, and
// follows the drivers' and engines' event streams so drift is repaired at once.
//
// `--drift report` (Argo CD's auto-sync without self-heal): what the world changed is said, not
// corrected; what the manifest changed is still applied, and only that (src/plan/drift.ts).
import chokidar, { type FSWatcher } from 'chokidar';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Desired } from '../model/desired.js';
import { driftKey, leftUncorrected, withoutDrift } from '../plan/drift.js';
import { hasChanges } from '../plan/summary.js';
import type { Plan } from '../plan/types.js';
import type { Observation } from './observe.js';
import { runWithFollowUp, type OpenCluster, type PlanRun, type ProgressReporter } from './session.js';

/**
 * An editor's save is a burst of events (truncate, write, rename) within a millisecond or two; a
 * script writing several files takes a few more. Waiting longer only delays the convergence.
 */
const EDIT_DEBOUNCE_MS = 30;
/** Engine events of one drift (kill → die → stop → destroy) arrive together: one run for them all. */
const DRIFT_COALESCE_MS = 40;

export type Loaded = { ok: true; desired: Desired; files: string[] } | { ok: false; diagnostics: Diagnostic[]; files: string[] };

/** What started a run: the manifest (the start, an edit) or the world (engine events, the periodic re-observe). */
export type Trigger = 'manifest' | 'drift';

/** `--drift`: correct drift (the default, as before) or only report it. */
export type DriftMode = 'correct' | 'report';

export interface WatchOptions {
  load: () => Loaded;
  converge: (desired: Desired, why: string, trigger: Trigger) => Promise<void>;
  onInvalid: (diagnostics: Diagnostic[]) => void;
  log: (line: string) => void;
  debounceMs: number;
  intervalMs: number;
  signal: AbortSignal;
  /** Receives the function engine events call: drift is re-observed within a moment, not at the next interval. */
  onTrigger?: (trigger: (why: string) => void) => void;
}

export async function watchLoop(o: WatchOptions): Promise<void> {
  let good: Desired | undefined;
  let watcher: FSWatcher | undefined;
  let watched = new Set<string>();
  let running: Promise<void> | undefined;
  let again: { why: string; trigger: Trigger } | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const reload = (): boolean => {
    const r = o.load();
    syncWatched(r.files);
    if (!r.ok) {
      o.onInvalid(r.diagnostics);
      o.log(good ? 'manifest invalid: keeping the last good one in force' : 'manifest invalid: waiting for a valid edit');
      return false;
    }
    good = r.desired;
    return true;
  };

  const syncWatched = (files: string[]) => {
    const next = new Set(files);
    const added = files.filter((f) => !watched.has(f));
    const removed = [...watched].filter((f) => !next.has(f));
    watched = next;
    if (!watcher) {
      // No awaitWriteFinish: it polls until the size holds still, a second wait on top of the debounce.
      // A save caught half-written is read as invalid and the write's next event reads it whole.
      watcher = chokidar.watch([...next], { ignoreInitial: true });
      watcher.on('all', (event, path) => fileChanged(`${path} ${event === 'unlink' ? 'removed' : 'changed'}`));
      return;
    }
    if (added.length) watcher.add(added);
    if (removed.length) watcher.unwatch(removed);
  };

  const run = (why: string, trigger: Trigger) => {
    if (o.signal.aborted || !good) return;
    if (running) {
      // One follow-up run; an edit among what arrived makes it a manifest run (the edit must be applied).
      again = again?.trigger === 'manifest' && trigger === 'drift' ? again : { why, trigger };
      return;
    }
    const desired = good;
    running = o
      .converge(desired, why, trigger)
      .catch((err) => o.log(`converge failed: ${(err as Error).message}`))
      .finally(() => {
        running = undefined;
        if (again !== undefined) {
          const next = again;
          again = undefined;
          run(next.why, next.trigger);
        }
      });
  };

  const fileChanged = (why: string) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => reload() && run(why, 'manifest'), o.debounceMs);
  };

  // An event during a run may be the run's own doing (a removal, a restart) or the world's: a
  // container whose `die` came before the run looked and whose `destroy` came while it looked was
  // still there, being removed. So it earns one more run after this one, which finds nothing to do
  // when the run caused it (a drift run that changes nothing is silent).
  let drift: NodeJS.Timeout | undefined;
  o.onTrigger?.((why) => {
    if (o.signal.aborted) return;
    clearTimeout(drift);
    drift = setTimeout(() => run(why, 'drift'), DRIFT_COALESCE_MS);
  });

  if (reload()) run('start', 'manifest');
  const periodic = setInterval(() => run('periodic re-observe', 'drift'), o.intervalMs);
  if (!o.signal.aborted) await new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true }));
  clearInterval(periodic);
  clearTimeout(debounce);
  clearTimeout(drift);
  await watcher?.close();
  await running;
}

/** One run of the watch loop, for the reporter: `why` is what triggered it. */
export type WatchRun =
  | { kind: 'refused'; why: string; blocked: string[] }
  | { kind: 'unchanged'; why: string; unseen?: NonNullable<Plan['unseen']> }
  /** `--drift report`: what a correction would do, not done; `repeated` when the same drift was already said. */
  | { kind: 'drifted'; why: string; plan: Plan; repeated: boolean }
  | ({ kind: 'applied'; why: string; plan: Plan } & PlanRun);

export interface WatchReporter extends ProgressReporter {
  log(line: string): void;
  invalid(diagnostics: Diagnostic[]): void;
  /** A run that will change something: its plan, before it runs (desired: the manifest it converges to, for machine groups). */
  plan(why: string, plan: Plan, desired: Desired): void;
  /** A run's end, after the lock is released (an applied run carries the state after it). */
  ran(desired: Desired, run: WatchRun): void;
}

export interface WatchSession {
  load: () => Loaded;
  /**
   * Opens the cluster for one run, taking the apply lock (waiting for a concurrent apply rather than
   * fighting it); undefined when the stop came first.
   */
  open: (desired: Desired) => Promise<OpenCluster | undefined>;
  plan: (desired: Desired, observation: Observation) => Plan;
  /** Observe the open cluster again and plan (after a run started machines it could not see into). */
  replan?: (desired: Desired, open: OpenCluster) => Promise<{ observation: Observation; plan: Plan }>;
  reporter: WatchReporter;
  signal: AbortSignal;
  intervalMs: number;
  debounceMs?: number;
  parallelism?: number;
  graceMs?: number;
  /** Default 'correct'. */
  drift?: DriftMode;
}

/** `cluster watch`: converge now, then on every manifest edit and on drift, until the signal. */
export async function watchCluster(w: WatchSession): Promise<void> {
  const { reporter: say } = w;
  let trigger: (why: string) => void = () => undefined;
  const subscriptions = new Map<string, () => void>();
  // Engines and drivers that can stream events tell us about drift at once (a container died, a
  // machine stopped); the set follows the machines that exist after each run.
  const follow = (cluster: string, open: OpenCluster) => {
    const wanted = new Map<string, () => () => void>();
    for (const [name, d] of open.drivers) if (d.subscribe) wanted.set(`driver:${name}`, () => d.subscribe!((what) => trigger(`drift: ${what}`)));
    for (const record of open.observation.records.values()) {
      const engine = record.state === 'running' ? open.drivers.get(record.driver)?.engine(record) : undefined;
      if (engine?.subscribe) wanted.set(`engine:${engine.url}`, () => engine.subscribe!(cluster, (what) => trigger(`drift: ${what}`)));
    }
    for (const [key, stop] of subscriptions) if (!wanted.has(key)) (stop(), subscriptions.delete(key));
    for (const [key, start] of wanted) if (!subscriptions.has(key)) subscriptions.set(key, start());
  };

  // --drift report: the manifest this session last converged to in full (drift is measured against
  // it; until an edit has run without failures its changes are still the manifest's, retried as
  // correct mode retries), and the drift last said (said again only when it changes).
  let converged: Desired | undefined;
  let saidDrift = '';
  // The follow-up plan of a run (after it started machines) leaves drift alone too.
  const replan = async (desired: Desired, open: OpenCluster, base: Desired | undefined) => {
    const next = await w.replan!(desired, open);
    return base ? { ...next, plan: withoutDrift(next.plan, w.plan(base, next.observation)) } : next;
  };
  const converge = async (desired: Desired, why: string, trigger: Trigger) => {
    const open = await w.open(desired);
    if (!open) return;
    let run: WatchRun;
    let drifted: WatchRun | undefined;
    const reporting = w.drift === 'report' && converged !== undefined;
    const onlyDrift = reporting && trigger === 'drift' && desired === converged;
    try {
      let plan = w.plan(desired, open.observation);
      if (reporting) {
        // A drift run plans against the converged manifest: all it finds is drift. An edit's run applies
        // what the edit changes (and what that needs), and leaves the rest of the drift as it is.
        const drift = onlyDrift ? plan : w.plan(converged!, open.observation);
        if (!onlyDrift) plan = withoutDrift(plan, drift);
        const left = onlyDrift ? drift : leftUncorrected(drift, plan);
        const key = driftKey(left);
        if (key && (trigger === 'drift' || key !== saidDrift)) drifted = { kind: 'drifted', why, plan: left, repeated: key === saidDrift };
        saidDrift = key;
      }
      if (plan.blocked.length) run = { kind: 'refused', why, blocked: plan.blocked };
      else if (onlyDrift) run = { kind: 'unchanged', why, ...(plan.unseen ? { unseen: plan.unseen } : {}) };
      else if (!hasChanges(plan)) run = { kind: 'unchanged', why, ...(plan.unseen ? { unseen: plan.unseen } : {}) };
      else {
        say.plan(why, plan, desired);
        const r = await runWithFollowUp(open, desired, plan, {
          signal: w.signal,
          reporter: say,
          parallelism: w.parallelism,
          graceMs: w.graceMs,
          observeAfter: true,
          ...(w.replan ? { replan: () => replan(desired, open, reporting ? converged : undefined) } : {}),
          onReplanned: (next, what) => say.plan(what, next, desired),
        });
        run = { kind: 'applied', why, ...r };
      }
      if (!w.signal.aborted) follow(desired.name, open);
      if (run.kind === 'unchanged' || (run.kind === 'applied' && !run.stopped && !run.walk.failed.length)) converged = desired;
    } finally {
      await open.close();
    }
    // Only now: the state is saved and the lock released, so whoever reads the report sees the result.
    if (drifted) say.ran(desired, drifted);
    say.ran(desired, run);
  };

  try {
    await watchLoop({
      load: w.load,
      onInvalid: (ds) => say.invalid(ds),
      log: (line) => say.log(line),
      debounceMs: w.debounceMs ?? EDIT_DEBOUNCE_MS,
      intervalMs: w.intervalMs,
      signal: w.signal,
      onTrigger: (t) => (trigger = t),
      converge,
    });
  } finally {
    for (const stop of subscriptions.values()) stop();
  }
}
