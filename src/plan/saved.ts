// Saved plans (`plan -o file`, `apply file`): the plan, sealed. The file records what the plan was made
// from (manifest, compose files, profiles, scheduler choices, digests of the manifest and of the observed
// cluster) and a digest of the plan body. `apply file` never executes the file's actions as written: it
// makes the plan again from the same inputs and applies it only when it is identical to the saved one,
// so an edited file (an added removal, a changed `after`) or a stale one is refused before anything runs.
import type { Desired, StrategyName } from '../model/desired.js';
import type { Observed, ObservedMachine } from '../model/observed.js';
import { canonicalJson, sha256OfJson } from '../manifest/hash.js';
import type { Action, ActionKind, Plan } from './types.js';

export const SAVED_PLAN_FORMAT = '2.0';

/** The command-line choices a plan depends on; `apply FILE` reuses them so the plan made again is the same. */
export interface SavedChoices {
  strategy: StrategyName | null;
  seed: number | null;
  target: string[];
}

export interface SavedPlan {
  format_version: typeof SAVED_PLAN_FORMAT;
  kind: 'cluster.saved-plan';
  /** Absolute paths; `compose` and `profiles` are the CLI's -c and --profile (the manifest's own are in its digest). */
  manifest: { file: string; compose: string[]; profiles: string[]; digest: string };
  choices: SavedChoices;
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
  return sha256OfJson({ ...observed, machines: sortedBy(observed.machines, (m) => m.name).map(withoutListOrder) });
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
      ...(e.swarmServices ? { swarmServices: sortedBy(e.swarmServices, (s) => `${s.name}\0${s.id}`) } : {}),
    },
  };
}

/** The apply lock (a network or container of the cluster labelled as its lock), whatever object the lock store uses. */
const notLock = (o: { labels: Record<string, string> }) => o.labels[LOCK_KIND] !== 'lock' && !(LOCK_INFO in o.labels);
const LOCK_KIND = 'io.cluster.kind';
const LOCK_INFO = 'io.cluster.lock';

function sortedBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  return xs.map((x) => [key(x), x] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x);
}

export type Staleness = { stale: false } | { stale: true; why: string };

export function checkSavedPlan(saved: SavedPlan, desired: Desired, observed: Observed): Staleness {
  if (saved.manifest.digest !== desiredDigest(desired)) {
    return { stale: true, why: `the manifest ${saved.manifest.file} (or a file it includes, its .env or the environment) changed since the plan was saved` };
  }
  if (saved.observed_digest !== observedDigest(observed)) return { stale: true, why: 'the cluster changed since the plan was saved' };
  return { stale: false };
}

// ---- structure -------------------------------------------------------------------------------------

type FieldType = 'string' | 'integer' | 'boolean' | 'labels' | 'patch' | 'from';
type Fields = Record<string, FieldType>;

/** Every kind's own fields (all required except `readOnly`); the compiler insists every kind is listed. */
const FIELDS: Record<ActionKind, Fields> = {
  'machine.create': { machine: 'string', driver: 'string', labels: 'labels' },
  'machine.start': { machine: 'string' },
  'machine.remove': { machine: 'string' },
  'engine.labels': { machine: 'string', labels: 'labels', patch: 'patch' },
  'swarm.init': { machine: 'string' },
  'swarm.join': { machine: 'string', role: 'string' },
  'swarm.promote': { machine: 'string' },
  'swarm.demote': { machine: 'string' },
  'swarm.leave': { machine: 'string' },
  'image.ensure': { machine: 'string', image: 'string' },
  'image.build': { machine: 'string', service: 'string', image: 'string', context: 'string' },
  'network.create': { machine: 'string', network: 'string', driver: 'string', labels: 'labels' },
  'network.remove': { machine: 'string', network: 'string' },
  'service.create': { machine: 'string', service: 'string', name: 'string' },
  'service.update': { machine: 'string', service: 'string', name: 'string', serviceId: 'string', patch: 'patch' },
  'service.remove': { machine: 'string', service: 'string', name: 'string', serviceId: 'string' },
  'container.create': { machine: 'string', service: 'string', replica: 'integer', name: 'string' },
  'container.start': { machine: 'string', service: 'string', replica: 'integer', name: 'string', containerId: 'string' },
  'container.remove': { machine: 'string', service: 'string', replica: 'integer', name: 'string', containerId: 'string' },
  'container.replace': { machine: 'string', service: 'string', replica: 'integer', name: 'string', from: 'from', patch: 'patch' },
};

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
const isSha256 = (x: unknown): boolean => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);

