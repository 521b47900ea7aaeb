// Plain progress: one timestamped line per event, no colour, no cursor movement, each prefixed with
// `[n/N]`: n actions of the plan's N have finished (done, failed or skipped), this line's included.
// Written to stderr so stdout stays clean for --json.
import type { WalkEvent } from '../reconcile/walk.js';
import { describeAction } from '../plan/render-text.js';
import { formatMs } from './progress-state.js';

export { formatMs };

export function plainProgress(total: number, write: (line: string) => void = (l) => process.stderr.write(l + '\n'), wallClock: () => Date = () => new Date()): (e: WalkEvent) => void {
  let settled = 0;
  const width = String(total).length;
  return (e) => {
    if (e.type === 'done' || e.type === 'failed' || e.type === 'skipped') settled++;
    const at = `${wallClock().toISOString().slice(11, 23)} [${String(settled).padStart(width)}/${total}]`;
    const what = describeAction(e.action);
    switch (e.type) {
      case 'start':
        write(`${at} start    ${what}`);
        break;
      case 'retry':
        write(`${at} retry    ${what}: attempt ${e.attempt} failed: ${e.error}`);
        break;
      case 'done':
        write(`${at} done     ${what} (${formatMs(e.ms)})`);
        break;
      case 'failed':
        write(`${at} FAILED   ${what}: ${e.error}`);
        break;
      case 'skipped':
        write(`${at} skipped  ${what}: ${e.because} failed`);
        break;
    }
  };
}
