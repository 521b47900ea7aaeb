// One replacement of a rolling update (a container.replace the plan put in a batch, src/plan/rollouts.ts),
// with swarmkit's rules (manager/orchestrator/update/updater.go), which this follows and names:
// - a new container counts as updated once it has run for `monitor` since it started and, when the
//   engine reports a health status for it, is healthy (moby's container executor reports a task
//   RUNNING only once healthy); it fails when it exits or turns unhealthy before that;
// - failures are counted against the replicas the update replaces; past max_failure_ratio
//   (failures / replicas > ratio, as failureTriggersAction) failure_action decides: pause (this action
//   fails, later batches are skipped, the replicas not reached keep their old container), continue, or
//   rollback: the replicas this update already replaced get their previous spec back (rollback_config),
//   and a failure while rolling back pauses ("never roll back a rollback");
// - `delay` waits before each batch after the first (updater.go worker sleeps after each task).
// start-first parks the old container under another name (one engine holds a name once), starts the
// new one, and removes the old one only once the new one passed; a failed new one is removed and the
// old one gets its name back. A replica moving to another machine always overlaps that way.
// Ctrl-C (the apply's signal): the monitor wait ends early; a new container that runs (and is healthy)
// is kept and its old one removed, any other is a failure handled as above, so a replica never ends
// with neither container. kill -9: whatever is left is either spec, labelled as such (config-hash),
// and a parked container is still named as its replica, so the next plan retires one of the two.
import { errorMessage, isTransient } from '../../engine/errors.js';
import type { ContainerStatus, Engine } from '../../engine/types.js';
import type { RolloutConfig, ServiceSpec } from '../../model/desired.js';
import { ROLLOUT_DEFAULTS } from '../../manifest/rollout.js';
import { LABEL } from '../../model/observed.js';
import { parkedName } from '../../model/naming.js';
import type { Action } from '../../plan/types.js';
import { createAndStart, createContainer, mountBytes } from './container.js';
import type { ActionContext } from './context.js';

type Replace = Extract<Action, { kind: 'container.replace' }>;

const POLL_MS = 100;

/** A replica this update replaced (or left on its failed new container), with what it ran before. */
interface Replaced {
  replica: number;
  machine: string;
  name: string;
  id: string;
  previous?: { labels: Record<string, string>; spec: ServiceSpec };
}

/** One service's update during one apply: shared by the replacements of all its batches. */
interface Rollout {
  replicas: number;
  failures: string[];
  replaced: Replaced[];
  /** Set once failure_action stopped the update: later replacements do nothing. */
  halted?: string;
  running: Set<Promise<unknown>>;
  /** Replacements finished (by action id: a retried one counts once). */
  settled: Set<string>;
}

const rollouts = new WeakMap<ActionContext, Map<string, Rollout>>();
/** Each replacement's own promise (in `running`): a rollback waits for the others, not for itself. */
const bodies = new WeakMap<Replace, Promise<unknown>>();

function rolloutOf(ctx: ActionContext, a: Replace): Rollout {
  let byService = rollouts.get(ctx);
  if (!byService) rollouts.set(ctx, (byService = new Map()));
  let r = byService.get(a.service);
  if (!r) byService.set(a.service, (r = { replicas: a.rollout!.replicas, failures: [], replaced: [], running: new Set(), settled: new Set() }));
  return r;
}

export async function rollingReplace(ctx: ActionContext, a: Replace): Promise<void> {
  const service = ctx.services.get(a.service);
  if (!service?.update) throw new Error(`service ${a.service} has no update_config in the manifest any more: plan again`);
  const r = rolloutOf(ctx, a);
  const body = replaceOne(ctx, a, service.update, r);
  bodies.set(a, body);
  r.running.add(body);
  try {
    await body;
  } finally {
    r.running.delete(body);
  }
  r.settled.add(a.id);
  // failure_action continue, or failures within max_failure_ratio: the update went on; its last replacement says so.
  if (r.settled.size === r.replicas && r.failures.length && !r.halted) {
    throw new Error(`${a.service}: update finished with ${r.failures.length} of ${r.replicas} replicas failed (failure_action ${service.update.failureAction}, max_failure_ratio ${service.update.maxFailureRatio}): ${r.failures.join('; ')}`);
  }
}

