// `plan -o FILE` and `apply FILE`: the file I/O and the command line around src/plan/saved.ts.
// apply checks in two steps: before the lock (the file is well-formed, acyclic, sealed, and the command
// line does not contradict it), then under the lock (not stale, and a plan made again now is identical).
import { realpathSync } from 'node:fs';
import { readUserFile } from '../manifest/user-file.js';
import { resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { UserError } from '../model/diagnostic.js';
import type { Desired } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import { checkSavedPlan, comparePlans, firstFew, invocationConflicts, savePlan, verifySavedPlan, type SavedChoices, type SavedPlan } from '../plan/saved.js';
import type { Plan } from '../plan/types.js';
import type { Observation } from '../reconcile/observe.js';
import { manifestOptions, setManifestOptions } from './manifest-options.js';
import { computePlan, destroyDesired, loadDesired, openSession, type PlanChoices } from './pipeline.js';

/** Far above any real plan (a 100,000-action plan is ~40 MB); a bound, so /dev/zero cannot be read forever. */
const MAX_BYTES = 512 * 1024 * 1024;
const REPLAN = 'make a new plan with `cluster plan -o FILE` and apply that';

export function writeSavedPlan(out: string, desired: Desired, observed: Observed, plan: Plan, choices: PlanChoices): void {
  const o = manifestOptions();
  const saved = savePlan(
    {
      desired,
      observed,
      compose: o.compose.map((f) => resolve(f)),
      profiles: o.profiles,
      choices: { strategy: choices.strategy ?? null, seed: choices.seed ?? null, target: choices.target ?? [], ...(choices.unreachableGrace !== undefined ? { unreachable_grace_ms: choices.unreachableGrace } : {}), ...(choices.rebalance ? { rebalance: true } : {}), ...(choices.destroy ? { destroy: true } : {}) },
    },
    plan,
  );
  writeFileAtomic.sync(out, JSON.stringify(saved, null, 2) + '\n');
}

export interface SavedPlanRun {
  file: string;
  saved: SavedPlan;
  /** The manifest the plan was made from, loaded with the plan's -c and --profile. */
  desired: Desired;
}

/** Step 1, before the lock: refuse a malformed, cyclic, edited or contradicted plan file; load its manifest. */
export async function openSavedPlan(file: string, given: PlanChoices & { file: string; adopt?: string | true }): Promise<SavedPlanRun> {
  const verified = verifySavedPlan(readJson(file));
  if (!verified.ok) {
    const differences = verified.edited ? await differencesNow(verified.edited) : [];
    throw refused(file, 'this saved plan cannot be applied', [...verified.problems, ...differences], verified.hint);
  }
  const saved = verified.saved;
  const o = manifestOptions();
  const conflicts = invocationConflicts(saved, {
    file: o.fileGiven ? sameFileAs(resolve(given.file), saved.manifest.file) : undefined,
    compose: o.compose.length ? o.compose.map((f) => resolve(f)) : undefined,
    profiles: o.profiles.length ? o.profiles : undefined,
    strategy: given.strategy,
    seed: given.seed,
    target: given.target?.length ? given.target : undefined,
    adopt: given.adopt,
    rebalance: given.rebalance,
  });
  if (conflicts.length) throw refused(file, 'the command line contradicts this saved plan', conflicts, `run \`cluster apply ${file}\` without them to apply the plan as it was made, or make a new plan with these options`);
  setManifestOptions({ ...o, compose: saved.manifest.compose, profiles: saved.manifest.profiles });
  return { file, saved, desired: loadDesired(saved.manifest.file) };
}

/** The `--adopt` a saved plan was made with: apply FILE observes as the same checkout. */
export function savedAdoption(run: SavedPlanRun): string | undefined {
  const id = run.saved.identity;
  return id?.adopted && id.id !== null ? id.id : undefined;
}

/** Step 2, under the lock: the plan made again from the same inputs, or a refusal saying why it is not the saved one. */
/** `identityCreated`: this run made the folder's identity (its first apply). */
export function sealedPlanNow(run: SavedPlanRun, observation: Observation, identityCreated = false): Plan {
  const staleness = checkSavedPlan(run.saved, run.desired, observation.observed, identityCreated);
  if (staleness.stale) throw UserError.plain(`the saved plan ${run.file} is stale: ${staleness.why}; nothing was changed`, 'run `cluster plan -o FILE` again and apply the new file');
  const fresh = computePlan(plannedFrom(run.desired, run.saved.choices), observation, planChoices(run.saved.choices)).plan;
  const differences = comparePlans(run.saved.plan, fresh);
  if (differences.length) throw refused(run.file, 'this saved plan is not the plan its manifest and the cluster give (it was edited)', firstFew(differences), REPLAN);
  return fresh;
}

function planChoices(c: SavedChoices): PlanChoices {
  return { strategy: c.strategy ?? undefined, seed: c.seed ?? undefined, target: c.target.length ? c.target : undefined, unreachableGrace: c.unreachable_grace_ms, ...(c.rebalance ? { rebalance: true } : {}), ...(c.destroy ? { destroy: true } : {}) };
}

/** The desired state a saved plan was made towards: its manifest, or (plan --destroy) what a destroy leaves. */
function plannedFrom(desired: Desired, c: SavedChoices): Desired {
  return c.destroy ? destroyDesired(desired, c.target) : desired;
}

/** For an edited file: what differs from the plan made now, observed without the lock (nothing is changed). */
async function differencesNow(saved: SavedPlan): Promise<string[]> {
  try {
    setManifestOptions({ ...manifestOptions(), compose: saved.manifest.compose, profiles: saved.manifest.profiles });
    const desired = loadDesired(saved.manifest.file);
    const session = await openSession(desired, undefined, { adopt: savedAdoption({ file: '', saved, desired }) });
    try {
      const fresh = computePlan(plannedFrom(desired, saved.choices), session.observation, planChoices(saved.choices)).plan;
      const differences = comparePlans(saved.plan, fresh);
      return firstFew(differences).map((d) => `compared with a plan made now: ${d}`);
    } finally {
      await session.close();
    }
  } catch {
    return []; // the digest alone is reason enough to refuse
  }
}

function refused(planFile: string, why: string, problems: string[], hint: string): UserError {
  const message = `refused: ${why}; nothing was changed:\n${problems.map((p) => `    - ${p}`).join('\n')}`;
  return new UserError([{ severity: 'error', file: resolve(planFile), line: 0, col: 0, message, hint }]);
}

function readJson(planFile: string): unknown {
  const read = readUserFile(planFile, { what: 'the saved plan', maxBytes: MAX_BYTES });
  if (!read.ok) throw UserError.plain(read.message, read.hint ?? 'make one with `cluster plan -o FILE`');
  const text = read.bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw UserError.plain(`the saved plan ${planFile} is not JSON: ${(err as Error).message}`, REPLAN);
  }
}


/** `-f link.yml` names the plan's manifest when both lead to one file (a symlink, `./` or `..` in the path). */
function sameFileAs(given: string, recorded: string): string {
  try {
    return realpathSync(given) === realpathSync(recorded) ? recorded : given;
  } catch {
    return given;
  }
}
