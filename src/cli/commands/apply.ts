import { readUserText, UserFileError } from '../../manifest/user-file.js';
import { UserError } from '../../model/diagnostic.js';
import type { Desired } from '../../model/desired.js';
import { renderPlanText } from '../../plan/render-text.js';
import { checkSavedPlan, isSavedPlan, type SavedPlan } from '../../plan/saved.js';
import { hasChanges, summaryLine } from '../../plan/summary.js';
import type { Plan } from '../../plan/types.js';
import { ActionRunner } from '../../reconcile/actions.js';
import { DEFAULT_WALK, walk, type WalkEvent, type WalkResult } from '../../reconcile/walk.js';
import { jsonEvents } from '../../ui/json-events.js';
import { formatMs, plainProgress } from '../../ui/progress-plain.js';
import { renderStatusText, statusReport } from '../../ui/status.js';
import { confirm, isInteractive } from '../../ui/terminal.js';
import { watchCommand } from './watch.js';
import { recordProtected } from '../../reconcile/protection.js';
import { computePlan, emptied, loadDesired, openSession, type PlanChoices, type Session } from '../pipeline.js';

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
  /** Stops a run early (watch mode's Ctrl-C). */
  signal?: AbortSignal;
}

export async function applyCommand(planFile: string | undefined, opts: ApplyOptions): Promise<number> {
  if (opts.watch) return watchCommand(opts);
  const saved = planFile ? readSavedPlan(planFile) : undefined;
  const base = loadDesired(saved ? saved.manifest.file : opts.file);
  const desired = opts.destroy ? emptied(base) : base;
  const session = await openSession(base, { command: opts.destroy ? 'destroy' : 'apply', timeoutMs: opts.lockTimeout ?? 0 });
  try {
    let plan: Plan;
    if (saved) {
      const staleness = checkSavedPlan(saved, base, session.observation.observed);
      if (staleness.stale) throw UserError.plain(`the saved plan ${planFile} is stale: ${staleness.why}`, 'run `cluster plan -o FILE` again and apply the new file');
      plan = saved.plan;
    } else {
      plan = computePlan(desired, session.observation, opts).plan;
    }
    if (opts.json) process.stdout.write(JSON.stringify({ type: 'plan', plan }) + '\n');
    else process.stdout.write(renderPlanText(plan));
    if (plan.blocked?.length) {
      process.stderr.write(`${opts.destroy ? 'Destroy' : 'Apply'} refused: nothing was changed.\n`);
      return 1;
    }
    if (!hasChanges(plan)) {
      recordProtected(desired);
      return plan.unschedulable.length ? 1 : 0;
    }

    if (!saved && !opts.autoApprove) {
      if (!isInteractive()) {
        throw UserError.plain(`${opts.destroy ? 'destroy' : 'apply'} needs --auto-approve when not run at a terminal (CI, pipes)`, 'review the plan with `cluster plan`, then run again with --auto-approve, or save it with `cluster plan -o FILE` and `cluster apply FILE`');
      }
      const question = opts.destroy ? `\nDestroy every machine and container of cluster "${desired.name}"?` : '\nDo you want to perform these actions?';
      if (!(await confirm(question))) {
        process.stderr.write('Apply cancelled.\n');
        return 1;
      }
    }
    // Ctrl-C / SIGTERM: start nothing new, let running actions finish, release the lock, exit 130.
    const abort = new AbortController();
    const stop = () => {
      if (abort.signal.aborted) process.exit(130);
      process.stderr.write('\nstopping: letting running actions finish (Ctrl-C again to quit now)\n');
      abort.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    let result: WalkResult;
    try {
      result = await execute(desired, plan, session, { ...opts, signal: opts.signal ?? abort.signal });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    recordProtected(desired);
    if (abort.signal.aborted) {
      process.stderr.write(`stopped: ${result.done.length} actions done, ${result.notStarted.length} not started; run apply again to finish\n`);
      return 130;
    }
    if (!opts.json) await printAfter(desired, session, plan, result, opts);
    return result.failed.length || result.skipped.length || result.notStarted.length || plan.unschedulable.length ? 1 : 0;
  } finally {
    await session.close();
  }
}

export async function execute(desired: Desired, plan: Plan, session: Session, opts: ApplyOptions): Promise<WalkResult> {
  const runner = new ActionRunner(desired, session.observation.observed, session.drivers, session.observation.records);
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nInterrupted: starting nothing new, letting running actions finish (Ctrl-C again to quit now).\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  // One event stream, one renderer: JSON lines, live ink view on a terminal, or plain lines.
  const live = !opts.json && isInteractive(process.stderr) ? (await import('../../ui/progress-ink.js')).inkProgress(plan.actions.length) : undefined;
  const onEvent: (e: WalkEvent) => void = opts.json ? jsonEvents() : (live?.onEvent ?? plainProgress());
  try {
    return await walk(plan.actions, runner.run, { ...DEFAULT_WALK, parallelism: opts.parallelism ?? DEFAULT_WALK.parallelism, signal: abort.signal, onEvent });
  } finally {
    live?.stop();
    process.off('SIGINT', onSigint);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

async function printAfter(desired: Desired, session: Session, plan: Plan, r: WalkResult, opts: ApplyOptions): Promise<void> {
  const err = (s: string) => process.stderr.write(s + '\n');
  const verb = opts.destroy ? 'Destroy' : 'Apply';
  if (r.failed.length === 0 && r.notStarted.length === 0) {
    err(`\n${verb} complete: ${r.done.length} action${r.done.length === 1 ? '' : 's'} in ${formatMs(r.ms)}. ${summaryLine(plan).replace(/^Plan: /, '')}`);
  } else {
    err(`\n${verb} incomplete: ${r.done.length} done, ${r.failed.length} failed, ${r.skipped.length} skipped because of a failure, ${r.notStarted.length} not started (${formatMs(r.ms)}).`);
    for (const f of r.failed) err(`  ${f.id}: ${f.error}`);
    err('What finished stays; run `cluster apply` again to finish the rest.');
  }
  if (plan.unschedulable.length) err(`${plan.unschedulable.reduce((n, u) => n + u.replicas.length, 0)} replica(s) could not be placed; see the plan above.`);
  if (!opts.destroy) {
    const after = await openSession(session.desired);
    try {
      process.stdout.write('\n' + renderStatusText(statusReport(desired, after.observation.observed)));
    } finally {
      await after.close();
    }
  }
}

function readSavedPlan(file: string): SavedPlan {
  let data: unknown;
  try {
    // A plan of a million replicas is tens of MB: the limit only has to stop a device or a runaway file.
    data = JSON.parse(readUserText(file, { what: 'the saved plan', maxBytes: 512 * 1024 * 1024 }));
  } catch (err) {
    const message = err instanceof UserFileError ? err.message : `cannot read the saved plan ${file}: it is not JSON (${(err as Error).message})`;
    throw UserError.plain(message, 'make one with `cluster plan -o FILE`');
  }
  if (!isSavedPlan(data)) throw UserError.plain(`${file} is not a saved plan of this tool (format_version 1.0)`, 'make one with `cluster plan -o FILE`');
  return data;
}
