// The live view's pure parts: frames drawn from folded walk events with an injected clock, the last
// frame against the apply summary, ETA arithmetic, and the plain renderer's `[n/N]` lines (issue 17 point 5).
import { render } from 'ink-testing-library';
import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import type { Action, Plan } from '../../src/plan/types.js';
import { walk, type WalkEvent } from '../../src/reconcile/walk.js';
import { summaryLines } from '../../src/ui/apply-report.js';
import { Progress } from '../../src/ui/progress-ink.js';
import { plainProgress } from '../../src/ui/progress-plain.js';
import { bar, etaMs, finalTally, initialProgress, LIST_EVERY_ACTION_UP_TO, progressLine, reduce, tallyOf, type ProgressState } from '../../src/ui/progress-state.js';

const create = (replica: number): Action => ({ id: `container.create:web:${replica}`, kind: 'container.create', after: [], cause: 'missing', machine: 'm1', service: 'web', replica, name: `demo-web-${replica}` });

/** Folds events, the i-th at i seconds on the injected clock. */
function play(events: WalkEvent[], total = 3): ProgressState {
  return events.reduce((s, e, i) => reduce(s, e, i * 1000), initialProgress(total, 0));
}

describe('ink progress frames', () => {
  test('running actions show with elapsed time; a bar with settled/total, percentage and ETA; the tally', () => {
    const state = play([
      { type: 'start', action: create(1) },
      { type: 'start', action: create(2) },
      { type: 'done', action: create(1), ms: 1500 },
    ]);
    const frame = render(<Progress state={state} now={5000} />).lastFrame()!;
    expect(frame).toContain('✓ + web #1 demo-web-1 on m1 (1.5 s)');
    expect(frame).toMatch(/web #2 demo-web-2 on m1 4\.0 s/); // started at 1 s, drawn at 5 s
    // 1 of 3 settled in 5 s: 2 left at that pace is 10 s
    expect(frame).toContain('[████████░░░░░░░░░░░░░░░░] 1/3 33% · 5.0 s elapsed · ETA 10.0 s');
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

  test('retries show on the running line, as a line of their own, in the bar, and on the done line', () => {
    const retrying = play([
      { type: 'start', action: create(1) },
      { type: 'retry', action: create(1), attempt: 1, error: 'simulated fault: container.create on m1' },
    ]);
    const frame = render(<Progress state={retrying} now={2000} />).lastFrame()!;
    expect(frame).toContain('↻ + web #1 demo-web-1 on m1: attempt 1 failed (simulated fault: container.create on m1); retrying');
    expect(frame).toMatch(/web #1 demo-web-1 on m1 2\.0 s \(retry 1: simulated fault: container\.create on m1\)/);
    expect(frame).toContain('1 retry · ETA …'); // nothing settled yet: no pace, no guess
    const done = reduce(retrying, { type: 'done', action: create(1), ms: 1800 }, 2500);
    expect(render(<Progress state={done} now={2500} />).lastFrame()).toContain('✓ + web #1 demo-web-1 on m1 (1.8 s, after 1 retry)');
  });

  test('a big walk lists failures and retries only; the bar counts the rest', () => {
    const total = LIST_EVERY_ACTION_UP_TO + 1;
    const state = play([
      { type: 'start', action: create(1) },
      { type: 'done', action: create(1), ms: 5 },
      { type: 'start', action: create(2) },
      { type: 'failed', action: create(2), error: 'boom', ms: 5 },
    ], total);
    expect(state.finished.map((f) => f.text)).toEqual(['✗ + web #2 demo-web-2 on m1: boom']);
    expect(state.unlisted).toBe(1);
    expect(progressLine(state, 4000)).toContain(`2/${total} 0%`);
  });
});

describe('ETA and bar arithmetic', () => {
  test('elapsed × remaining / settled, from the injected clock; none before a pace or after the end', () => {
    const s = { ...initialProgress(10, 1000), done: 2 };
    expect(etaMs(s, 3000)).toBe(8000); // 2 s for 2 actions, 8 left
    expect(etaMs({ ...s, done: 0 }, 3000)).toBeUndefined();
    expect(etaMs({ ...s, done: 7, failed: 2, skipped: 1 }, 3000)).toBeUndefined();
    expect(progressLine({ ...s, failed: 3 }, 6000)).toBe('[████████████░░░░░░░░░░░░] 5/10 50% · 5.0 s elapsed · ETA 5.0 s');
  });

  test('the bar fills in proportion and never overflows', () => {
    expect(bar(0, 4, 4)).toBe('[░░░░]');
    expect(bar(3, 4, 4)).toBe('[███░]');
    expect(bar(5, 4, 4)).toBe('[████]');
    expect(bar(0, 0, 4)).toBe('[████]'); // nothing to do is all done
  });
});

describe('the last frame and the summary', () => {
  test('a real walk with retried transient failures: the last frame counts what the summary says', async () => {
    const actions = Array.from({ length: 600 }, (_, i) => create(i + 1));
    const failedOnce = new Set<string>();
    const events: WalkEvent[] = [];
    // Every 50th action fails once with a transient error (retried), as a flaky engine would.
    const run = async (a: Action) => {
      await Promise.resolve();
      if (a.kind === 'container.create' && a.replica % 50 === 0 && !failedOnce.has(a.id)) {
        failedOnce.add(a.id);
        throw new EngineError('unavailable', `dropped connection to ${a.machine}`);
      }
    };
    const result = await walk(actions, run, { parallelism: 10, perMachine: 10, retries: 2, minRetryDelayMs: 1, actionTimeoutMs: 60_000, onEvent: (e) => events.push(e) });
    const state = events.reduce((s, e, i) => reduce(s, e, i), initialProgress(actions.length, 0));
    expect(tallyOf(state)).toEqual(finalTally(result)); // the events and the result agree
    expect(state.retries).toBe(12);
    const plan: Plan = { format_version: '1.0', cluster: 'demo', simulated: true, actions, placements: {}, unschedulable: [], warnings: [], blocked: [] };
    const summary = summaryLines('Apply', { kind: 'applied', plan, walk: result })[0]!;
    const last = render(<Progress state={state} now={events.length} result={result} />).lastFrame()!;
    const lastLines = last.split('\n');
    expect(summary).toMatch(/Apply complete: 600 actions in (.+)\. /);
    const took = /in (.+?)\. /.exec(summary)![1];
    expect(lastLines.at(-2)).toBe(`[████████████████████████] 600/600 100% · took ${took} · 12 retries`);
    expect(lastLines.at(-1)).toBe('600 done · 0 failed · 0 skipped · 0 running · 0 pending');
  });

  test('a stopped walk: the last frame counts what never started as pending and what still ran as running', () => {
    const state = play([{ type: 'start', action: create(1) }, { type: 'start', action: create(2) }, { type: 'done', action: create(1), ms: 5 }]);
    const result = { done: [create(1).id], failed: [], skipped: [], notStarted: [create(3).id], abandoned: [create(2).id], ms: 3000 };
    const frame = render(<Progress state={state} now={4000} result={result} />).lastFrame()!;
    expect(frame).not.toMatch(/⠋|⠙|⠹/); // no spinner in the last frame
    expect(frame).toContain('1/3 33% · took 3.0 s');
    expect(frame).toContain('1 done · 0 failed · 0 skipped · 1 running · 1 pending');
  });
});

describe('plain progress', () => {
  test('one timestamped [n/N] line per event (n: finished so far), no escape sequences', () => {
    const lines: string[] = [];
    const sink = plainProgress(12, (l) => lines.push(l), () => new Date('2026-11-26T07:01:02.345Z'));
    sink({ type: 'start', action: create(1) });
    sink({ type: 'retry', action: create(1), attempt: 1, error: 'simulated fault' });
    sink({ type: 'done', action: create(1), ms: 20 });
    sink({ type: 'skipped', action: create(2), because: 'container.create:web:9' });
    expect(lines).toEqual([
      '07:01:02.345 [ 0/12] start    + web #1 demo-web-1 on m1',
      '07:01:02.345 [ 0/12] retry    + web #1 demo-web-1 on m1: attempt 1 failed: simulated fault',
      '07:01:02.345 [ 1/12] done     + web #1 demo-web-1 on m1 (20 ms)',
      '07:01:02.345 [ 2/12] skipped  + web #2 demo-web-2 on m1: container.create:web:9 failed',
    ]);
  });
});
