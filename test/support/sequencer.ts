// The order the pool takes test files in. Both projects share one pool of forks (vitest.config.ts), and a
// fork takes the next file as soon as its last one ends, so what starts first decides the wall time:
// - the integration files first: they wait on engines (a Docker-in-Docker machine boots in seconds, a
//   stalled engine is waited out for 15 s) and leave the CPU to the unit files that follow; started last,
//   the longest of them would run alone at the end;
// - within each project, longest first by the last run's durations (vitest's own cache, as its
//   BaseSequencer does), larger files first when there is no cache (a fresh clone on CI).
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export default class IntegrationFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cost = (spec: TestSpecification): [number, number] => {
      const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
      return [this.ctx.cache.getFileTestResults(key)?.duration ?? -1, this.ctx.cache.getFileStats(key)?.size ?? 0];
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
