import type { WalkEvent } from '../reconcile/walk.js';

/** `apply --json`: one JSON object per line, for pipelines. */
export function jsonEvents(write: (line: string) => void = (l) => process.stdout.write(l + '\n')): (e: WalkEvent) => void {
  return (e) => {
    const { action, ...rest } = e;
    write(JSON.stringify({ ...rest, ms: 'ms' in e ? Math.round(e.ms) : undefined, action: action.id, kind: action.kind, time: new Date().toISOString() }));
  };
}
