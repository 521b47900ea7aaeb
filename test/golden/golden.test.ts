// Golden files for user-visible plan output (golden/*.txt, golden/*.json). Each case applies its
// `before` manifests with the sim driver (real apply, in a temp dir), then plans `after.yml`.
// Rewrite with UPDATE_GOLDEN=1 and review the diff like code.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { computePlan, openSession } from '../../src/cli/pipeline.js';
import { loadManifest } from '../../src/manifest/index.js';
import type { Desired } from '../../src/model/desired.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { ActionRunner } from '../../src/reconcile/actions.js';
import { DEFAULT_WALK, walk } from '../../src/reconcile/walk.js';

const root = join(import.meta.dirname, '../../golden');
const update = process.env.UPDATE_GOLDEN === '1';

function load(file: string): Desired {
  const r = loadManifest(file, { env: {} });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join('\n'));
  return r.desired;
}

async function applyAll(desired: Desired): Promise<void> {
  const s = await openSession(desired);
  try {
    const { plan } = computePlan(desired, s.observation);
    const r = await walk(plan.actions, new ActionRunner(desired, s.observation.observed, s.drivers, s.observation.records).run, DEFAULT_WALK);
    if (r.failed.length) throw new Error(`apply failed: ${JSON.stringify(r.failed)}`);
  } finally {
    await s.close();
  }
}

/** Steps of a case, in order: before.yml, before-2.yml, ..., after.yml (the one planned). */
function steps(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^before(-\d+)?\.yml$/.test(f)).sort().concat('after.yml');
}

function compare(name: string, ext: string, actual: string): void {
  const file = join(root, `${name}.${ext}`);
  if (update) writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`golden/${name}.${ext} is missing: run UPDATE_GOLDEN=1 npx vitest run test/golden and review it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const cases = readdirSync(join(root, 'cases')).sort();

describe('golden plans', () => {
  for (const name of cases) {
    test(name, async () => {
      const work = mkdtempSync(join(tmpdir(), `golden-${name}-`));
      cpSync(join(root, 'cases', name), work, { recursive: true });
      const [planned, ...applied] = steps(work).reverse();
      for (const step of applied.reverse()) await applyAll(load(join(work, step)));
      const desired = load(join(work, planned!));
      const s = await openSession(desired);
      try {
        const { plan } = computePlan(desired, s.observation);
        compare(name, 'txt', renderPlanText(plan));
        compare(name, 'json', JSON.stringify(plan, null, 2) + '\n');
      } finally {
        await s.close();
      }
    });
  }
});
