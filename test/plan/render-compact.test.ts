// plan --compact (issue 17 point 5): one line per kind of change per service and machine group,
// every action counted once, compact by default only above COMPACT_ABOVE actions.
import { describe, expect, test } from 'vitest';
import { makePlan } from '../../src/plan/index.js';
import { COMPACT_ABOVE, renderPlan, renderPlanCompact } from '../../src/plan/render-compact.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import type { Action, Plan } from '../../src/plan/types.js';
import { place } from '../../src/sched/index.js';
import { machineGroups } from '../../src/ui/machine-groups.js';
import { desiredOf } from '../support/manifest.js';

const flock = (workers: number, edges: number, birds: number) => `
name: flock
machines:
  manager: { driver: sim, role: manager, cpus: 2, memory: 4GiB }
  worker: { driver: sim, count: ${workers}, role: worker, cpus: 2, memory: 4GiB }
  edge: { driver: sim, count: ${edges}, labels: { size: edge }, cpus: 2, memory: 4GiB }
services:
  bird: { image: busybox:latest, command: sleep 86400, scale: ${birds} }
  web:
    image: busybox:latest
    scale: 30
    placement: { constraints: ["size==edge"] }
`;

function planOf(text: string): { plan: Plan; groups: ReturnType<typeof machineGroups> } {
  const d = desiredOf(text);
  const observed = { cluster: d.name, machines: [] };
  return { plan: makePlan(d, observed, place(d, observed)), groups: machineGroups(d) };
}

describe('plan --compact', () => {
  test('a fresh 200-machine cluster: per service and machine group, counts that add up to the plan', () => {
    const { plan, groups } = planOf(flock(180, 19, 400));
    const text = renderPlanCompact(plan, groups);
    expect(text).toContain('  +   machine group worker: 180 machines\n');
    expect(text).toContain('  +   swarm join as worker: 180 machines of worker');
    expect(text).toContain('  +   image busybox:latest: 200 copies on 200 machines (worker 180, edge 19, manager 1)');
    expect(text).toContain('  # service bird (400 replicas on 200 machines after apply)');
    expect(text).toContain('  +   bird: 400 replicas on 200 machines (worker 360, edge 38, manager 2)');
    expect(text).toContain('  +   web: 30 replicas on 19 machines of edge');
    expect(text).toContain('Plan: 1011 to add, 0 to change, 0 to destroy.');
    expect(text).toContain('(1,011 actions summarised per service and machine group: `cluster plan --full` lists each');
    // Every action is counted on exactly one line: the counts add up to the plan.
    const counted = [...text.matchAll(/: ([\d,]+) (?:machines?|cop(?:y|ies)|replicas?)\b/g)].reduce((n, m) => n + Number(m[1]!.replace(/,/g, '')), 0);
    expect(counted).toBe(plan.actions.length);
    expect(text.split('\n').length).toBeLessThan(30);
  });

  test('changes of different kinds and causes stay apart', () => {
    const { plan, groups } = planOf(flock(4, 2, 8));
    const removed: Action[] = [1, 2, 3].map((r) => ({ id: `container.remove:old:${r}`, kind: 'container.remove', after: [], cause: 'not-in-manifest', machine: `worker-${r}`, service: 'old', replica: r, name: `flock-old-${r}`, containerId: `c${r}` }));
    const scaled: Action = { id: 'container.remove:bird:9', kind: 'container.remove', after: [], cause: 'scaled-down', machine: 'edge-1', service: 'bird', replica: 9, name: 'flock-bird-9', containerId: 'c9' };
    const text = renderPlanCompact({ ...plan, actions: [...plan.actions, ...removed, scaled] }, groups);
    expect(text).toContain('  -   old: 3 replicas on 3 machines of worker (not in manifest)');
    expect(text).toContain('  -   bird: 1 replica on 1 machine of edge (scaled down)');
    expect(text).toContain('  +   bird: 8 replicas on 7 machines');
  });

  test('compact by default only above COMPACT_ABOVE actions; --full and --compact win', () => {
    const small = planOf(flock(4, 2, 8)).plan;
    expect(small.actions.length).toBeLessThanOrEqual(COMPACT_ABOVE);
    expect(renderPlan(small, 'auto')).toBe(renderPlanText(small));
    expect(renderPlan(small, 'compact')).toContain('summarised per service and machine group');
    const big = planOf(flock(180, 19, 400)).plan;
    expect(renderPlan(big, 'auto')).toContain('summarised per service and machine group');
    expect(renderPlan(big, 'full')).toBe(renderPlanText(big));
  });
});
