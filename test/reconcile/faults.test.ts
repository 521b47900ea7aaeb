// The fault suite: random sequences of manifests applied on the sim driver with injected failures
// (errors and retries on every action kind), then one fault-free apply: the cluster must be exactly
// what the last manifest says — every machine, every replica once, nothing else — and the plan empty.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { computePlan, openSession } from '../../src/cli/pipeline.js';
import { loadManifest } from '../../src/manifest/index.js';
import type { Desired } from '../../src/model/desired.js';
import { hasChanges } from '../../src/plan/summary.js';
import { ActionRunner } from '../../src/reconcile/actions.js';
import { DEFAULT_WALK, walk } from '../../src/reconcile/walk.js';

const stepArb = fc.record({
  workers: fc.integer({ min: 0, max: 3 }),
  web: fc.integer({ min: 0, max: 6 }),
  db: fc.integer({ min: 0, max: 2 }),
  dbOnBig: fc.boolean(),
  webEnv: fc.constantFrom('a', 'b'),
  failureRate: fc.constantFrom(0.2, 0.5, 0.9),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function manifest(s: Step, faults: boolean): string {
  return `name: faults
machines:
  mgr: { driver: sim, role: manager, cpus: 2, memory: 4GiB, labels: { size: small } }
${s.workers ? `  w: { driver: sim, role: worker, count: ${s.workers}, cpus: 4, memory: 8GiB, labels: { size: xxl } }\n` : ''}simulation:
  failure_rate: { default: ${faults ? s.failureRate : 0} }
  seed: ${s.seed}
services:
  db:
    image: busybox
    scale: ${s.db}
${s.dbOnBig ? '    environment: ["constraint:size==~xxl"]\n' : ''}  web:
    image: busybox
    scale: ${s.web}
    environment: { MODE: ${s.webEnv} }
    depends_on: [db]
`;
}

async function applyOnce(file: string): Promise<{ desired: Desired; failed: number }> {
  const r = loadManifest(file, { env: {} });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  // With faults, even observing may fail after its retries: the run then changes nothing (exit 1).
  const s = await openSession(r.desired).catch(() => undefined);
  if (!s) return { desired: r.desired, failed: 1 };
  try {
    const { plan } = computePlan(r.desired, s.observation);
    const result = await walk(plan.actions, new ActionRunner(r.desired, s.observation.observed, s.drivers, s.observation.records).run, { ...DEFAULT_WALK, retries: 1, minRetryDelayMs: 1 });
    return { desired: r.desired, failed: result.failed.length };
  } finally {
    await s.close();
  }
}

describe('fault suite', () => {
  test('after any sequence of faulty applies, one fault-free apply converges exactly', async () => {
    let sawFailures = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 4 }), async (steps) => {
        const dir = mkdtempSync(join(tmpdir(), 'cluster-faults-'));
        const file = join(dir, 'cluster.yml');
        for (const step of steps) {
          writeFileSync(file, manifest(step, true));
          sawFailures += (await applyOnce(file)).failed;
        }
        const last = steps[steps.length - 1]!;
        writeFileSync(file, manifest(last, false));
        const { desired, failed } = await applyOnce(file);
        expect(failed).toBe(0);

        const s = await openSession(desired);
        try {
          expect(hasChanges(computePlan(desired, s.observation).plan)).toBe(false);
          const machines = s.observation.observed.machines;
          expect(machines.map((m) => m.name)).toEqual(['mgr', ...Array.from({ length: last.workers }, (_, i) => `w-${i + 1}`)].sort());
          expect(machines.every((m) => m.state === 'running')).toBe(true);
          const containers = machines.flatMap((m) => m.engine?.containers ?? []);
          const names = containers.map((c) => c.name).sort();
          const want = [...Array.from({ length: last.db }, (_, i) => `faults-db-${i + 1}`), ...Array.from({ length: last.web }, (_, i) => `faults-web-${i + 1}`)].sort();
          expect(names).toEqual(want);
          expect(containers.every((c) => c.state === 'running')).toBe(true);
          const webHash = desired.services.find((x) => x.name === 'web')!.configHash;
          expect(containers.filter((c) => c.owner?.service === 'web').every((c) => c.owner!.configHash === webHash)).toBe(true);
        } finally {
          await s.close();
        }
      }),
      {
        numRuns: 20,
        examples: [
          [[{ workers: 1, web: 4, db: 2, dbOnBig: false, webEnv: 'b', failureRate: 0.2, seed: 1 }, { workers: 0, web: 4, db: 2, dbOnBig: false, webEnv: 'a', failureRate: 0.9, seed: 1 }]],
          // w-1's removal cut short, then w-1 made again: its old down entry was left for a second apply
          [[{ workers: 1, web: 0, db: 0, dbOnBig: false, webEnv: 'a', failureRate: 0.2, seed: 1 }, { workers: 0, web: 0, db: 0, dbOnBig: false, webEnv: 'a', failureRate: 0.5, seed: 2 }, { workers: 1, web: 0, db: 0, dbOnBig: false, webEnv: 'a', failureRate: 0.2, seed: 789275 }]],
        ],
      },
    );
    expect(sawFailures).toBeGreaterThan(0); // the faults did bite
  }, 120_000);
});
