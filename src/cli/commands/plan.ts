import { renderPlan, type PlanForm } from '../../plan/render-compact.js';
import { planForStdout } from '../../ui/colour.js';
import { countEffects, hasDrift } from '../../plan/summary.js';
import { computePlan, destroyDesired, loadDesired, openSession, type PlanChoices } from '../pipeline.js';
import { writeSavedPlan } from '../saved-plan.js';
import { UserError } from '../../model/diagnostic.js';
import { machineGroups } from '../../ui/machine-groups.js';

export interface PlanOptions extends PlanChoices {
  file: string;
  json?: boolean;
  out?: string;
  detailedExitcode?: boolean;
  /** One line per kind of change per service and machine group (the default above COMPACT_ABOVE actions unless --full). */
  compact?: boolean;
  full?: boolean;
  /** Plan as the checkout --adopt chooses (nothing is written: apply records it). */
  adopt?: string | true;
}

export function planForm(o: { compact?: boolean; full?: boolean }): PlanForm {
  if (o.compact && o.full) throw UserError.plain('--compact and --full contradict each other', 'give one of them: --compact summarises per service and machine group, --full lists every action');
  return o.compact ? 'compact' : o.full ? 'full' : 'auto';
}

/** Exit: 1 when a replica cannot be placed; with --detailed-exitcode 2 when there are changes or the cluster is unhealthy (lost quorum). */
export async function planCommand(opts: PlanOptions): Promise<number> {
  const form = planForm(opts);
  const desired = loadDesired(opts.file);
  const session = await openSession(desired, undefined, { adopt: opts.adopt });
  try {
    const { plan } = computePlan(opts.destroy ? destroyDesired(desired, opts.target) : desired, session.observation, opts);
    process.stdout.write(opts.json ? JSON.stringify({ ...plan, summary: countEffects(plan.actions) }, null, 2) + '\n' : planForStdout(renderPlan(plan, form, machineGroups(desired))));
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
