import { renderPlanText } from '../../plan/render-text.js';
import { planForStdout } from '../../ui/colour.js';
import { countEffects, hasDrift } from '../../plan/summary.js';
import { computePlan, destroyDesired, loadDesired, openSession, type PlanChoices } from '../pipeline.js';
import { writeSavedPlan } from '../saved-plan.js';

export interface PlanOptions extends PlanChoices {
  file: string;
  json?: boolean;
  out?: string;
  detailedExitcode?: boolean;
  /** Plan as the checkout --adopt chooses (nothing is written: apply records it). */
  adopt?: string | true;
}

/** Exit: 1 when a replica cannot be placed; with --detailed-exitcode 2 when there are changes or the cluster is unhealthy (lost quorum). */
export async function planCommand(opts: PlanOptions): Promise<number> {
  const desired = loadDesired(opts.file);
  const session = await openSession(desired, undefined, { adopt: opts.adopt });
  try {
    const { plan } = computePlan(opts.destroy ? destroyDesired(desired, opts.target) : desired, session.observation, opts);
    process.stdout.write(opts.json ? JSON.stringify({ ...plan, summary: countEffects(plan.actions) }, null, 2) + '\n' : planForStdout(renderPlanText(plan)));
    if (opts.out) {
      writeSavedPlan(opts.out, desired, session.observation.observed, plan, opts);
      process.stderr.write(`Saved the plan to ${opts.out}. Apply exactly it with: cluster apply ${opts.out}\n`);
    }
    if (plan.unschedulable.length || plan.blocked.length) return 1;
    return opts.detailedExitcode && hasDrift(plan) ? 2 : 0;
  } finally {
    await session.close();
  }
}
