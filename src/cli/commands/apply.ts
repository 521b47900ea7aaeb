import { UserError } from '../../model/diagnostic.js';
import type { Desired } from '../../model/desired.js';
import type { Plan } from '../../plan/types.js';
import { applySession, type ApplyOutcome } from '../../reconcile/session.js';
import { applyReporter } from '../../ui/apply-report.js';
import { confirm, isInteractive } from '../../ui/terminal.js';
import { openUnlessStopped, type Interrupts } from '../interrupts.js';
import { watchCommand } from './watch.js';
import { openSavedPlan, savedAdoption, sealedPlanNow } from '../saved-plan.js';
import type { Observed } from '../../model/observed.js';
import { adoptIdentity } from '../../reconcile/identity-file.js';
import { stateDir } from '../../providers/index.js';
import { recordProtected } from '../../reconcile/protection.js';
import { computePlan, destroyDesired, loadDesired, observeAndPlan, openSession, type PlanChoices } from '../pipeline.js';
import { walkedAll } from '../../reconcile/walk.js';
import { trace } from '../../reconcile/trace.js';

export interface ApplyOptions extends PlanChoices {
  file: string;
  autoApprove?: boolean;
  parallelism?: number;
  json?: boolean;
  destroy?: boolean;
  watch?: boolean;
  interval?: number;
  /** How long to wait for another apply's lock (ms); 0 = fail at once. */
  lockTimeout?: number;
  /** After Ctrl-C/SIGTERM: how long running actions may take to finish (ms). */
  gracePeriod?: number;
  /** Take over another checkout's objects (true: the only one seen; a string: that id or prefix). */
  adopt?: string | true;
  /** Watch mode: correct drift (default) or only report it. */
  drift?: 'correct' | 'report';
  /** destroy --purge: ssh machines also lose the engine this tool installed. */
  purge?: boolean;
}

export async function applyCommand(planFile: string | undefined, opts: ApplyOptions, interrupts: Interrupts): Promise<number> {
  if (opts.watch && planFile) throw UserError.plain(`apply --watch cannot follow a saved plan (${planFile}): watch re-plans on every change`, 'run `cluster apply FILE` once, or `cluster apply --watch` without a plan file');
  // Adopting records this folder's identity once, after an approved run: not a watch loop's business.
  if (opts.watch && opts.adopt !== undefined) throw UserError.plain('apply --watch does not adopt: --adopt takes another checkout over once', 'run `cluster apply --adopt` once, then `cluster watch`');
  if (opts.watch) return watchCommand(opts, interrupts);
  trace('apply command');
  if (opts.drift === 'report') throw UserError.plain('--drift report is a watch mode: apply without --watch corrects what it plans', 'add --watch, or run `cluster plan` to see the drift without correcting it');
  // A saved plan is refused before the lock when malformed, cyclic or edited, and under it when stale or
  // not what a fresh plan gives: what runs is the plan made now, proven identical to the saved one.
  const saved = planFile ? await openSavedPlan(planFile, opts) : undefined;
  const base = saved ? saved.desired : loadDesired(opts.file);
  // `plan --destroy -o FILE` then `apply FILE` destroys, as `cluster destroy` would have.
  const destroying = opts.destroy || !!saved?.saved.choices.destroy;
  const desired = destroying ? destroyDesired(base, saved ? saved.saved.choices.target : opts.target) : base;
  const verb = destroying ? 'destroy' : 'apply';
  // Before the lock and before any engine is asked: a run that could never be approved takes nothing.
  if (!saved && !opts.autoApprove && !isInteractive()) throw notApprovable(verb);
  const reporter = await applyReporter({ verb, desired, json: !!opts.json, live: !opts.json && isInteractive(process.stderr) });
  const adopt = saved ? savedAdoption(saved) : opts.adopt;
  const session = await openUnlessStopped(interrupts, openSession(base, { command: verb, timeoutMs: opts.lockTimeout ?? 0, signal: interrupts.signal }, { adopt, ...(opts.purge ? { purge: true } : {}) }));
  if (!session) return 1; // stopped while waiting for the lock or observing: nothing ran (exit 130/143)
  try {
    const plan: Plan = saved ? sealedPlanNow(saved, session.observation, session.identity.created) : computePlan(desired, session.observation, opts).plan;
    const adoption = adoptionOf(base, session.observation.observed);
    const ask = saved || opts.autoApprove ? undefined : () => approve(desired, verb, interrupts.signal, opts.target);
    const outcome = await applySession(session, {
      desired,
      plan,
      reporter,
      signal: interrupts.signal,
      parallelism: opts.parallelism,
      graceMs: opts.gracePeriod,
      observeAfter: !destroying,
      // A saved plan is exactly what runs: what a started machine holds is for the next plan.
      replan: saved ? undefined : () => observeAndPlan(base, desired, session.drivers, session.observation.observed, opts),
      // An adopted identity is recorded once the run is approved, before anything is made with it.
      approve: async () => {
        const ok = ask ? await ask() : true;
        if (ok) adoption?.();
        return ok;
      },
    });
    if (outcome.kind === 'unchanged') adoption?.();
    if (outcome.kind === 'unchanged' || outcome.kind === 'applied') recordProtected(desired);
    return applyExitCode(outcome);
  } finally {
    await session.close();
    trace('closed');
  }
}

/**
 * `--adopt`: writes the chosen id as this folder's identity (once). Kill -9 before it: nothing was made
 * with it yet, and the next run adopts again; after it: the folder is that checkout, as asked.
 */
function adoptionOf(desired: Desired, observed: Observed): (() => void) | undefined {
  if (!observed.adopted || observed.identity === undefined) return undefined;
  const id = observed.identity;
  let done = false;
  return () => {
    if (done) return;
    adoptIdentity(stateDir(desired), desired.name, id);
    done = true;
  };
}

/** 0 only when everything planned was done; an interrupted run's 130/143 is interruptible()'s. */
export function applyExitCode(o: ApplyOutcome): number {
  switch (o.kind) {
    case 'refused':
    case 'cancelled':
      return 1;
    case 'unchanged':
      return o.plan.unschedulable.length ? 1 : 0;
    case 'applied':
      return walkedAll(o.walk) && !o.plan.unschedulable.length ? 0 : 1;
  }
}

/** Terraform's confirmation at a terminal; elsewhere --auto-approve is required. */
async function approve(desired: Desired, verb: 'apply' | 'destroy', signal: AbortSignal, targets: string[] = []): Promise<boolean> {
  if (!isInteractive()) throw notApprovable(verb);
  const what = targets.length ? `what ${targets.join(', ')} name${targets.length === 1 ? 's' : ''} in` : 'every machine and container of';
  const question = verb === 'destroy' ? `\nDestroy ${what} cluster "${desired.name}"?` : '\nDo you want to perform these actions?';
  return confirm(question, signal);
}

function notApprovable(verb: 'apply' | 'destroy'): UserError {
  const plan = verb === 'destroy' ? 'cluster plan --destroy' : 'cluster plan';
  return UserError.plain(`${verb} needs --auto-approve when not run at a terminal (CI, pipes)`, `review the plan with \`${plan}\`, then run again with --auto-approve, or save it with \`${plan} -o FILE\` and run \`cluster apply FILE\``);
}
