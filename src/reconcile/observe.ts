// Observe = list machines from every driver, then ask every running engine for its facts, in parallel.
// An engine that does not answer in time is reported (engine null + problem), not fatal.
import pRetry from 'p-retry';
import { errorMessage, isTransient } from '../engine/errors.js';
import { isLockObject, type EngineFacts, type Observed, type ObservedContainer, type ObservedImage, type ObservedMachine } from '../model/observed.js';
import type { Drivers } from '../providers/index.js';
import type { Driver, MachineRecord } from '../providers/types.js';
import { LOCK_IMAGE, lockObjectName } from '../providers/lock-store.js';
import { addLazyContainers, containerColumnsOf, containersBuilderOf, type ContainerColumns } from '../model/container-columns.js';
import { withTimeout } from './timeout.js';
import { UserError } from '../model/diagnostic.js';
import { parseDuration } from '../manifest/units.js';

export interface Observation {
  observed: Observed;
  records: Map<string, MachineRecord>;
}

/** `identity`: the observing checkout's (src/reconcile/identity-file.ts), recorded in what is observed; it decides which objects of the name are ours. */
export async function observe(cluster: string, drivers: Drivers, opts: { timeoutMs?: number; concurrency?: number; identity?: string } = {}): Promise<Observation> {
  const timeoutMs = opts.timeoutMs ?? observeLimitMs();
  const lists = await Promise.all([...drivers.values()].map(async (d) => ({ driver: d, records: await retried(() => d.list()) })));
  const records = new Map<string, MachineRecord>();
  const machines: ObservedMachine[] = [];
  const items = lists.flatMap(({ driver, records: rs }) => rs.map((record) => ({ driver, record })));
  // In list order, the order the asks below start in.
  for (const { record } of items) records.set(record.name, record);
  const machineOf = (driver: Driver, record: MachineRecord): ObservedMachine => {
    const m: ObservedMachine = { name: record.name, driver: driver.name, state: record.state, engine: null };
    if (record.address) m.address = record.address;
    if (record.spec) m.spec = record.spec;
    return m;
  };
  // An engine whose driver has its facts at once (a simulated one with no latency and no faults) is
  // read here: a promise, a timer and the retry machinery per machine cost ten thousand machines
  // more than their facts. What it gives is what facts() would, and is normalized the same way.
  const toAsk = items.filter(({ driver, record }) => {
    const now = record.state === 'running' ? driver.factsNow?.(record) : undefined;
    if (!now) return true;
    const m = machineOf(driver, record);
    try {
      m.engine = normalizeFacts(cluster, now);
    } catch (err) {
      m.problem = errorMessage(err);
    }
    machines.push(m);
    return false;
  });
  await eachLimited(toAsk, opts.concurrency ?? 32, async ({ driver, record }) => {
    const m = machineOf(driver, record);
    if (record.state === 'running') {
      const asked = firstThenRetried(() => driver.engine(record).facts());
      try {
        m.engine = normalizeFacts(cluster, await withTimeout(asked.result, timeoutMs, `engine did not answer within ${timeoutMs / 1000} s`));
      } catch (err) {
        m.problem = errorMessage(err);
      } finally {
        asked.stop();
      }
    } else if (record.state === 'paused') m.problem = 'machine is paused: its engine cannot answer';
    machines.push(m);
  });
  machines.sort(byName);
  const foreign = [...drivers.values()].flatMap((d) => d.foreign?.() ?? []);
  const leftovers = (await Promise.all([...drivers.values()].map(async (d) => (await (d.leftovers?.() ?? Promise.resolve([]))).map((l) => ({ ...l, driver: d.name })))))
    .flat()
    .filter((l) => !records.has(l.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { observed: { cluster, ...(opts.identity !== undefined ? { identity: opts.identity } : {}), machines, ...(foreign.length ? { foreign } : {}), ...(leftovers.length ? { leftovers } : {}) }, records };
}

/**
 * How long one engine may take to answer: 15 s, or CLUSTER_OBSERVE_TIMEOUT (a duration: 3s, 500ms). A
 * stalled engine is waited out for this long on every observe; a slow link may need more, a test of
 * what a silent engine does needs less. Not 0: every engine would be silent.
 */
export function observeLimitMs(env: NodeJS.ProcessEnv = process.env, fallback = 15_000): number {
  const text = env.CLUSTER_OBSERVE_TIMEOUT;
  if (text === undefined || text === '') return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw UserError.plain(`CLUSTER_OBSERVE_TIMEOUT=${text} is not a duration longer than 0`, 'unset CLUSTER_OBSERVE_TIMEOUT or give e.g. CLUSTER_OBSERVE_TIMEOUT=15s');
  return ms;
}

/**
 * The limit for the observe right after a run started or restarted engines, unless CLUSTER_OBSERVE_TIMEOUT
 * says otherwise. A swarm manager's engine answers /info only once its control API does, or after
 * swarmRequestTimeout (20 s; moby daemon/cluster/swarm.go Info): one that comes back to a raft that
 * dropped it (after `repair --force-new-cluster`) took ~20 s, and at 15 s it was taken for silent and
 * left for another run.
 */
export const afterStartLimitMs = (env: NodeJS.ProcessEnv = process.env): number => observeLimitMs(env, 45_000);

/**
 * `fn` for every item, at most `limit` at once, started in order. Workers that take the next item
 * instead of a queue entry per item: ten thousand machines queued at once in p-queue made its
 * array shift a hot spot of observing. Rejects as soon as one call does (as Promise.all of p-queue's adds).
 */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * `retried`, with its machinery (an AbortSignal, a DOMException when it ends) made only once the
 * first attempt failed: ten thousand engines that answer at once do not pay for it. The failure is
 * handed to the retries as their first attempt's, so what is retried and when is as with `retried`.
 * `stop()`: the limit is reached or the answer taken; retries end, none starts.
 */
function firstThenRetried<T>(fn: () => Promise<T>): { result: Promise<T>; stop: () => void } {
  let stopped = false;
  let limit: AbortController | undefined;
  const result = fn().catch((err: unknown) => {
    if (stopped) throw err;
    limit = new AbortController();
    let first = true;
    return retried(() => (first ? ((first = false), Promise.reject(err)) : fn()), limit.signal);
  });
  return {
    result,
    stop: () => {
      stopped = true;
      limit?.abort();
    },
  };
}

/** A dropped connection or a busy engine is not a fact about the cluster: ask again, briefly. */
function retried<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  return pRetry(fn, { retries: 3, minTimeout: 100, maxTimeout: 1000, randomize: true, signal, shouldRetry: ({ error }) => isTransient(error) });
}

/**
 * Stable order, so the same cluster always observes (and digests, and plans) the same. The apply
 * lock (a generic cluster's is on its first engine) is left out: a run holding it must see what a
 * plan made without it saw. Containers are matched by name first: reading labels is costly in sim.
 */
// The engine's own networks are no cluster's state, and appear at the engine's pace: docker_gwbridge
// and ingress come seconds after `swarm init`, so a plan saved just after an apply read as stale.
const ENGINE_NETWORKS = new Set(['bridge', 'host', 'none', 'docker_gwbridge', 'ingress']);

function normalizeFacts(cluster: string, f: EngineFacts): EngineFacts {
  const lock = lockObjectName(cluster);
  const isLeftOut = (c: ObservedContainer) => c.state === 'removing' || (c.name === lock && isLockObject(c.labels));
  // Columns with nothing to leave out stay columns (in the engine's order): the list is built only if read.
  const columns = containerColumnsOf(f);
  const lazy = columns && nothingLeftOut(columns, lock) ? columns : undefined;
  // Every key of `f` in its place, in one copy (`containers` is not read when it stays lazy).
  const out = {} as EngineFacts;
  const from = f as unknown as Record<string, unknown>;
  for (const key of Object.keys(f) as (keyof EngineFacts)[]) {
    if (key === 'containers') {
      if (lazy) {
        // The provider's own builder, not `f.containers`: the provider's facts are not kept alive by the lazy property, ten thousand of them.
        const build = containersBuilderOf(f)!;
        addLazyContainers(out, lazy, () => sortedByName(build()));
      }
      // A container the engine is removing (a `docker rm -f` under way) is as good as gone: its replica
      // is planned again at once, and the create waits for the removal (removeContainer).
      else out.containers = sortedByName(f.containers.some(isLeftOut) ? f.containers.filter((c) => !isLeftOut(c)) : f.containers);
    } else if (key === 'images') out.images = normalizedImages(f.images);
    // Engines list networks in no fixed order.
    else if (key === 'networks' && f.networks) out.networks = f.networks.filter((n) => !isLockObject(n.labels) && !ENGINE_NETWORKS.has(n.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
    else (out as unknown as Record<string, unknown>)[key] = from[key];
  }
  return out;
}

/** Without the lock's image, tags sorted, by id; a list that is so already (most engines' one or few images) is kept as it is. */
function normalizedImages(images: ObservedImage[]): ObservedImage[] {
  const kept = images.every((i, k) => !i.tags.includes(LOCK_IMAGE) && isSorted(i.tags) && (k === 0 || images[k - 1]!.id < i.id));
  if (kept) return images;
  return images.filter((i) => !i.tags.includes(LOCK_IMAGE)).map((i) => ({ ...i, tags: [...i.tags].sort() })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

function isSorted(list: readonly string[]): boolean {
  for (let k = 1; k < list.length; k++) if (list[k - 1]! > list[k]!) return false;
  return true;
}

/** No container being removed, none with the lock's name (its labels decide whether it is left out). */
function nothingLeftOut(c: ContainerColumns, lock: string): boolean {
  // includes(): the engine's own loop over a million names and states, several times faster than ours.
  return !c.state.includes('removing') && !c.name.includes(lock);
}

/**
 * In name order, the engine's list left as it is: one in order already (a simulated engine's, most
 * real ones') is only checked, not copied and sorted (a million containers' worth of comparisons).
 */
function sortedByName<T extends { name: string }>(list: readonly T[]): T[] {
  for (let i = 1; i < list.length; i++) if (list[i - 1]!.name > list[i]!.name) return [...list].sort(byName);
  return list as T[];
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
