// Saved plans (`plan -o file`, `apply file`): the plan, sealed. The file records what the plan was made
// from (manifest, compose files, profiles, scheduler choices, digests of the manifest and of the observed
// cluster) and a digest of the plan body. `apply file` never executes the file's actions as written: it
// makes the plan again from the same inputs and applies it only when it is identical to the saved one,
// so an edited file (an added removal, a changed `after`) or a stale one is refused before anything runs.
import type { Desired, StrategyName } from '../model/desired.js';
import { isLockObject, type Observed, type ObservedMachine } from '../model/observed.js';
import { sha256OfJson } from '../manifest/hash.js';
import type { Plan } from './types.js';

export const SAVED_PLAN_FORMAT = '2.1';

/** The command-line choices a plan depends on; `apply FILE` reuses them so the plan made again is the same. */
export interface SavedChoices {
  strategy: StrategyName | null;
  seed: number | null;
  target: string[];
  /** --unreachable-grace in ms; absent in plans saved before it existed (the default then). */
  unreachable_grace_ms?: number;
  /** --rebalance; absent: not given. */
  rebalance?: true;
  /** `plan --destroy`: apply FILE destroys (what --target names, or everything). Absent: not a destroy. */
  destroy?: true;
}

export interface SavedPlan {
  format_version: typeof SAVED_PLAN_FORMAT;
  kind: 'cluster.saved-plan';
  /** Absolute paths; `compose` and `profiles` are the CLI's -c and --profile (the manifest's own are in its digest). */
  manifest: { file: string; compose: string[]; profiles: string[]; digest: string };
  choices: SavedChoices;
  /**
   * The checkout the plan was made as (`.cluster/<cluster>.identity`, or the id `--adopt` chose);
   * null: the folder had none yet. Absent in files of earlier versions (read as null, not adopted).
   * `apply FILE` as another checkout is refused: the plan's idea of which objects are ours would be wrong.
   */
  identity?: { id: string | null; adopted: boolean };
  observed_digest: string;
  /** sha256 of the canonical JSON (sorted keys) of `plan`. */
  plan_digest: string;
  plan: Plan;
}

export interface SavedPlanSource {
  desired: Desired;
  observed: Observed;
  compose: string[];
  profiles: string[];
  choices: SavedChoices;
}

export function savePlan(source: SavedPlanSource, plan: Plan): SavedPlan {
  const body = sealedBody(plan);
  return {
    format_version: SAVED_PLAN_FORMAT,
    kind: 'cluster.saved-plan',
    manifest: { file: source.desired.file, compose: source.compose, profiles: source.profiles, digest: desiredDigest(source.desired) },
    choices: source.choices,
    identity: { id: source.observed.identity ?? null, adopted: source.observed.adopted === true },
    observed_digest: observedDigest(source.observed),
    plan_digest: planDigest(body),
    plan: body,
  };
}

/** The plan as a file holds it (plain JSON: no undefined fields): what is sealed, and what a fresh plan is compared as. */
export function sealedBody(plan: Plan): Plan {
  return JSON.parse(JSON.stringify(plan)) as Plan;
}

export function planDigest(plan: Plan): string {
  return sha256OfJson(plan);
}

export function desiredDigest(desired: Desired): string {
  return sha256OfJson(desired);
}

/**
 * Digest of the observed cluster; engine versions and such are in, so any drift makes a plan stale. Not
 * in: the order engines list things in (Docker lists networks in map order) and the apply lock object,
 * which `apply FILE` itself holds while it observes but `plan -o` did not.
 */
export function observedDigest(observed: Observed): string {
  // Who observes is not what is observed: the identity is checked on its own (checkSavedPlan), with its own message.
  const { identity: _identity, adopted: _adopted, ...cluster } = observed;
  return sha256OfJson({ ...cluster, machines: sortedBy(observed.machines, (m) => m.name).map(withoutListOrder) });
}

function withoutListOrder(m: ObservedMachine): ObservedMachine {
  if (!m.engine) return m;
  const e = m.engine;
  return {
    ...m,
    engine: {
      ...e,
      containers: sortedBy(e.containers.filter(notLock), (c) => `${c.name}\0${c.id}`),
      images: sortedBy(e.images, (i) => i.id),
      ...(e.networks ? { networks: sortedBy(e.networks.filter(notLock), (n) => `${n.name}\0${n.id}`) } : {}),
      // Task counts move while tasks start: a plan saved just after an apply must not read as stale.
      ...(e.swarmServices ? { swarmServices: sortedBy(e.swarmServices, (s) => `${s.name}\0${s.id}`).map(({ tasks: _tasks, ...s }) => s) } : {}),
    },
  };
}

const notLock = (o: { labels: Record<string, string> }) => !isLockObject(o.labels);

function sortedBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  return xs.map((x) => [key(x), x] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x);
}

export type Staleness = { stale: false } | { stale: true; why: string };

/** `identityCreated`: this run made the folder's identity just now (the plan was saved before the first apply). */
export function checkSavedPlan(saved: SavedPlan, desired: Desired, observed: Observed, identityCreated = false): Staleness {
  const planned = saved.identity?.id ?? null;
  const now = observed.identity ?? null;
  if (planned !== now && !(planned === null && identityCreated)) {
    return {
      stale: true,
      why: `it was made as checkout ${planned ?? '(none: the folder had no identity yet)'} of cluster "${saved.plan.cluster}", and this folder is now checkout ${now ?? '(none)'}: which objects are this checkout's differs`,
    };
  }
  if (saved.manifest.digest !== desiredDigest(desired)) {
    return { stale: true, why: `the manifest ${saved.manifest.file} (or a file it includes, its .env or the environment) changed since the plan was saved` };
  }
  if (saved.observed_digest !== observedDigest(observed)) return { stale: true, why: 'the cluster changed since the plan was saved' };
  return { stale: false };
}

export { findCycle, verifySavedPlan, type Verified } from './saved-verify.js';
export { comparePlans, firstFew, invocationConflicts, type Invocation } from './saved-compare.js';
