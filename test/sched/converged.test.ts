// The scheduler's converged path (src/sched/converged.ts) decides "every replica kept" from the
// observed containers by column and falls back to the full path at the first difference. It must plan
// exactly as the full path: random converged and near-converged sim clusters (test/support/near-converged.ts:
// a replica missing, stopped, with another config, duplicated, past the scale, on a drained, stopped,
// relabelled or removed machine, global services, networks, depends_on, ignore_changes, --target)
// are planned both ways and compared byte for byte.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import '../support/fast-check-seed.js';
import { computePlan, openSession } from '../../src/cli/pipeline.js';
import { simStatePath } from '../../src/providers/sim/file.js';
import { ensureIdentity } from '../../src/reconcile/identity-file.js';
import { editArb, load, manifest, shapeArb, stateText, type Edit, type Shape } from '../support/near-converged.js';

type Tweak = 'same' | 'mode' | 'ignore-mode' | 'drain' | 'scale-up' | 'scale-down' | 'swarm' | 'relabel';

function tweaked(s: Shape, t: Tweak): Shape {
  if (t === 'mode') return { ...s, mode: s.mode === 'a' ? 'b' : 'a' };
  if (t === 'ignore-mode') return { ...s, mode: s.mode === 'a' ? 'b' : 'a', ignoreMode: true };
  if (t === 'drain') return { ...s, drain: !s.drain };
  if (t === 'scale-up') return { ...s, web: s.web + 1 };
  if (t === 'scale-down') return { ...s, web: Math.max(0, s.web - 1), db: Math.max(0, s.db - 1) };
  if (t === 'swarm') return { ...s, swarm: !s.swarm };
  if (t === 'relabel') return { ...s, dSize: s.dSize === 'xxl' ? 'small' : 'xxl' }; // db's constraint size==xxl: met there or not
  return s;
}

async function plansOf(before: Shape, after: Shape, edits: Edit[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'converged-'));
  mkdirSync(join(dir, '.cluster'));
  writeFileSync(join(dir, 'before.yml'), manifest(before));
  writeFileSync(join(dir, 'cluster.yml'), manifest(after));
  const identity = ensureIdentity(join(dir, '.cluster'), 'cols').id;
  writeFileSync(simStatePath(dir, 'cols'), stateText(load(join(dir, 'before.yml')), identity, edits));
  const desired = load(join(dir, 'cluster.yml'));
  const s = await openSession(desired);
  try {
    return { fast: computePlan(desired, s.observation), full: computePlan(desired, s.observation, {}, { converged: false }) };
  } finally {
    await s.close();
  }
}

const SHAPE: Shape = { workers: 1, swarm: false, drain: false, dSize: 'xxl', web: 2, db: 2, agent: false, mode: 'a', ignoreMode: false, network: false, dependsOn: false };

describe('converged path', () => {
  test('a converged cluster is placed by column and plans nothing', async () => {
    const { fast, full } = await plansOf(SHAPE, SHAPE);
    expect(fast.placement.kept?.map((k) => k.service)).toEqual(['web', 'db']);
    expect(fast.plan.actions).toEqual([]);
    expect(JSON.stringify(fast.plan)).toBe(JSON.stringify(full.plan));
  });

  test("another checkout's copy of a replica beside a converged cluster: still placed by column, and reported as the full path reports it", async () => {
    const { fast, full } = await plansOf(SHAPE, SHAPE, [{ kind: 'other-checkout', at: 1 }]);
    expect(fast.placement.kept?.map((k) => k.service)).toEqual(['web', 'db']);
    expect(fast.plan.actions).toEqual([]);
    // Counted from the columns (ownership.ts otherCheckouts), as the full path counts it from the containers.
    expect(fast.plan.warnings.filter((w) => w.includes('another checkout'))).toHaveLength(1);
    expect(JSON.stringify(fast.plan)).toBe(JSON.stringify(full.plan));
  });

  test('a replica duplicated while another of its service is missing: the count matches, the full path runs', async () => {
    // Every pair of one duplicate and one drop of SHAPE's four replicas: some leave web or db with one
    // replica twice and the other gone, which only the check for a replica already claimed catches.
    for (let dup = 0; dup < 4; dup++) {
      for (let drop = 0; drop < 4; drop++) {
        const { fast, full } = await plansOf(SHAPE, SHAPE, [
          { kind: 'duplicate', at: dup },
          { kind: 'drop', at: drop },
        ]);
        expect(JSON.stringify(fast.plan)).toBe(JSON.stringify(full.plan));
      }
    }
  }, 60_000);

  test("a machine that no longer meets a service's constraint: the full path moves its replica", async () => {
    // db (constraint size==xxl) spreads over w-1 and d; d becomes small.
    const { fast, full } = await plansOf(SHAPE, { ...SHAPE, dSize: 'small' });
    expect(fast.placement.kept).toBeUndefined();
    expect(fast.plan.actions.filter((a) => a.kind === 'container.replace').map((a) => [a.service, a.machine])).toEqual([['db', 'w-1']]);
    expect(JSON.stringify(fast.plan)).toBe(JSON.stringify(full.plan));
  });

  test('plans exactly as the full path, and is taken when nothing changes', async () => {
    let taken = 0;
    let fellBack = 0;
    await fc.assert(
      fc.asyncProperty(
        shapeArb,
        // The manifest planned: the one the state was applied from, the same with one thing changed, or another.
        fc.oneof(
          { arbitrary: fc.constantFrom<Tweak>('same', 'same', 'mode', 'ignore-mode', 'drain', 'scale-up', 'scale-down', 'swarm', 'relabel'), weight: 4 },
          { arbitrary: shapeArb, weight: 1 },
        ),
        // Mostly untouched since the apply, so that one difference at a time is tried.
        fc.oneof({ arbitrary: fc.constant<Edit[]>([]), weight: 2 }, { arbitrary: fc.array(editArb, { minLength: 1, maxLength: 3 }), weight: 1 }),
        fc.constantFrom<string[] | undefined>(undefined, undefined, ['service.web'], ['machine.d']),
        fc.constantFrom(false, false, true),
        async (before, after, edits, target, rebalance) => {
          const dir = mkdtempSync(join(tmpdir(), 'converged-'));
          mkdirSync(join(dir, '.cluster'));
          writeFileSync(join(dir, 'before.yml'), manifest(before));
          writeFileSync(join(dir, 'cluster.yml'), manifest(typeof after === 'string' ? tweaked(before, after) : after));
          const identity = ensureIdentity(join(dir, '.cluster'), 'cols').id;
          writeFileSync(simStatePath(dir, 'cols'), stateText(load(join(dir, 'before.yml')), identity, edits));
          const desired = load(join(dir, 'cluster.yml'));
          const s = await openSession(desired);
          try {
            const fast = computePlan(desired, s.observation, { target, rebalance });
            const full = computePlan(desired, s.observation, { target, rebalance }, { converged: false });
            expect(full.placement.kept).toBeUndefined();
            expect(JSON.stringify(fast.plan)).toBe(JSON.stringify(full.plan));
            if (fast.placement.kept) taken++;
            else fellBack++;
          } finally {
            await s.close();
          }
        },
      ),
      { numRuns: 300 },
    );
    // Both ways must have been exercised for the property to mean anything.
    expect(taken).toBeGreaterThan(30);
    expect(fellBack).toBeGreaterThan(30);
  }, 180_000);
});
