// A plan of one service with a few hundred thousand replicas renders (a spread of that many lines into
// one push() overflowed the call stack at about 125,000), and a failure with that many dependents is
// reported, not a crash.
import { expect, test } from 'vitest';
import type { Action, Plan } from '../../src/plan/types.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { walk } from '../../src/reconcile/walk.js';

const N = 200_000;
const creates: Action[] = Array.from({ length: N }, (_, i) => ({ id: `container.create:s:${i + 1}`, kind: 'container.create', machine: 'm', service: 's', replica: i + 1, name: `big-s-${i + 1}`, after: ['image.ensure:m:busybox:latest'], cause: 'missing', reason: 'new replica' }));

test(`a group of ${N.toLocaleString('en')} actions renders`, () => {
  const plan = { format_version: '1.0', cluster: 'big', actions: creates, placements: {}, unschedulable: [], warnings: [], blocked: [] } as unknown as Plan;
  const text = renderPlanText(plan);
  expect(text.split('\n').filter((l) => l.includes('big-s-')).length).toBe(N);
});

test(`a failed step with ${N.toLocaleString('en')} dependents skips them all`, async () => {
  const image: Action = { id: 'image.ensure:m:busybox:latest', kind: 'image.ensure', machine: 'm', image: 'busybox:latest', after: [], cause: 'missing', reason: 'missing' };
  const r = await walk([image, ...creates], async (a) => {
    if (a.kind === 'image.ensure') throw new Error('no such image');
  }, { parallelism: 10, perMachine: 10, retries: 0, minRetryDelayMs: 1, actionTimeoutMs: 5_000 });
  expect(r.failed).toHaveLength(1);
  expect(r.skipped).toHaveLength(N);
});
