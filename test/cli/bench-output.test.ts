// The real-engine benches (bench/real.ts creation, bench/throughput.ts) read the swarm init's and the
// replicas' spans from apply's own progress lines (bench/apply-output.ts), as the rolling bench does.
// The same lines on the sim driver keep those patterns matching what apply prints (no timing asserted).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { actionSpan, actionTimes } from '../../bench/apply-output.js';
import { cluster } from '../support/cli.js';

test('the benches find the swarm init and every replica in an apply\'s progress lines, in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-output-'));
  writeFileSync(join(dir, 'cluster.yml'), 'name: bout\nmachines:\n  m: { driver: sim, count: 2, role: manager }\nsimulation:\n  latency: { default: 5ms }\nservices:\n  bird: { image: busybox:latest, scale: 12 }\n');
  const r = cluster(['apply', '--auto-approve'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const out = r.stdout + r.stderr;
  expect(actionTimes(out, 'start', '\\+ swarm init ')).toHaveLength(1);
  expect(actionTimes(out, 'start', '\\+ bird #')).toHaveLength(12);
  expect(actionTimes(out, 'done', '\\+ bird #')).toHaveLength(12);
  // Each engine call costs 5 ms, and a replica is at least a create and a start.
  expect(actionSpan(out, '\\+ bird #')).toBeGreaterThanOrEqual(10);
  expect(actionSpan(out, '\\+ swarm init ')).toBeGreaterThanOrEqual(5);
}, 60_000);
