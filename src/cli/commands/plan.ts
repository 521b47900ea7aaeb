import { renderPlanText } from '../../plan/render-text.js';
import { hasChanges } from '../../plan/summary.js';
import { computePlan, loadDesired, openSession, type PlanChoices } from '../pipeline.js';
import { writeSavedPlan } from '../saved-plan.js';

export interface PlanOptions extends PlanChoices {
  file: string;
  json?: boolean;
  out?: string;
  detailedExitcode?: boolean;
}

/** Exit: 1 when a replica cannot be placed; with --detailed-exitcode 2 when there are changes. */
export async function planCommand(opts: PlanOptions): Promise<number> {
  const desired = loadDesired(opts.file);
  const session = await openSession(desired);
  try {
    const { plan } = computePlan(desired, session.observation, opts);
    process.stdout.write(opts.json ? JSON.stringify(plan, null, 2) + '\n' : renderPlanText(plan));
    if (opts.out) {
      writeSavedPlan(opts.out, desired, session.observation.observed, plan, opts);
      process.stderr.write(`Saved the plan to ${opts.out}. Apply exactly it with: cluster apply ${opts.out}\n`);
    }
    if (plan.unschedulable.length || plan.blocked.length) return 1;
    // Replicas that could not be seen are not known to match: a pipeline must not read that as converged.
    return opts.detailedExitcode && (hasChanges(plan) || plan.unseen) ? 2 : 0;
  } finally {
    await session.close();
  }
}
