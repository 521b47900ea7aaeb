import { readFileSync } from 'node:fs';
import { UserError } from '../../model/diagnostic.js';
import type { Desired } from '../../model/desired.js';
import { checkSavedPlan, isSavedPlan, type SavedPlan } from '../../plan/saved.js';
import type { Plan } from '../../plan/types.js';
import { applySession, type ApplyOutcome } from '../../reconcile/session.js';
import { applyReporter } from '../../ui/apply-report.js';
import { confirm, isInteractive } from '../../ui/terminal.js';
import { openUnlessStopped, type Interrupts } from '../interrupts.js';
import { watchCommand } from './watch.js';
import { computePlan, emptied, loadDesired, openSession, recordProtected, type PlanChoices } from '../pipeline.js';

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
}

export async function applyCommand(planFile: string | undefined, opts: ApplyOptions, interrupts: Interrupts): Promise<number> {
  if (opts.watch) return watchCommand(opts, interrupts);
  const saved = planFile ? readSavedPlan(planFile) : undefined;
  const base = loadDesired(saved ? saved.manifest.file : opts.file);
  const desired = opts.destroy ? emptied(base) : base;
  const verb = opts.destroy ? 'destroy' : 'apply';
  const reporter = await applyReporter({ verb, desired, json: !!opts.json, live: !opts.json && isInteractive(process.stderr) });
  const session = await openUnlessStopped(interrupts, openSession(base, { command: verb, timeoutMs: opts.lockTimeout ?? 0 }));
  if (!session) return 1; // stopped while waiting for the lock or observing: nothing ran (exit 130/143)
  try {
    let plan: Plan;
    if (saved) {
      const staleness = checkSavedPlan(saved, base, session.observation.observed);
      if (staleness.stale) throw UserError.plain(`the saved plan ${planFile} is stale: ${staleness.why}`, 'run `cluster plan -o FILE` again and apply the new file');
      plan = saved.plan;
    } else {
      plan = computePlan(desired, session.observation, opts).plan;
    }
    const outcome = await applySession(session, {
      desired,
      plan,
      reporter,
      signal: interrupts.signal,
      parallelism: opts.parallelism,
      graceMs: opts.gracePeriod,
      observeAfter: !opts.destroy,
      approve: saved || opts.autoApprove ? undefined : () => approve(desired, verb, interrupts.signal),
    });
    if (outcome.kind === 'unchanged' || outcome.kind === 'applied') recordProtected(desired);
    return exitCode(outcome);
  } finally {
    await session.close();
  }
}

/** 0 only when everything planned was done; an interrupted run's 130/143 is interruptible()'s. */
function exitCode(o: ApplyOutcome): number {
  switch (o.kind) {
    case 'refused':
    case 'cancelled':
      return 1;
    case 'unchanged':
      return o.plan.unschedulable.length ? 1 : 0;
    case 'applied': {
      const w = o.walk;
      return w.failed.length || w.skipped.length || w.notStarted.length || w.abandoned.length || o.plan.unschedulable.length ? 1 : 0;
    }
  }
}

/** Terraform's confirmation at a terminal; elsewhere --auto-approve is required. */
async function approve(desired: Desired, verb: 'apply' | 'destroy', signal: AbortSignal): Promise<boolean> {
  if (!isInteractive()) {
    throw UserError.plain(`${verb} needs --auto-approve when not run at a terminal (CI, pipes)`, 'review the plan with `cluster plan`, then run again with --auto-approve, or save it with `cluster plan -o FILE` and `cluster apply FILE`');
  }
  const question = verb === 'destroy' ? `\nDestroy every machine and container of cluster "${desired.name}"?` : '\nDo you want to perform these actions?';
  return confirm(question, signal);
}

function readSavedPlan(file: string): SavedPlan {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw UserError.plain(`cannot read saved plan ${file}: ${(err as Error).message}`, 'make one with `cluster plan -o FILE`');
  }
  if (!isSavedPlan(data)) throw UserError.plain(`${file} is not a saved plan of this tool (format_version 1.0)`, 'make one with `cluster plan -o FILE`');
  return data;
}
