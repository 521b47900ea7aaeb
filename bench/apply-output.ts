// Reading an apply's own timestamps from its plain output (`HH:MM:SS.mmm [ n/N] start|done <action>`):
// what the walk of some actions took, without the process's start, lock, observation and report.
import { fail } from './stats.js';

/** The ms of each `kind` line whose action text starts with `action` (a regex source), in output order. */
export function actionTimes(out: string, kind: 'start' | 'done', action: string): number[] {
  const line = new RegExp(`^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) +(?:\\[ *\\d+/\\d+\\] +)?${kind} +${action}`, 'gm');
  return [...out.matchAll(line)].map((m) => ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]));
}

/** ms from the first such action's start to the last one's done. */
export function actionSpan(out: string, action: string): number {
  const starts = actionTimes(out, 'start', action);
  const dones = actionTimes(out, 'done', action);
  if (!starts.length || !dones.length) fail(`no start/done lines for /${action}/ in the apply output`);
  const ms = Math.max(...dones) - Math.min(...starts);
  return ms < 0 ? ms + 86_400_000 : ms; // the run crossed midnight
}
