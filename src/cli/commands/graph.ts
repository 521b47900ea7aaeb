import { renderDot, renderMermaid } from '../../plan/render-graph.js';
import { computePlan, loadDesired, openSession, type PlanChoices } from '../pipeline.js';

export async function graphCommand(opts: PlanChoices & { file: string; format: 'dot' | 'mermaid' }): Promise<number> {
  const desired = loadDesired(opts.file);
  const session = await openSession(desired);
  try {
    const { plan } = computePlan(desired, session.observation, opts);
    process.stdout.write(opts.format === 'mermaid' ? renderMermaid(plan) : renderDot(plan));
    return 0;
  } finally {
    await session.close();
  }
}
