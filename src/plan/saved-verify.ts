// Saved plans, step one: is this file a saved plan this version can apply at all? Its format, the type
// of every field of every action kind, `after` ids that exist, no repeated id, no cycle, and a body
// that still matches its digest. Pure; problems come back as sentences. (src/plan/saved.ts: the format.)
import { firstFew } from './saved-compare.js';
import { SAVED_PLAN_FORMAT, planDigest, type SavedPlan } from './saved.js';
import { CAUSES, type Action, type ActionKind, type Cause } from './types.js';

type FieldType = 'string' | 'integer' | 'boolean' | 'labels' | 'patch' | 'from';
type Fields = Record<string, FieldType>;

/** Every kind's own fields (all required except `readOnly`); the compiler insists every kind is listed. */
const FIELDS: Record<ActionKind, Fields> = {
  'machine.create': { machine: 'string', driver: 'string', labels: 'labels' },
  'machine.start': { machine: 'string' },
  'machine.remove': { machine: 'string' },
  'machine.resize': { machine: 'string', patch: 'patch' },
  'engine.labels': { machine: 'string', labels: 'labels', patch: 'patch' },
  'swarm.init': { machine: 'string' },
  'swarm.join': { machine: 'string', role: 'string' },
  'swarm.promote': { machine: 'string' },
  'swarm.demote': { machine: 'string' },
  'swarm.leave': { machine: 'string' },
  'swarm.forget': { machine: 'string', nodeId: 'string' },
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
  'machine.availability': { machine: 'string', from: 'string', availability: 'string' },
  'machine.replace': { machine: 'string', driver: 'string', image: 'string' },
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
    if (c.unreachable_grace_ms !== undefined && !(Number.isInteger(c.unreachable_grace_ms) && (c.unreachable_grace_ms as number) >= 0)) out.push('"choices.unreachable_grace_ms" is not a whole number of ms');
    if (c.rebalance !== undefined && c.rebalance !== true) out.push('"choices.rebalance" is not true');
    if (c.destroy !== undefined && c.destroy !== true) out.push('"choices.destroy" is not true');
  }
  const id = data.identity;
  if (id !== undefined && !(isObject(id) && (id.id === null || typeof id.id === 'string') && typeof id.adopted === 'boolean')) out.push('"identity" is not {id: string or null, adopted: true or false}');
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
  if (plan.unhealthy !== undefined && !isStrings(plan.unhealthy)) out.push('"plan.unhealthy" is not a list of sentences');
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
    if (!CAUSES.includes(a.cause as Cause)) out.push(`${name}: "cause" is not one of ${CAUSES.join(', ')}`);
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