function hasType(v: unknown, t: FieldType): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'labels':
      return isObject(v) && Object.values(v).every((s) => typeof s === 'string');
    case 'patch':
      return Array.isArray(v) && v.every((op) => isObject(op) && typeof op.op === 'string' && typeof op.path === 'string');
    case 'from':
      return isObject(v) && typeof v.machine === 'string' && typeof v.containerId === 'string';
  }
}

/** `edited`: well-formed, but the plan no longer matches its digest; the caller may say what differs. */
export type Verified = { ok: true; saved: SavedPlan } | { ok: false; problems: string[]; hint: string; edited?: SavedPlan };

const REPLAN = 'make a new one with `cluster plan -o FILE` and apply that';

/**
 * Is this a saved plan this version can apply: the right format, well-formed, every `after` naming an
 * action of the plan, no two actions with one id, no cycle (a cycle would wait forever), and a body
 * that still matches its digest? Pure; the problems come back as sentences (the first few of them).
 */
export function verifySavedPlan(data: unknown): Verified {
  if (!isObject(data) || data.kind !== 'cluster.saved-plan') {
    return { ok: false, problems: ['it is not a saved plan of cluster (no "kind": "cluster.saved-plan")'], hint: 'make one with `cluster plan -o FILE`' };
  }
  if (data.format_version !== SAVED_PLAN_FORMAT) {
    return {
      ok: false,
      problems: [`it has format_version ${JSON.stringify(data.format_version)}; this version of cluster applies only format ${SAVED_PLAN_FORMAT} (sealed plans)`],
      hint: REPLAN,
    };
  }
  const problems = [...headerProblems(data), ...(isObject(data.plan) ? planProblems(data.plan) : ['"plan" is not an object'])];
  if (problems.length) return { ok: false, problems: firstFew(problems), hint: REPLAN };
  const saved = data as unknown as SavedPlan;
  if (planDigest(saved.plan) !== saved.plan_digest) {
    return { ok: false, problems: ['its plan was edited after it was saved (it no longer matches its plan_digest)'], hint: REPLAN, edited: saved };
  }
  return { ok: true, saved };
}

function headerProblems(data: Record<string, unknown>): string[] {
  const out: string[] = [];
  const m = data.manifest;
  if (!isObject(m)) out.push('"manifest" is not an object');
  else {
    if (typeof m.file !== 'string' || !m.file.startsWith('/')) out.push('"manifest.file" is not an absolute path');
    if (!isStrings(m.compose)) out.push('"manifest.compose" is not a list of files');
    if (!isStrings(m.profiles)) out.push('"manifest.profiles" is not a list of names');
    if (!isSha256(m.digest)) out.push('"manifest.digest" is not a sha256');
  }
  const c = data.choices;
  if (!isObject(c)) out.push('"choices" is not an object');
  else {
    if (c.strategy !== null && !['spread', 'binpack', 'random'].includes(c.strategy as string)) out.push('"choices.strategy" is not spread, binpack, random or null');
    if (c.seed !== null && !Number.isInteger(c.seed)) out.push('"choices.seed" is not an integer or null');
    if (!isStrings(c.target)) out.push('"choices.target" is not a list');
  }
  if (!isSha256(data.observed_digest)) out.push('"observed_digest" is not a sha256');
  if (!isSha256(data.plan_digest)) out.push('"plan_digest" is not a sha256');
  return out;
}

