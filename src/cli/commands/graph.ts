import { renderDot, renderMermaid } from '../../plan/render-graph.js';
import { jsonDocument } from '../../ui/json.js';
import { computePlan, loadDesired, openSession, type PlanChoices } from '../pipeline.js';

export async function graphCommand(opts: PlanChoices & { file: string; format: 'dot' | 'mermaid'; json?: boolean }): Promise<number> {
  const desired = loadDesired(opts.file);
  const session = await openSession(desired);
  try {
    const { plan } = computePlan(desired, session.observation, opts);
    if (opts.json) {
      // The same graph as data: actions as nodes, `after` as edges (prerequisite → dependent).
      const nodes = plan.actions.map((a) => ({ id: a.id, kind: a.kind, machine: a.machine, cause: a.cause }));
      const edges = plan.actions.flatMap((a) => a.after.map((from) => ({ from, to: a.id })));
      process.stdout.write(jsonDocument({ cluster: plan.cluster, nodes, edges }));
    } else process.stdout.write(opts.format === 'mermaid' ? renderMermaid(plan) : renderDot(plan));
    return 0;
  } finally {
    await session.close();
  }
}
