import { render } from 'ink-testing-library';
import { describe, expect, test } from 'vitest';
import type { Action } from '../../src/plan/types.js';
import { Progress, reduce, type ProgressState } from '../../src/ui/progress-ink.js';
import { plainProgress } from '../../src/ui/progress-plain.js';
import type { WalkEvent } from '../../src/reconcile/walk.js';

const create = (replica: number): Action => ({ id: `container.create:web:${replica}`, kind: 'container.create', after: [], cause: 'missing', machine: 'm1', service: 'web', replica, name: `demo-web-${replica}` });

function play(events: WalkEvent[]): ProgressState {
  return events.reduce((s, e, i) => reduce(s, e, i * 1000), { total: 3, running: new Map(), finished: [], done: 0, failed: 0, skipped: 0 } as ProgressState);
}

describe('ink progress', () => {
  test('running actions show with elapsed time; tally counts done/failed/pending', () => {
    const state = play([
      { type: 'start', action: create(1) },
      { type: 'start', action: create(2) },
      { type: 'done', action: create(1), ms: 1500 },
    ]);
    const { lastFrame } = render(<Progress state={state} now={5000} />);
    const frame = lastFrame()!;
    expect(frame).toContain('✓ + web #1 demo-web-1 on m1 (1.5 s)');
    expect(frame).toMatch(/web #2 demo-web-2 on m1 4\.0 s/);
    expect(frame).toContain('1 done · 0 failed · 0 skipped · 1 running · 1 pending');
  });

  test('failures are shown inline with their error; dependents as skipped', () => {
    const state = play([
      { type: 'start', action: create(1) },
      { type: 'failed', action: create(1), error: 'no such image', ms: 10 },
      { type: 'skipped', action: create(2), because: 'container.create:web:1' },
    ]);
    const frame = render(<Progress state={state} now={3000} />).lastFrame()!;
    expect(frame).toContain('✗ + web #1 demo-web-1 on m1: no such image');
    expect(frame).toContain('skipped (container.create:web:1 failed)');
    expect(frame).toContain('0 done · 1 failed · 1 skipped · 0 running · 1 pending');
  });
});

describe('plain progress', () => {
  test('one timestamped line per event, no escape sequences', () => {
    const lines: string[] = [];
    const sink = plainProgress((l) => lines.push(l));
    sink({ type: 'start', action: create(1) });
    sink({ type: 'retry', action: create(1), attempt: 1, error: 'simulated fault' });
    sink({ type: 'done', action: create(1), ms: 20 });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} start    \+ web #1 demo-web-1 on m1$/);
    expect(lines[1]).toContain('retry    + web #1 demo-web-1 on m1: attempt 1 failed: simulated fault');
    expect(lines[2]).toContain('done     + web #1 demo-web-1 on m1 (20 ms)');
    expect(lines.join('')).not.toMatch(/\x1b/);
  });
});
