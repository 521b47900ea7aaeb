// Replica containers: created and started (after their depends_on conditions), started, removed,
// replaced; and the labels that make a container this cluster's replica.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, isEngineError } from '../../engine/errors.js';
import type { ContainerCreateRequest } from '../../engine/types.js';
import { canonicalJson } from '../../manifest/hash.js';
import { contentOf } from '../../manifest/mount-content.js';
import { readUserFile } from '../../manifest/user-file.js';
import type { Desired, DesiredService, FileMount } from '../../model/desired.js';
import { composeLabels } from '../../model/compose-labels.js';
import { LABEL, type ObservedContainer } from '../../model/observed.js';
import { pinnedImage } from '../../model/image-ref.js';
import { imageFetch } from './image.js';
import { ownsContainer, ownsLabels, shortId } from '../../model/ownership.js';
import { maskedView } from '../../plan/sensitive.js';
import { untilConditionHolds, type Replica } from '../conditions.js';
import type { ActionContext } from './context.js';
import { rollingReplace } from './rollout.js';
import type { Executors } from './types.js';

export const containerExecutors = {
  'container.create': async (ctx, a) => void (await createAndStart(ctx, a.machine, a.service, a.replica, a.name)),
  'container.start': (ctx, a) => ctx.engine(a.machine).startContainer(a.containerId),
  'container.remove': (ctx, a) => ctx.engine(a.machine).removeContainer(a.containerId),
  'container.replace': async (ctx, a) => {
    if (a.rollout) return rollingReplace(ctx, a);
    if (a.from.machine === a.machine) {
      // Same engine: the name and the ports are taken until the old one is gone.
      await ctx.engine(a.machine).removeContainer(a.from.containerId);
      await createAndStart(ctx, a.machine, a.service, a.replica, a.name);
    } else {
      // Another machine: bring the new one up first, then retire the old (create before destroy).
      await createAndStart(ctx, a.machine, a.service, a.replica, a.name);
      if (ctx.records.has(a.from.machine)) await ctx.engine(a.from.machine).removeContainer(a.from.containerId);
    }
  },
} satisfies Partial<Executors>;

export async function createAndStart(ctx: ActionContext, machine: string, serviceName: string, replica: number, name: string): Promise<string> {
  const service = ctx.services.get(serviceName);
  if (!service) throw new Error(`service ${serviceName} is not in the manifest any more`);
  for (const [dependency, condition] of Object.entries(service.conditions ?? {})) {
    await untilConditionHolds(serviceName, dependency, condition, replicasOf(ctx, dependency));
  }
  const engine = ctx.engine(machine);
  const labels = replicaLabels(ctx.desired, service, replica, ctx.observed.identity);
  const spec = engineSpec(ctx.desired, service);
  const create = () => createContainer(ctx, machine, { name, spec, labels });
  let id: string | undefined;
  for (let attempt = 0; id === undefined; attempt++) {
    try {
      id = await create();
    } catch (err) {
      if (!isEngineError(err, 'conflict')) throw err;
      // A run that crashed after create left our container behind: replace it. Someone else's: stop.
      const clash = (await engine.facts()).containers.find((c) => c.name === name);
      // Not listed, yet the name is taken: a removal under way (a `docker rm -f` behind our back, whose
      // `die` started this run) holds it a moment longer. Try again shortly.
      if (!clash && attempt < NAME_RELEASE_TRIES) {
        await sleep(NAME_RELEASE_PAUSE_MS);
        continue;
      }
      await replaceClash(ctx, machine, name, clash, err);
      id = await create();
    }
  }
  for (const f of service.spec.files ?? []) await engine.putFile(id, f.target, await mountBytes(f, name), f.mode);
  await engine.startContainer(id);
  ctx.started.set(name, { machine, id, service: serviceName });
  return id;
}

/** A name removal frees within a few hundred ms; 40 × 50 ms is far more than that, and bounded. */
const NAME_RELEASE_TRIES = 40;
const NAME_RELEASE_PAUSE_MS = 50;

