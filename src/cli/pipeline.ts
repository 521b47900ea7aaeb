// The one data flow every command shares: manifest → desired; drivers → observed; place; plan.
import { mkdirSync } from 'node:fs';
import { UserError, type Diagnostic } from '../model/diagnostic.js';
import type { Desired, StrategyName } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Placement } from '../model/placement.js';
import { makePlan } from '../plan/index.js';
import { honourIgnoreChanges } from '../plan/ignore.js';
import { targetPlan } from '../plan/target.js';
import type { Plan } from '../plan/types.js';
import { closeDrivers, openDrivers, stateDir, type Drivers } from '../providers/index.js';
import { acquire, type LockHandle } from '../reconcile/lock.js';
import type { LockStore } from '../providers/lock-store.js';
import { fileLockStore } from '../reconcile/lock-file.js';
import { afterStartLimitMs, observe, type Observation } from '../reconcile/observe.js';
import { resolveImageDigests } from '../reconcile/image-digests.js';
import { ensureIdentity, readIdentity } from '../reconcile/identity-file.js';
import { chooseAdoption } from './adopt.js';
import { protectedMachines } from '../reconcile/protection.js';
import { applySilence, silenceFile } from '../reconcile/silence.js';
import { place } from '../sched/index.js';
import { formatDiagnostic } from '../ui/diagnostic.js';
import { defaultMachinesNote, loadManifestWithOptions, usesDefaultMachines } from './manifest-options.js';
import { traitsOf } from '../providers/index.js';
import { trace } from '../reconcile/trace.js';

export function loadDesired(file: string): Desired {
  const result = loadManifestWithOptions(file);
  if (!result.ok) throw new UserError(result.diagnostics);
  if (usesDefaultMachines(file)) process.stderr.write(defaultMachinesNote(file) + '\n');
  printWarnings(result.warnings);
  return result.desired;
}

export function printWarnings(warnings: Diagnostic[]): void {
  for (const w of warnings) process.stderr.write(formatDiagnostic(w) + '\n');
}

export interface Session {
  desired: Desired;
  drivers: Drivers;
  observation: Observation;
  /** This folder's identity, and whether this run made it (a first apply). */
  identity: { id?: string; created: boolean };
  close(): Promise<void>;
}

/**
 * With `lock`, the cluster's apply lock is taken before observing and released by close(), and the
 * folder's identity is made if it has none (a run that changes things labels them with it); without,
 * nothing is written. `adopt`: observe as the checkout chosen by --adopt (src/cli/adopt.ts).
 */
export async function openSession(desired: Desired, lock?: { command: string; timeoutMs: number; signal?: AbortSignal }, opts: { adopt?: string | true; purge?: boolean } = {}): Promise<Session> {
  trace('manifest loaded');
  const drivers = await openDrivers(desired, { purge: opts.purge });
  trace('drivers open');
  let held: LockHandle | undefined;
  try {
    if (lock) held = await acquire(lockStoreOf(desired, drivers), lock.command, lock.timeoutMs, (line) => process.stderr.write(`${line}\n`), { signal: lock.signal });
    if (lock) trace('lock held');
    const identity = lock ? ensureIdentity(stateDir(desired), desired.name) : { id: readIdentity(stateDir(desired), desired.name), created: false };
    const observation = await observeCluster(desired, drivers, !!lock, { identity: identity.id });
    trace('observed');
    if (opts.adopt !== undefined) {
      const id = chooseAdoption(observation.observed, opts.adopt);
      if (id !== observation.observed.identity) Object.assign(observation.observed, { identity: id, adopted: true });
    }
    return {
      desired,
      drivers,
      observation,
      identity,
      // The lock goes even when saving driver state fails: a stuck lock would stop every later run.
      close: async () => {
        try {
          await closeDrivers(drivers);
        } finally {
          await held?.release();
        }
      },
    };
  } catch (err) {
    try {
      await closeDrivers(drivers);
    } finally {
      await held?.release();
    }
    throw err;
  }
}

/**
 * Observe, plus what this folder remembers about what was seen: protected machines, and since when
 * silent engines have been silent. `locked`: this run holds the apply lock and may update the record.
 */
