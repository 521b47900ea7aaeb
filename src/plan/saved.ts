// Saved plans (`plan -o file`, `apply file`): the plan plus digests of what it was made from.
// Applying refuses a plan whose manifest or observed cluster changed since: that plan is stale.
import type { Desired } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import { sha256OfJson } from '../manifest/hash.js';
import type { Plan } from './types.js';

export interface SavedPlan {
  format_version: '1.0';
  kind: 'cluster.saved-plan';
  manifest: { file: string; digest: string };
  observed_digest: string;
  plan: Plan;
}

export function savePlan(desired: Desired, observed: Observed, plan: Plan): SavedPlan {
  return {
    format_version: '1.0',
    kind: 'cluster.saved-plan',
    manifest: { file: desired.file, digest: desiredDigest(desired) },
    observed_digest: observedDigest(observed),
    plan,
  };
}

export function desiredDigest(desired: Desired): string {
  return sha256OfJson(desired);
}

/** Digest of what matters to a plan; engine versions and such are in, so any drift makes it stale. */
export function observedDigest(observed: Observed): string {
  return sha256OfJson(observed);
}

export type Staleness = { stale: false } | { stale: true; why: string };

export function checkSavedPlan(saved: SavedPlan, desired: Desired, observed: Observed): Staleness {
  if (saved.manifest.digest !== desiredDigest(desired)) return { stale: true, why: `the manifest ${saved.manifest.file} (or its .env / environment) changed since the plan was saved` };
  if (saved.observed_digest !== observedDigest(observed)) return { stale: true, why: 'the cluster changed since the plan was saved' };
  return { stale: false };
}

export function isSavedPlan(x: unknown): x is SavedPlan {
  return !!x && typeof x === 'object' && (x as SavedPlan).kind === 'cluster.saved-plan' && (x as SavedPlan).format_version === '1.0';
}