/** Our own container of that name (left by a crashed run) is removed; anyone else's stops the run. */
async function replaceClash(ctx: ActionContext, machine: string, name: string, clash: ObservedContainer | undefined, err: unknown): Promise<void> {
  if (!clash || !ownsLabels(ctx.viewer, clash.labels)) {
    const other = clash?.labels[LABEL.cluster] === ctx.desired.name ? clash.labels[LABEL.id] : undefined;
    if (other !== undefined) {
      throw new Error(`container name ${name} is taken on ${machine} by another checkout of cluster "${ctx.desired.name}" (id ${shortId(other)}): two folders with one cluster name cannot run the same service on one engine; rename one cluster, or take that checkout's objects over with --adopt`);
    }
    throw new Error(`container name ${name} is taken on ${machine} by a container this cluster does not own: ${errorMessage(err)}`);
  }
  // Waits for a removal already under way too (removeContainer returns once it is gone).
  await ctx.engine(machine).removeContainer(clash.id);
}

/** An image removed since image.ensure ran (dockerd: 404 "No such image") is fetched again, then the create is tried once more. */
export async function createContainer(ctx: ActionContext, machine: string, req: ContainerCreateRequest): Promise<string> {
  const engine = ctx.engine(machine);
  try {
    return await engine.createContainer(req);
  } catch (err) {
    if (!isEngineError(err, 'notFound') || !/no such image/i.test(err.message)) throw err;
    await engine.ensureImage(req.spec.image, ctx.driver(machine).hostEngine?.(), imageFetch(ctx, req.spec.image));
    return engine.createContainer(req);
  }
}

/** The containers of `service` after this apply: started by it, else as observed. */
function replicasOf(ctx: ActionContext, service: string): Replica[] {
  const byName = new Map<string, { machine: string; id: string }>();
  for (const m of ctx.observed.machines) {
    for (const c of m.engine?.containers ?? []) if (c.owner?.service === service && ownsContainer(ctx.viewer, c)) byName.set(c.name, { machine: m.name, id: c.id });
  }
  for (const [name, c] of ctx.started) if (c.service === service) byName.set(name, c);
  return [...byName].filter(([, c]) => ctx.records.has(c.machine)).map(([name, c]) => ({ engine: ctx.engine(c.machine), id: c.id, name }));
}

/**
 * What makes a container this cluster's replica: ownership, config hash (over the real spec, so a
 * rotated secret replaces it), the masked spec it was made from and digests of its masked fields.
 * Labels are read by anyone who can list containers: the user's own are masked too. Compose's
 * labels (docker compose ps) are outside the config hash and the spec label: they decide nothing.
 */
export function replicaLabels(desired: Desired, service: DesiredService, replica: number, identity?: string): Record<string, string> {
  const view = maskedView(service.spec, desired.sensitive, `${desired.name}/${service.name}`);
  return {
    ...view.spec.labels,
    ...composeLabels(desired, service, replica),
    [LABEL.cluster]: desired.name,
    [LABEL.service]: service.name,
    [LABEL.replica]: String(replica),
    [LABEL.configHash]: service.configHash,
    ...(service.imageDigest ? { [LABEL.imageDigest]: service.imageDigest } : {}),
    [LABEL.spec]: canonicalJson(view.spec),
    ...(Object.keys(view.digests).length ? { [LABEL.sensitive]: canonicalJson(view.digests) } : {}),
    ...(identity === undefined ? {} : { [LABEL.id]: identity }),
  };
}

/**
 * The spec the engine gets: real values (the container needs its password, the pull its tag), labels
 * masked, and the image pinned to the digest the plan resolved (pull_policy always).
 */
export function engineSpec(desired: Desired, service: DesiredService): DesiredService['spec'] {
  const { spec } = maskedView(service.spec, desired.sensitive, `${desired.name}/${service.name}`);
  const real = spec.labels === service.spec.labels ? service.spec : { ...service.spec, labels: spec.labels };
  return service.imageDigest ? { ...real, image: pinnedImage(service.spec.image, service.imageDigest) } : real;
}

/** What a secret or config puts into the container: its file, its variable's value, or its inline content. */
export async function mountBytes(f: FileMount, container: string): Promise<Buffer> {
  if (f.source !== undefined) {
    const file = readUserFile(f.source, { what: `the file of ${f.kind} ${f.name}` });
    if (!file.ok) throw new Error(`${f.kind} ${f.name} for ${container}: ${file.message}`);
    return file.bytes;
  }
  if (f.content !== undefined) return Buffer.from(f.content);
  const value = contentOf(f);
  if (value === undefined) throw new Error(`${f.kind} ${f.name} for ${container}: variable ${f.env} is not set`);
  return Buffer.from(value);
}