async function replaceOne(ctx: ActionContext, a: Replace, update: RolloutConfig, r: Rollout): Promise<void> {
  if (r.halted) throw new Error(`not replaced: ${r.halted}`);
  if (a.rollout!.batch > 1 && update.delayMs > 0 && !(await pause(update.delayMs, ctx.signal))) {
    throw new Error(`stopped during the delay before batch ${a.rollout!.batch}: #${a.replica} keeps its previous container`);
  }
  if (r.halted) throw new Error(`not replaced: ${r.halted}`);
  const previous = previousOf(ctx, a);
  const outcome = await swap(ctx, {
    machine: a.machine,
    name: a.name,
    from: a.from,
    order: a.rollout!.order,
    monitorMs: update.monitorMs,
    create: async () => createAndStart(ctx, a.machine, a.service, a.replica, a.name),
  });
  if (outcome.id !== undefined) r.replaced.push({ replica: a.replica, machine: a.machine, name: a.name, id: outcome.id, ...(previous ? { previous } : {}) });
  if (outcome.ok) return;

  const what = `${a.name} (#${a.replica} on ${a.machine}) ${outcome.why}`;
  const failure = `${what}, ${outcome.id === undefined ? 'its previous container kept' : 'its new container stays (stop-first: the old one is gone)'}`;
  r.failures.push(failure);
  if (r.halted) return; // another replacement of this batch already stopped the update: it reports
  if (ctx.signal?.aborted) {
    r.halted = 'the update was stopped';
    throw new Error(`${failure}; the update was stopped: replicas not reached keep their previous container`);
  }
  // swarmkit failureTriggersAction: failures / replicas to update > max_failure_ratio.
  if (update.failureAction === 'continue' || r.failures.length / r.replicas <= update.maxFailureRatio) return;
  const rest = `replicas not reached keep their previous container; the next plan shows the update again`;
  if (update.failureAction === 'pause') {
    r.halted = `the update of ${a.service} is paused after ${a.name} failed`;
    throw new Error(`${failure}; update paused (failure_action pause): ${rest}`);
  }
  r.halted = `the update of ${a.service} was rolled back after ${a.name} failed`;
  // The other replacements of this batch finish first: what they replaced is rolled back too.
  await Promise.allSettled([...r.running].filter((p) => p !== bodies.get(a)));
  const back = await rollBack(ctx, a.service, r);
  throw new Error(`${what}; update rolled back (failure_action rollback): ${back}`);
}

