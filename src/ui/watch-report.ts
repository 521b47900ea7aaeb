// Watch mode's reporter: timestamped log lines on stderr, each run's plan and progress as apply shows
// them, and after a run that changed something the machines × services panel of the state after it.
import type { Diagnostic } from '../model/diagnostic.js';
import { renderPlanText } from '../plan/render-text.js';
import { planForStdout } from './colour.js';
import { summaryLine } from '../plan/summary.js';
import type { WatchReporter, WatchRun } from '../reconcile/watch.js';
import { progressReporter, type ReportChoices } from './apply-report.js';
import { formatDiagnostic } from './diagnostic.js';
import { formatMs } from './progress-plain.js';
import { renderPlacementMatrix, statusReport } from './status.js';

export async function watchReporter(c: ReportChoices): Promise<WatchReporter> {
  const progress = await progressReporter(c);
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  return {
    ...progress,
    log,
    invalid: (ds) => ds.forEach((d: Diagnostic) => process.stderr.write(formatDiagnostic(d) + '\n')),
    plan: (why, plan) => {
      log(`${why}: ${summaryLine(plan)}`);
      if (!c.json) process.stdout.write(planForStdout(renderPlanText(plan)));
    },
    ran: (desired, run) => {
      const line = runLine(run);
      if (line) log(line);
      if (run.kind === 'applied' && run.after && !c.json) process.stdout.write(renderPlacementMatrix(statusReport(desired, run.after)));
    },
  };
}

/** What a run did, in one log line; nothing for a quiet re-observe that found nothing to do. */
export function runLine(run: WatchRun): string | undefined {
  switch (run.kind) {
    case 'refused':
      return `refused: ${run.blocked.join('; ')}`;
    case 'unchanged': {
      if (run.unseen) {
        // Said on every run while it lasts: nothing changes, and nothing is known to be converged either.
        const n = run.unseen.replicas.reduce((k, r) => k + r.replicas.length, 0);
        const machines = run.unseen.machines.map((m) => (m.until ? `${m.machine} silent, kept until ${m.until}` : `${m.machine} ${m.state}`));
        return `${run.why}: no changes can be made now; ${n} replica${n === 1 ? '' : 's'} not seen (${machines.join(', ')}), kept as they are`;
      }
      return run.why === 'periodic re-observe' || run.why.startsWith('drift') ? undefined : `${run.why}: converged, no changes`;
    }
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