function planProblems(plan: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (plan.format_version !== '1.0') out.push(`"plan.format_version" is ${JSON.stringify(plan.format_version)}, not "1.0"`);
  if (typeof plan.cluster !== 'string') out.push('"plan.cluster" is not a string');
  if (typeof plan.simulated !== 'boolean') out.push('"plan.simulated" is not true or false');
  if (!isObject(plan.placements)) out.push('"plan.placements" is not an object');
  for (const key of ['unschedulable', 'warnings', 'blocked']) if (!Array.isArray(plan[key])) out.push(`"plan.${key}" is not a list`);
  if (!Array.isArray(plan.actions)) return [...out, '"plan.actions" is not a list'];
  const actions = plan.actions as unknown[];
  const ids = new Set<string>();
  actions.forEach((a, i) => {
    const at = `action #${i + 1}`;
    if (!isObject(a)) return void out.push(`${at} is not an object`);
    if (typeof a.id !== 'string' || !a.id) return void out.push(`${at} has no id`);
    const name = `action ${a.id}`;
    if (ids.has(a.id)) out.push(`${name} appears twice: ids must be unique`);
    ids.add(a.id);
    const fields = Object.hasOwn(FIELDS, a.kind as string) ? FIELDS[a.kind as ActionKind] : undefined;
    if (!fields) out.push(`${name} has an unknown kind ${JSON.stringify(a.kind)}`);
    if (!isStrings(a.after)) out.push(`${name}: "after" is not a list of action ids`);
    if (a.reason !== undefined && typeof a.reason !== 'string') out.push(`${name}: "reason" is not a string`);
    for (const [field, type] of Object.entries(fields ?? {})) if (!hasType(a[field], type)) out.push(`${name}: "${field}" is not ${describe(type)}`);
    if (a.kind === 'engine.labels' && a.readOnly !== undefined && typeof a.readOnly !== 'boolean') out.push(`${name}: "readOnly" is not true or false`);
  });
  for (const a of actions) {
    if (!isObject(a) || !isStrings(a.after)) continue;
    for (const d of a.after) {
      if (d === a.id) out.push(`action ${a.id} waits for itself`);
      else if (!ids.has(d)) out.push(`action ${String(a.id)} waits for ${d}, which is not in the plan`);
    }
  }
  if (out.length === 0) {
    const cycle = findCycle(actions as Action[]);
    if (cycle) out.push(`actions wait for each other in a cycle, so none of them could ever start: ${cycle.join(' → ')}`);
  }
  return out;
}

function describe(t: FieldType): string {
  return { string: 'a string', integer: 'an integer', boolean: 'true or false', labels: 'a map of strings', patch: 'a JSON Patch', from: 'a {machine, containerId}' }[t];
}

/** One cycle of `after` edges as ids (first id repeated at the end), or undefined. Iterative: plans can be huge. */
export function findCycle(actions: readonly Pick<Action, 'id' | 'after'>[]): string[] | undefined {
  const after = new Map(actions.map((a) => [a.id, a.after]));
  const state = new Map<string, 'open' | 'done'>();
  for (const root of actions) {
    if (state.has(root.id)) continue;
    const path: string[] = [root.id];
    const next: number[] = [0];
    state.set(root.id, 'open');
    while (path.length) {
      const id = path[path.length - 1]!;
      const deps = after.get(id) ?? [];
      const i = next[next.length - 1]!;
      if (i >= deps.length) {
        state.set(id, 'done');
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const dep = deps[i]!;
      if (!after.has(dep)) continue;
      if (state.get(dep) === 'open') return [...path.slice(path.indexOf(dep)), dep];
      if (state.get(dep) === 'done') continue;
      state.set(dep, 'open');
      path.push(dep);
      next.push(0);
    }
  }
  return undefined;
}

// ---- comparison ------------------------------------------------------------------------------------

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
  if (given.target !== undefined && differs(given.target, saved.choices.target)) out.push(`--target ${given.target.join(' --target ')} is not what the plan was made with (${listed(saved.choices.target)})`);
  return out;
}

function listed(xs: string[]): string {
  return xs.length ? xs.join(', ') : 'none';
}
