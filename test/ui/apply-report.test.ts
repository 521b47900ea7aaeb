import { describe, expect, test } from 'vitest';
import type { Action, Plan } from '../../src/plan/types.js';
import type { WalkResult } from '../../src/reconcile/walk.js';
import { stoppingLine, summaryLines } from '../../src/ui/apply-report.js';

const create = (replica: number): Action => ({ id: `container.create:web:${replica}`, kind: 'container.create', after: [], cause: 'missing', machine: 'm1', service: 'web', replica, name: `demo-web-${replica}` });
const plan = (n: number): Plan => ({ format_version: '1.0', cluster: 'demo', simulated: true, actions: Array.from({ length: n }, (_, i) => create(i + 1)), placements: {}, unschedulable: [], warnings: [], blocked: [] });
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `container.create:web:${from + i}`);
const walk = (over: Partial<WalkResult>): WalkResult => ({ done: [], failed: [], skipped: [], notStarted: [], abandoned: [], ms: 1234, ...over });

describe('apply summary', () => {
  test('a stopped apply says by what, counts everything, and names what was done, not started and still running', () => {
    const lines = summaryLines('Apply', { kind: 'applied', plan: plan(40), stopped: 'SIGINT', walk: walk({ done: ids(1, 3), notStarted: ids(4, 38), abandoned: ids(39, 40) }) });
    expect(lines[0]).toBe('\nApply stopped (SIGINT): 3 done, 0 failed, 0 skipped because of a failure, 35 not started, 2 still running when the grace period ended (1.2 s).');
    expect(lines).toContain('  done: container.create:web:1, container.create:web:2, container.create:web:3');
    // long lists stay readable: ten ids, then how many more
    expect(lines).toContain(`  not started: ${ids(4, 13).join(', ')} and 25 more`);
    expect(lines).toContain('  still running (outcome unknown): container.create:web:39, container.create:web:40');
    expect(lines.at(-1)).toBe('What finished stays; run `cluster apply` again to finish the rest.');
  });

  test('a complete apply is one line; a failure names the root cause', () => {
    expect(summaryLines('Apply', { kind: 'applied', plan: plan(2), walk: walk({ done: ids(1, 2) }) })).toEqual(['\nApply complete: 2 actions in 1.2 s. 2 to add, 0 to change, 0 to destroy.']);
    const failed = summaryLines('Destroy', { kind: 'applied', plan: plan(2), walk: walk({ done: ids(1, 1), failed: [{ id: 'container.create:web:2', error: 'no such image' }] }) });
    expect(failed[0]).toMatch(/^\nDestroy incomplete: 1 done, 1 failed/);
    expect(failed).toContain('  container.create:web:2: no such image');
  });

  test('stopped before anything ran, refused, declined', () => {
    expect(summaryLines('Apply', { kind: 'cancelled', plan: plan(1), why: 'stopped' })).toEqual(['Apply stopped before anything ran: nothing was changed.']);
    expect(summaryLines('Apply', { kind: 'refused', plan: plan(1) })).toEqual(['Apply refused: nothing was changed.']);
    expect(summaryLines('Apply', { kind: 'cancelled', plan: plan(1), why: 'declined' })).toEqual(['Apply cancelled.']);
  });

  test('the stopping line names the running actions and their bound', () => {
    expect(stoppingLine([create(1), create(2)], 60_000)).toMatch(/stopping: nothing new starts; 2 running actions may take up to 60\.0 s to finish: \+ web #1 demo-web-1 on m1, \+ web #2 demo-web-2 on m1$/);
    expect(stoppingLine([], 60_000)).toMatch(/nothing is running$/);
  });
});
