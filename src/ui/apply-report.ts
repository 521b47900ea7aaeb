// The apply session's reporters: how a run looks to a person (plain lines, or the ink live view on a
// terminal) and to a pipeline (`--json`, one event per line on stdout). Progress and summaries go to
// stderr in the human forms, so stdout carries only the plan and the status.
import type { Desired } from '../model/desired.js';
import { describeAction } from '../plan/render-text.js';
import { renderPlan } from '../plan/render-compact.js';
import { machineGroups } from './machine-groups.js';
import { countEffects, summaryLine } from '../plan/summary.js';
import type { Action, Plan } from '../plan/types.js';
import type { ApplyOutcome, ApplyReporter, ProgressReporter } from '../reconcile/session.js';
import type { WalkEvent, WalkResult } from '../reconcile/walk.js';
import { planForStdout } from './colour.js';
import { jsonEvents } from './json-events.js';
import { formatMs, plainProgress } from './progress-plain.js';
import { statusReport } from './status.js';
import { renderStatusAfterApply } from './status-summary.js';
import { importEsmPackages } from './esm-packages.js';

export interface ReportChoices {
  json: boolean;
  /** Draw the ink live view (a person at a terminal). */
  live: boolean;
}

type Write = (line: string) => void;
const out: Write = (l) => process.stdout.write(l + '\n');
const err: Write = (l) => process.stderr.write(l + '\n');
const time = () => new Date().toISOString();

/** Walk progress in the chosen form; the ink module loads only when it draws. */
export async function progressReporter(c: ReportChoices): Promise<ProgressReporter> {
  const ink = c.live && !c.json ? (await importEsmPackages(), await import('./progress-ink.js')) : undefined;
  let sink: (e: WalkEvent) => void = () => undefined;
  let live: { stop: (result?: WalkResult) => void } | undefined;
  return {
    begin: (plan) => {
      if (ink) {
        const view = ink.inkProgress(plan.actions.length);
        sink = view.onEvent;
        live = view;
      } else sink = c.json ? jsonEvents(out) : plainProgress(plan.actions.length, err);
    },
    event: (e) => sink(e),
    stopping: (running, graceMs) => {
      if (c.json) out(JSON.stringify({ type: 'stopping', running: running.map((a) => a.id), grace_ms: graceMs, time: time() }));
      else err(stoppingLine(running, graceMs));
    },
    end: (result) => {
      live?.stop(result);
      live = undefined;
    },
  };
}

/** `apply` and `destroy`: the plan first, progress, then what was done and the state after. */
export async function applyReporter(c: ReportChoices & { verb: 'apply' | 'destroy'; desired: Desired }): Promise<ApplyReporter> {
  const progress = await progressReporter(c);
  const Verb = c.verb === 'destroy' ? 'Destroy' : 'Apply';
  // Above a few hundred actions the plan shown before an apply is compact, as `cluster plan` prints it.
  const planText = (plan: Plan) => planTextOf(plan, c.desired);
  return {
    ...progress,
    plan: (plan) => (c.json ? out(planEvent(plan)) : process.stdout.write(planText(plan))),
    replanned: (plan, why) => {
      if (c.json) return out(planEvent(plan, { follow_up: true, why }));
      err(`\n${why}; the rest runs now:`);
      process.stdout.write(planText(plan));
    },
    finished: (o) => {
      if (c.json) return reportJson(o, c.desired);
      for (const line of summaryLines(Verb, o)) err(line);
      // Compact above a few dozen rows (per machine group and service), with the hint to `cluster status`.
      if (o.kind === 'applied' && o.after) process.stdout.write('\n' + renderStatusAfterApply(statusReport(c.desired, o.after), machineGroups(c.desired)));
    },
  };
}

export function stoppingLine(running: Action[], graceMs: number): string {
  const at = new Date().toISOString().slice(11, 23);
  if (running.length === 0) return `${at} stopping: nothing new starts; nothing is running`;
  return `${at} stopping: nothing new starts; ${plural(running.length, 'running action')} may take up to ${formatMs(graceMs)} to finish: ${listed(running.map(describeAction))}`;
}

/** The human summary of an apply or destroy, line by line (stderr). */
export function summaryLines(Verb: string, o: ApplyOutcome): string[] {
  switch (o.kind) {
    case 'refused':
      return [`${Verb} refused: nothing was changed.`];
    case 'unchanged':
      return [];
    case 'cancelled':
      return [o.why === 'stopped' ? `${Verb} stopped before anything ran: nothing was changed.` : `${Verb} cancelled.`];
    case 'applied':
      return [...walkSummary(Verb, o.plan, o.walk, o.stopped), ...unplaced(o.plan), ...notFollowed(o)];
  }
}

