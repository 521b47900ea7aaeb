// `cluster show [PLANFILE]`, as `terraform show`: a saved plan as its text (or, with --json, the saved
// document itself, format docs/PLAN_FORMAT.md); without a file, the cluster's current status.
import { UserError } from '../../model/diagnostic.js';
import { verifySavedPlan } from '../../plan/saved.js';
import { renderPlanText } from '../../plan/render-text.js';
import { planForStdout } from '../../ui/colour.js';
import { readJson } from '../saved-plan.js';
import { statusCommand } from './status.js';

export async function showCommand(planFile: string | undefined, opts: { file: string; json?: boolean }): Promise<number> {
  if (planFile === undefined) return statusCommand(opts);
  const document = readJson(planFile);
  const verified = verifySavedPlan(document);
  // An edited or foreign file is shown for what it is not: apply would refuse it, so show says why.
  if (!verified.ok) throw UserError.plain(`${planFile} is not a plan apply would run: ${verified.problems.join('; ')}`, verified.hint);
  if (opts.json) {
    process.stdout.write(JSON.stringify(document, null, 2) + '\n');
    return 0;
  }
  const { saved } = verified;
  const what = saved.choices.destroy ? 'destroy plan' : 'plan';
  const target = saved.choices.target.length ? `, --target ${saved.choices.target.join(' --target ')}` : '';
  process.stdout.write(`Saved ${what} ${planFile} (manifest ${saved.manifest.file}${target}); apply it with \`cluster apply ${planFile}\`\n\n`);
  process.stdout.write(planForStdout(renderPlanText(saved.plan)));
  return 0;
}
