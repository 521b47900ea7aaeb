// Saved plans, step two: what differs between the saved plan and the plan made again from the same
// inputs, and between the saved plan and the command line it is applied with. Pure; sentences.
import { canonicalJson } from '../manifest/hash.js';
import type { StrategyName } from '../model/desired.js';
import { sealedBody, type SavedPlan } from './saved.js';
import type { Plan } from './types.js';

/**
 * What differs between the saved plan and the plan made again from the same inputs, as sentences
 * (empty = identical, actions included, in the same order). `fresh` is compared as it would be saved.
 */
export function comparePlans(saved: Plan, freshPlan: Plan): string[] {
  const fresh = sealedBody(freshPlan);
  const out: string[] = [];
  const freshById = new Map(fresh.actions.map((a) => [a.id, a]));
  const savedIds = new Set(saved.actions.map((a) => a.id));
  for (const a of saved.actions) {
    const f = freshById.get(a.id);
    if (!f) {
      out.push(`action ${a.id} is in the saved plan but not in a fresh plan`);
      continue;
    }
    for (const key of new Set([...Object.keys(a), ...Object.keys(f)])) {
      const [was, now] = [(a as unknown as Record<string, unknown>)[key], (f as unknown as Record<string, unknown>)[key]];
      if (canonicalJson(was) !== canonicalJson(now)) out.push(`action ${a.id}: "${key}" is ${shown(was)} in the saved plan but ${shown(now)} in a fresh plan`);
    }
  }
  for (const f of fresh.actions) if (!savedIds.has(f.id)) out.push(`action ${f.id} is in a fresh plan but not in the saved plan`);
  if (out.length === 0 && saved.actions.some((a, i) => a.id !== fresh.actions[i]?.id)) out.push('the actions are in another order than a fresh plan puts them');
  for (const key of new Set([...Object.keys(saved), ...Object.keys(fresh)])) {
    if (key === 'actions') continue;
    const [was, now] = [(saved as unknown as Record<string, unknown>)[key], (fresh as unknown as Record<string, unknown>)[key]];
    if (canonicalJson(was) !== canonicalJson(now)) out.push(`"${key}" is ${shown(was)} in the saved plan but ${shown(now)} in a fresh plan`);
  }
  return out;
}

function shown(v: unknown): string {
  if (v === undefined) return 'absent';
  const text = canonicalJson(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The first few problems and how many more: a tampered plan of 10,000 actions must not print 10,000 lines. */
export function firstFew(problems: string[], n = 5): string[] {
  return problems.length <= n ? problems : [...problems.slice(0, n), `... and ${problems.length - n} more`];
}

// ---- the command line ------------------------------------------------------------------------------

/** What the command line of `apply FILE` gave explicitly (paths absolute); absent = take the saved plan's. */
export interface Invocation {
  file?: string;
  compose?: string[];
  profiles?: string[];
  strategy?: StrategyName;
  seed?: number;
  target?: string[];
  /** `--adopt` (true: bare) */
  adopt?: string | true;
  rebalance?: boolean;
}

/**
 * Options given to `apply FILE` that contradict the saved plan: applying it would apply something
 * else than the plan that was reviewed (`apply -f b.yml a.plan`), so each is refused, never ignored.
 */
export function invocationConflicts(saved: SavedPlan, given: Invocation): string[] {
  const out: string[] = [];
  const differs = (a: unknown, b: unknown) => canonicalJson(a) !== canonicalJson(b);
  if (given.file !== undefined && given.file !== saved.manifest.file) out.push(`-f ${given.file} is not the manifest the plan was made from (${saved.manifest.file})`);
  if (given.compose !== undefined && differs(given.compose, saved.manifest.compose)) out.push(`-c ${given.compose.join(' -c ')} is not what the plan was made with (${listed(saved.manifest.compose)})`);
  if (given.profiles !== undefined && differs(given.profiles, saved.manifest.profiles)) out.push(`--profile ${given.profiles.join(' --profile ')} is not what the plan was made with (${listed(saved.manifest.profiles)})`);
  if (given.strategy !== undefined && given.strategy !== saved.choices.strategy) out.push(`--strategy ${given.strategy} is not what the plan was made with (${saved.choices.strategy ?? 'the manifest’s strategy'})`);
  if (given.seed !== undefined && given.seed !== saved.choices.seed) out.push(`--seed ${given.seed} is not what the plan was made with (${saved.choices.seed ?? 'the manifest’s seed'})`);
  if (given.rebalance && !saved.choices.rebalance) out.push('--rebalance is not what the plan was made with (made without it)');
  if (given.adopt !== undefined) {
    const planned = saved.identity?.adopted ? saved.identity.id : null;
    if (planned === null || (given.adopt !== true && !planned.startsWith(given.adopt))) out.push(`--adopt${given.adopt === true ? '' : ` ${given.adopt}`} is not what the plan was made with (${planned ? `--adopt ${planned}` : 'no --adopt'})`);
  }
  if (given.target !== undefined && differs(given.target, saved.choices.target)) out.push(`--target ${given.target.join(' --target ')} is not what the plan was made with (${listed(saved.choices.target)})`);
  return out;
}

function listed(xs: string[]): string {
  return xs.length ? xs.join(', ') : 'none';
}
