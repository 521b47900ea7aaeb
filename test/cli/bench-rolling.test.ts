// The rolling-update bench (`npm run bench -- rolling`, issue 15's speed check) reads apply's own
// progress lines. It broke silently once when those lines gained a `[ n/N]` counter: its pattern
// matched none and the case exited as a broken run. A tiny run keeps it reading them (no timing asserted).
import { expect, test } from 'vitest';
import { rollingBench } from '../../bench/rolling.js';

test('bench rolling reads every replacement from the apply output and spans at least its batches\' waits', () => {
  const r = rollingBench({ replicas: 4, parallelism: 2, monitorMs: 100, runs: 1 });
  expect(r.batches).toBe(2);
  expect(r.waits).toBe(200);
  // Each batch waits out its monitor before the next starts, so the span cannot be shorter than their sum.
  expect(r.span.median).toBeGreaterThanOrEqual(r.waits);
  expect(r.bare.median).toBeGreaterThan(0);
}, 120_000);
