// A simulated cluster read from its state file keeps its containers in columns (format 2) and is
// observed from them without a row per container (src/providers/sim/state.ts SimColumns). Format 1
// stores a row per container and is read into rows. Whatever the cluster, both must plan the same,
// byte for byte: random converged and near-converged states (a replica missing, stopped, with another
// config, duplicated on another machine, a stranger beside it, a machine gone, stopped or relabelled,
// drained, global services, ignore_changes, --target) are written both ways, planned, and what was
// observed compared as JSON.
import fc from 'fast-check';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import '../support/fast-check-seed.js';
import { computePlan, openSession } from '../../src/cli/pipeline.js';
import { simStatePath } from '../../src/providers/sim/file.js';
import { ensureIdentity, identityFile } from '../../src/reconcile/identity-file.js';
import { asRows, editArb, load, manifest, shapeArb, stateText } from '../support/near-converged.js';

async function planIn(dir: string, target: string[] | undefined): Promise<string> {
  const desired = load(join(dir, 'cluster.yml'));
  const s = await openSession(desired);
  try {
    const plan = JSON.stringify(computePlan(desired, s.observation, { target }).plan);
    // Then what was observed, as a saved plan digests it: JSON reads every container (built now from the columns).
    return `${plan}\n${JSON.stringify(s.observation.observed)}`;
  } finally {
    await s.close();
  }
}

describe('sim state by column', () => {
  test('a state read by column plans exactly as the same state read by row', async () => {
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(shapeArb, shapeArb, fc.array(editArb, { maxLength: 4 }), fc.constantFrom<string[] | undefined>(undefined, ['service.web'], ['machine.d']), async (before, after, edits, target) => {
        const dirs = [mkdtempSync(join(tmpdir(), 'sim-columns-')), mkdtempSync(join(tmpdir(), 'sim-rows-'))];
        for (const dir of dirs) {
          mkdirSync(join(dir, '.cluster'));
          writeFileSync(join(dir, 'cluster.yml'), manifest(after));
        }
        writeFileSync(join(dirs[0]!, 'before.yml'), manifest(before));
        const identity = ensureIdentity(join(dirs[0]!, '.cluster'), 'cols').id;
        copyFileSync(identityFile(join(dirs[0]!, '.cluster'), 'cols'), identityFile(join(dirs[1]!, '.cluster'), 'cols'));
        const text = stateText(load(join(dirs[0]!, 'before.yml')), identity, edits);
        writeFileSync(simStatePath(dirs[0]!, 'cols'), text);
        writeFileSync(simStatePath(dirs[1]!, 'cols'), asRows(text));
        const [byColumn, byRow] = (await Promise.all(dirs.map((d) => planIn(d, target)))) as [string, string];
        // The state (made in the first folder) names that folder in compose labels; each plan also names its own.
        const anyDir = (text: string) => text.replaceAll(dirs[0]!, '<dir>').replaceAll(dirs[1]!, '<dir>');
        expect(anyDir(byColumn)).toBe(anyDir(byRow));
        if (JSON.parse(byColumn.split('\n')[0]!).actions.length) changed++;
      }),
      { numRuns: 60 },
    );
    // The property means something only if many of the cases plan changes.
    expect(changed).toBeGreaterThan(20);
  }, 120_000);
});
