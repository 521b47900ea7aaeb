// Watch mode's reporter: timestamped log lines on stderr, each run's plan and progress as apply shows
// them (compact above a few hundred actions, as `cluster plan` prints by default), and after a run that
// changed something the machines × services panel of the state after it (summed up when it is long).
import type { Desired } from '../model/desired.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { machineGroups } from './machine-groups.js';
import { summaryLine, unseenReplicas } from '../plan/summary.js';
import type { WatchReporter, WatchRun } from '../reconcile/watch.js';
import { planEvent, planTextOf, planWithSummary, progressReporter, reportJson, type ReportChoices } from './apply-report.js';
import { formatDiagnostic } from './diagnostic.js';
import { formatMs } from './progress-plain.js';
import { renderPlacementMatrix, statusReport, type StatusReport } from './status.js';
import { fullOrSummary } from './status-summary.js';

export async function watchReporter(c: ReportChoices): Promise<WatchReporter> {
  const progress = await progressReporter(c);
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  return {
    ...progress,
    log,
    invalid: (ds) => ds.forEach((d: Diagnostic) => process.stderr.write(formatDiagnostic(d) + '\n')),
    plan: (why, plan, desired) => {
      log(`${why}: ${summaryLine(plan)}`);
      // --json: each run is framed as apply --json frames it: a plan event, the action events, a summary.
      if (c.json) process.stdout.write(planEvent(plan, { why }) + '\n');
      else process.stdout.write(planTextOf(plan, desired));
    },
    ran: (desired, run) => {
      const line = runLine(run);
      if (line) log(line);
      if (run.kind === 'drifted' && !run.repeated) {
        // What a correction would do, as a plan: the drift itself, said and not done.
        if (c.json) process.stdout.write(JSON.stringify({ type: 'drift', why: run.why, corrected: false, plan: planWithSummary(run.plan), time: new Date().toISOString() }) + '\n');
        else process.stdout.write(planTextOf(run.plan, desired));
      }
      if (c.json && run.kind === 'applied') reportJson(run, desired, { why: run.why });
      if (c.json && run.kind === 'refused') process.stdout.write(JSON.stringify({ type: 'summary', why: run.why, result: 'refused', blocked: run.blocked, time: new Date().toISOString() }) + '\n');
      if (run.kind === 'applied' && run.after && !c.json) process.stdout.write(statePanel(statusReport(desired, run.after), desired));
    },
  };
}

/** The machines × services panel, or past FULL_STATUS_UP_TO_LINES the per-group summary apply prints. */
export function statePanel(r: StatusReport, desired: Desired): string {
  return fullOrSummary(renderPlacementMatrix(r), r, machineGroups(desired));
}

/** What a run did, in one log line; nothing for a quiet re-observe that found nothing to do. */
export function runLine(run: WatchRun): string | undefined {
  switch (run.kind) {
    case 'refused':
      return `refused: ${run.blocked.join('; ')}`;
    case 'unchanged': {
      if (run.unseen) {
        // Said on every run while it lasts: nothing changes, and nothing is known to be converged either.
        const n = unseenReplicas(run);
        const machines = run.unseen.machines.map((m) => (m.until ? `${m.machine} silent, kept until ${m.until}` : `${m.machine} ${m.state}`));
        return `${run.why}: no changes can be made now; ${n} replica${n === 1 ? '' : 's'} not seen (${machines.join(', ')}), kept as they are`;
      }
      return run.why === 'periodic re-observe' || run.why.startsWith('drift') ? undefined : `${run.why}: converged, no changes`;
    }
    case 'drifted':
      return run.repeated ? undefined : `${run.why}: drift found, not corrected (--drift report); correcting it would take: ${summaryLine(run.plan)}`;
    case 'applied': {
      const w = run.walk;
      if (run.stopped) {
        const abandoned = w.abandoned.length ? `, ${w.abandoned.length} still running when the grace period ended` : '';
        return `stopped (${run.stopped}): ${w.done.length} done, ${w.failed.length} failed, ${w.notStarted.length} not started${abandoned}`;
      }
      return w.failed.length ? `${w.failed.length} action(s) failed; retrying on the next change or re-observe` : `converged in ${formatMs(w.ms)}`;
    }
  }
}
