// The order the pool takes test files in. Both projects share one pool of forks (vitest.config.ts), and a
// fork takes the next file as soon as its last one ends, so what starts first decides the wall time:
// - the integration files first: they wait on engines (a Docker-in-Docker machine boots in seconds, a
//   stalled engine is waited out for 15 s) and leave the CPU to the unit files that follow; started last,
//   the longest of them would run alone at the end;
// - within each project, longest first by the last run's durations (vitest's own cache, as its
//   BaseSequencer does), else by test/support/durations.json (a fresh clone on CI has no cache), then
//   larger files first.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { seededRandom } from '../../src/sched/random.js';

/**
 * Each file's duration in a CI-like run (scripts/test-durations.mjs writes it): a fresh clone has no
 * vitest cache, and ordered by size its long small files (a unit file waiting 13 s on timers) started
 * last, leaving a core idle for the last ~40 s of the run.
 */
const KNOWN = JSON.parse(readFileSync(join(import.meta.dirname, 'durations.json'), 'utf8')) as Record<string, number>;

export default class IntegrationFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // CLUSTER_TEST_SHUFFLE=<seed>: files in a random order, to find a file that depends on what another
    // left in a shared worker. vitest's `--sequence.shuffle.files` is dropped once a config names a sequencer.
    const seed = Number(process.env.CLUSTER_TEST_SHUFFLE);
    if (seed) return shuffled(files, seed);
    const cost = (spec: TestSpecification): [number, number] => {
      const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
      return [this.ctx.cache.getFileTestResults(key)?.duration ?? KNOWN[key] ?? -1, this.ctx.cache.getFileStats(key)?.size ?? 0];
    };
    const integration = (spec: TestSpecification) => (spec.project.name.startsWith('integration') ? 0 : 1);
    return [...files].sort((a, b) => {
      if (integration(a) !== integration(b)) return integration(a) - integration(b);
      const [durationA, sizeA] = cost(a);
      const [durationB, sizeB] = cost(b);
      return durationB - durationA || sizeB - sizeA;
    });
  }
}

/** A seeded Fisher–Yates shuffle: the same seed gives the same order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