/** Every replica this update replaced gets its previous spec again, batch by batch per rollback_config. */
async function rollBack(ctx: ActionContext, serviceName: string, r: Rollout): Promise<string> {
  const config = ctx.services.get(serviceName)?.rollback ?? ROLLOUT_DEFAULTS;
  const todo = [...r.replaced].sort((x, y) => x.replica - y.replica);
  const perBatch = config.parallelism === 0 ? todo.length : config.parallelism;
  const restored: number[] = [];
  const failed: string[] = [];
  for (let i = 0; i < todo.length; i += perBatch) {
    if (i > 0 && config.delayMs > 0 && !(await pause(config.delayMs, ctx.signal))) break;
    if (ctx.signal?.aborted) break;
    const batch = todo.slice(i, i + perBatch);
    await Promise.all(
      batch.map(async (x) => {
        if (!x.previous) return failed.push(`#${x.replica}: its previous spec is not known (no ${LABEL.spec} label)`);
        if (x.previous.labels[LABEL.sensitive]) return failed.push(`#${x.replica}: its previous spec has masked (sensitive) values, which are not recorded`);
        const outcome = await swap(ctx, {
          machine: x.machine,
          name: x.name,
          from: { machine: x.machine, containerId: x.id },
          // As the plan does for updates (src/plan/rollouts.ts): a published host port is bound once per machine.
          order: x.previous.spec.ports?.some((p) => p.published !== undefined) ? 'stop-first' : config.order,
          monitorMs: config.monitorMs,
          create: () => createPrevious(ctx, x.machine, x.name, x.previous!),
        });
        if (outcome.ok) return restored.push(x.replica);
        return failed.push(`#${x.replica} ${outcome.why}`);
      }),
    );
    // "never roll back a rollback": a failed rollback pauses (or, with continue, goes on).
    if (failed.length && config.failureAction === 'pause') break;
  }
  const left = todo.filter((x) => !restored.includes(x.replica)).map((x) => `#${x.replica}`);
  const said = [`${restored.length ? `#${restored.sort((x, y) => x - y).join(', #')} back on the previous spec` : 'no replica was put back'}`];
  if (failed.length) said.push(`rollback failed for ${failed.join('; ')}`);
  if (left.length && !failed.length) said.push(`${left.join(', ')} not rolled back (stopped)`);
  return said.join('; ');
}

function observedName(ctx: ActionContext, c: { machine: string; containerId: string }): string | undefined {
  return ctx.observed.machines.find((m) => m.name === c.machine)?.engine?.containers.find((x) => x.id === c.containerId)?.name;
}

/** The container a replica ran before: its labels (config-hash, spec) are the record of its previous spec. */
function previousOf(ctx: ActionContext, a: Replace): Replaced['previous'] {
  const c = ctx.observed.machines.find((m) => m.name === a.from.machine)?.engine?.containers.find((x) => x.id === a.from.containerId);
  const text = c?.labels[LABEL.spec];
  if (!c || !text) return undefined;
  try {
    return { labels: c.labels, spec: JSON.parse(text) as ServiceSpec };
  } catch {
    return undefined;
  }
}

async function createPrevious(ctx: ActionContext, machine: string, name: string, previous: NonNullable<Replaced['previous']>): Promise<string> {
  const engine = ctx.engine(machine);
  const id = await createContainer(ctx, machine, { name, spec: previous.spec, labels: previous.labels });
  for (const f of previous.spec.files ?? []) await engine.putFile(id, f.target, await mountBytes(f, name), f.mode);
  await engine.startContainer(id);
  return id;
}

interface Swap {
  machine: string;
  name: string;
  from: { machine: string; containerId: string };
  order: 'stop-first' | 'start-first';
  monitorMs: number;
  create: () => Promise<string>;
}

/** `id`: the new container, when it is the replica's container now (passed, or failed after its old one went). */
type Outcome = { ok: true; id: string } | { ok: false; why: string; id?: string };

async function swap(ctx: ActionContext, s: Swap): Promise<Outcome> {
  const engine = ctx.engine(s.machine);
  const inPlace = s.from.machine === s.machine;
  if (inPlace && s.order === 'stop-first') {
    await engine.removeContainer(s.from.containerId);
    let id: string;
    try {
      id = await s.create();
    } catch (err) {
      if (isTransient(err)) throw err; // the walk retries the whole replacement; the old one is gone already
      return { ok: false, why: `could not be created: ${errorMessage(err)}` };
    }
    const why = await watch(engine, id, s.monitorMs, ctx.signal);
    return why === undefined ? { ok: true, id } : { ok: false, why, id };
  }
  // Overlapping: the old container runs (parked under another name when on the same engine) until the new one passed.
  // Parked already when a run was killed between parking it and starting the new one.
  if (inPlace && observedName(ctx, s.from) !== parkedName(s.name)) await engine.renameContainer(s.from.containerId, parkedName(s.name));
  const giveBack = async () => {
    if (inPlace) await engine.renameContainer(s.from.containerId, s.name);
  };
  let id: string;
  try {
    id = await s.create();
  } catch (err) {
    await giveBack();
    if (isTransient(err)) throw err; // retried by the walk, from the start
    return { ok: false, why: `could not be created: ${errorMessage(err)}` };
  }
  const why = await watch(engine, id, s.monitorMs, ctx.signal);
  if (why !== undefined) {
    await engine.removeContainer(id);
    await giveBack();
    return { ok: false, why };
  }
  if (ctx.records.has(s.from.machine)) await ctx.engine(s.from.machine).removeContainer(s.from.containerId);
  return { ok: true, id };
}

/**
 * Undefined once the new container has run `monitorMs` since it started and is healthy when it has a
 * health status; else why not. Docker itself bounds the wait for health: `retries` failed probes make
 * it unhealthy. On the signal the wait ends with what is known then.
 */
export async function watch(engine: Engine, id: string, monitorMs: number, signal?: AbortSignal, healthLimitMs = 600_000): Promise<string | undefined> {
  const started = Date.now();
  for (;;) {
    const s = await engine.containerStatus(id);
    const elapsed = Date.now() - started;
    const wrong = failing(s);
    if (wrong) return `${wrong} ${(elapsed / 1000).toFixed(1)} s after it started (monitor ${monitorMs / 1000} s)`;
    const healthy = s.health === undefined || s.health === 'healthy';
    if (healthy && elapsed >= monitorMs) return undefined;
    if (signal?.aborted) return healthy ? undefined : `was ${s.health} when the update was stopped`;
    if (elapsed > healthLimitMs) return `not healthy ${healthLimitMs / 1000} s after it started (health: ${s.health})`;
    const wait = healthy ? Math.min(POLL_MS, monitorMs - elapsed) : POLL_MS;
    if (!(await pause(Math.max(1, wait), signal))) continue;
  }
}

function failing(s: ContainerStatus): string | undefined {
  if (s.state === 'exited' || s.state === 'dead') return `exited with code ${s.exitCode}`;
  if (s.state === 'restarting') return 'exited and is restarting';
  if (s.health === 'unhealthy') return 'turned unhealthy';
  return undefined;
}

/** Sleeps `ms`; false when the signal came first. */
function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      resolve(ok);
    };
    const stop = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}