export async function observeCluster(desired: Desired, drivers: Drivers, locked: boolean, as: Pick<Observed, 'identity' | 'adopted'> = {}, timeoutMs?: number): Promise<Observation> {
  const observation = await observe(desired.name, drivers, { identity: as.identity, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  if (as.adopted) observation.observed.adopted = true;
  const guarded = protectedMachines(desired, observation.observed.machines.map((m) => m.name));
  for (const m of observation.observed.machines) if (guarded.has(m.name)) m.protected = true;
  applySilence(silenceFile(stateDir(desired), desired.name), observation.observed, new Date(), locked);
  const digests = await resolveImageDigests(desired, drivers, observation.observed, observation.records);
  if (digests) observation.observed.imageDigests = digests;
  return observation;
}

/**
 * Observe again under the lock this run holds, as the same checkout, and plan: what apply, watch and
 * repair do after a plan that started machines it could not see into (and upgrade after restarting an
 * engine). `base` is the manifest as written (protection, state folder); `desired` what is planned towards
 * (emptied for destroy). Engines just started may answer late (afterStartLimitMs).
 */
export async function observeAndPlan(base: Desired, desired: Desired, drivers: Drivers, as: Pick<Observed, 'identity' | 'adopted'>, choices: PlanChoices = {}): Promise<{ observation: Observation; plan: Plan }> {
  const observation = await observeCluster(base, drivers, true, as, afterStartLimitMs());
  return { observation, plan: computePlan(desired, observation, choices).plan };
}

/** The docker driver's host engine when the cluster has docker machines, else the state folder. */
export function lockStoreOf(desired: Desired, drivers: Drivers): LockStore {
  const shared = [...drivers.values()].find((d) => d.lockStore);
  if (shared) return shared.lockStore!();
  mkdirSync(stateDir(desired), { recursive: true });
  return fileLockStore(stateDir(desired), desired.name);
}

export interface PlanChoices {
  strategy?: StrategyName;
  seed?: number;
  target?: string[];
  /** A destroy plan (`plan --destroy`, recorded in saved plans): see destroyDesired. */
  destroy?: boolean;
  /** How long replicas that may be on a silent engine are kept before they are placed elsewhere (ms). */
  unreachableGrace?: number;
  /** `--rebalance`: move replicas to restore the strategy's balance (src/sched/moves.ts). */
  rebalance?: boolean;
}

/** `converged: false` skips the scheduler's converged path (src/sched/converged.ts): the test that holds it to the full path does. */
export function computePlan(desired: Desired, observation: Observation, choices: PlanChoices = {}, { converged = true } = {}): { placement: Placement; plan: Plan } {
  // x-cluster.ignore_changes: differences only in ignored fields are none for placement and plan (src/plan/ignore.ts).
  const honoured = honourIgnoreChanges(desired, observation.observed);
  const placement = place(honoured.desired, honoured.observed, { strategy: choices.strategy, seed: choices.seed, now: Date.now(), silentGraceMs: choices.unreachableGrace, rebalance: choices.rebalance === true, converged });
  const made = makePlan(honoured.desired, honoured.observed, placement);
  const plan = honoured.notes.length ? { ...made, notes: [...(made.notes ?? []), ...honoured.notes] } : made;
  trace('planned');
  return { placement, plan: choices.target?.length ? targetPlan(plan, choices.target, desired, observation.observed) : plan };
}

/** What a destroy plans towards: the manifest without what --target names, or without anything. */
export function destroyDesired(desired: Desired, targets: string[] | undefined): Desired {
  return targets?.length ? withoutTargets(desired, targets) : emptied(desired);
}

/** `destroy --target`: the manifest without the targeted machines and services (the plan then removes those, as Terraform's destroy -target). */
export function withoutTargets(desired: Desired, targets: string[]): Desired {
  const named = new Set(targets);
  return { ...desired, destroying: true, services: desired.services.filter((s) => !named.has(`service.${s.name}`)), machines: desired.machines.filter((m) => !named.has(`machine.${m.name}`)) };
}

/** `destroy` is a plan towards "nothing": no services, no machines — except adopted (generic) hosts. */
export function emptied(desired: Desired): Desired {
  // Adopted generic hosts stay; what this cluster put on them (containers, networks) goes.
  const { networks: _networks, ...rest } = desired;
  return { ...rest, destroying: true, services: [], machines: desired.machines.filter((m) => traitsOf(m.driver).adopted) };
}
