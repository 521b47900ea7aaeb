// Plain progress: one timestamped line per event, no colour, no cursor movement. Written to stderr
// so stdout stays clean for --json.
import type { WalkEvent } from '../reconcile/walk.js';
import { describeAction } from '../plan/render-text.js';

export function plainProgress(write: (line: string) => void = (l) => process.stderr.write(l + '\n')): (e: WalkEvent) => void {
  return (e) => {
    const at = new Date().toISOString().slice(11, 23);
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

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