function walkSummary(Verb: string, plan: Plan, r: WalkResult, stopped: string | undefined): string[] {
  const took = formatMs(r.ms);
  if (!stopped && r.failed.length === 0 && r.notStarted.length === 0 && r.skipped.length === 0) {
    return [`\n${Verb} complete: ${plural(r.done.length, 'action')} in ${took}. ${summaryLine(plan).replace(/^Plan: /, '')}`];
  }
  const counts = [`${r.done.length} done`, `${r.failed.length} failed`, `${r.skipped.length} skipped because of a failure`, `${r.notStarted.length} not started`];
  if (r.abandoned.length) counts.push(`${r.abandoned.length} still running when the grace period ended`);
  const lines = [stopped ? `\n${Verb} stopped (${stopped}): ${counts.join(', ')} (${took}).` : `\n${Verb} incomplete: ${counts.join(', ')} (${took}).`];
  for (const f of r.failed) lines.push(`  ${f.id}: ${f.error}`);
  if (stopped) {
    if (r.done.length) lines.push(`  done: ${listed(r.done)}`);
    if (r.notStarted.length) lines.push(`  not started: ${listed(r.notStarted)}`);
    if (r.abandoned.length) lines.push(`  still running (outcome unknown): ${listed(r.abandoned)}`);
  } else if (r.notStarted.length) lines.push(`  not started: ${listed(r.notStarted)}`);
  lines.push(`What finished stays; run \`cluster ${Verb.toLowerCase()}\` again to finish the rest.`);
  return lines;
}

/** A saved plan runs exactly what it says: what the machines it started hold is for the next plan. */
function notFollowed(o: ApplyOutcome & { kind: 'applied' }): string[] {
  const started = (o.plan.unseen?.machines ?? []).filter((m) => m.starts).map((m) => m.machine);
  if (!started.length || o.followedUp || o.stopped || o.walk.failed.length) return [];
  return [`Started ${started.join(', ')}; what ${started.length === 1 ? 'it holds' : 'they hold'} was not planned by this saved plan: run \`cluster plan\` again.`];
}

function unplaced(plan: Plan): string[] {
  if (!plan.unschedulable.length) return [];
  return [`${plan.unschedulable.reduce((n, u) => n + u.replicas.length, 0)} replica(s) could not be placed; see the plan above.`];
}

/** A plan as `cluster plan` prints it by default: every action, or one line per service and machine group above COMPACT_ABOVE. */
export function planTextOf(plan: Plan, desired: Desired): string {
  return planForStdout(renderPlan(plan, 'auto', machineGroups(desired)));
}

/** The plan as `plan --json` prints it: with its `summary` counts. */
export function planWithSummary(plan: Plan): Plan & { summary: ReturnType<typeof countEffects> } {
  return { ...plan, summary: countEffects(plan.actions) };
}

/** The `plan` event of `apply --json` / `watch --json`. */
export function planEvent(plan: Plan, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'plan', ...extra, plan: planWithSummary(plan) });
}

/** `--json`: a closing `summary` event (every id), then for a finished apply the `status` after it (watch: `why` names the run). */
export function reportJson(o: ApplyOutcome, desired: Desired, extra: Record<string, unknown> = {}): void {
  const result = o.kind === 'applied' ? (o.stopped ? 'stopped' : o.walk.failed.length || o.walk.skipped.length ? 'incomplete' : 'complete') : o.kind;
  const summary: Record<string, unknown> = { type: 'summary', ...extra, result, time: time() };
  if (o.kind === 'cancelled') summary.why = o.why;
  if (o.kind === 'applied') {
    const w = o.walk;
    Object.assign(summary, { stopped_by: o.stopped ?? null, done: w.done, failed: w.failed, skipped: w.skipped, not_started: w.notStarted, still_running: w.abandoned, ms: Math.round(w.ms) });
  }
  out(JSON.stringify(summary));
  if (o.kind === 'applied' && o.after) out(JSON.stringify({ type: 'status', status: statusReport(desired, o.after) }));
}

/** The first ten, then how many more: a 5,000-action stop stays readable. */
function listed(items: string[], max = 10): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
