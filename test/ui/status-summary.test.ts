// After an apply the state is summed up per machine group and service once the full table would run
// past FULL_STATUS_UP_TO_LINES lines (issue 17 point 5: not a 1,000-row table after a 200-machine apply).
import { describe, expect, test } from 'vitest';
import { groupByName } from '../../src/plan/render-compact.js';
import { renderStatusText, type StatusReport } from '../../src/ui/status.js';
import { FULL_STATUS_UP_TO_LINES, renderStatusAfterApply } from '../../src/ui/status-summary.js';

type Machine = StatusReport['machines'][number];
const machine = (name: string, over: Partial<Machine> = {}): Machine => ({
  name, driver: 'sim', state: 'running', role: null, labels: {}, address: null, engine: null, cpus: 2, memory: 2 ** 30, reserved: { cpus: 0.5, memory: 2 ** 28 }, containers: 2, problem: null, ...over,
});

function report(workers: number): StatusReport {
  const machines = [machine('manager'), ...Array.from({ length: workers }, (_, i) => machine(`worker-${i + 1}`))];
  const containers = machines.flatMap((m, i) => [1, 2].map((k) => ({ name: `flock-bird-${2 * i + k}`, id: `id${2 * i + k}`, service: 'bird', replica: 2 * i + k, machine: m.name, state: 'running', image: 'busybox' })));
  containers[5]!.state = 'exited';
  return { format_version: '1.0', cluster: 'flock', simulated: true, machines, containers };
}

describe('status after an apply', () => {
  test('a small cluster keeps the full table', () => {
    const r = report(3);
    expect(renderStatusAfterApply(r, groupByName)).toBe(renderStatusText(r));
  });

  test('200 machines: per machine group and per service, the unhealthy named, a hint to cluster status', () => {
    const r = report(199);
    expect(renderStatusText(r).split('\n').length).toBeGreaterThan(FULL_STATUS_UP_TO_LINES);
    const text = renderStatusAfterApply(r, groupByName);
    const rows = text.split('\n');
    expect(rows.length).toBeLessThanOrEqual(20);
    expect(rows).toContain('manager        1/1               2           0.5/2          256 MiB/1 GiB');
    expect(rows).toContain('worker         199/199           398         99.5/398       49.8 GiB/199 GiB');
    expect(rows).toContain('bird     399/400           200');
    expect(text).toContain('Unhealthy:\n  flock-bird-6 on worker-2: exited');
    expect(text).toContain('200 machines and 400 containers in all: `cluster status` shows every one');
  });
});
