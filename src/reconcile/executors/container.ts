// Replica containers: created and started (after their depends_on conditions), started, removed,
// replaced; and the labels that make a container this cluster's replica.
import { errorMessage, isEngineError } from '../../engine/errors.js';
import type { ContainerCreateRequest } from '../../engine/types.js';
import { canonicalJson } from '../../manifest/hash.js';
import { contentOf } from '../../manifest/mount-content.js';
import { readUserFile } from '../../manifest/user-file.js';
import type { Desired, DesiredService, FileMount } from '../../model/desired.js';
import { LABEL } from '../../model/observed.js';
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
  let id: string;
  try {
    id = await create();
  } catch (err) {
    if (!isEngineError(err, 'conflict')) throw err;
    // A run that crashed after create left our container behind: replace it. Someone else's: stop.
    const facts = await engine.facts();
    const clash = facts.containers.find((c) => c.name === name);
    if (!clash || !ownsLabels(ctx.viewer, clash.labels)) {
      const other = clash?.labels[LABEL.cluster] === ctx.desired.name ? clash.labels[LABEL.id] : undefined;
      if (other !== undefined) {
        throw new Error(`container name ${name} is taken on ${machine} by another checkout of cluster "${ctx.desired.name}" (id ${shortId(other)}): two folders with one cluster name cannot run the same service on one engine; rename one cluster, or take that checkout's objects over with --adopt`);
      }
      throw new Error(`container name ${name} is taken on ${machine} by a container this cluster does not own: ${errorMessage(err)}`);
    }
    await engine.removeContainer(clash.id);
    id = await create();
  }
  for (const f of service.spec.files ?? []) await engine.putFile(id, f.target, await mountBytes(f, name), f.mode);
  await engine.startContainer(id);
  ctx.started.set(name, { machine, id, service: serviceName });
  return id;
}

/** An image removed since image.ensure ran (dockerd: 404 "No such image") is fetched again, then the create is tried once more. */
export async function createContainer(ctx: ActionContext, machine: string, req: ContainerCreateRequest): Promise<string> {
  const engine = ctx.engine(machine);
  try {
    return await engine.createContainer(req);
  } catch (err) {
    if (!isEngineError(err, 'notFound') || !/no such image/i.test(err.message)) throw err;
    await engine.ensureImage(req.spec.image, ctx.driver(machine).hostEngine?.());
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
 * Labels are read by anyone who can list containers: the user's own are masked too.
 */
export function replicaLabels(desired: Desired, service: DesiredService, replica: number, identity?: string): Record<string, string> {
  const view = maskedView(service.spec, desired.sensitive, `${desired.name}/${service.name}`);
  return {
    ...view.spec.labels,
    [LABEL.cluster]: desired.name,
    [LABEL.service]: service.name,
    [LABEL.replica]: String(replica),
    [LABEL.configHash]: service.configHash,
    [LABEL.spec]: canonicalJson(view.spec),
    ...(Object.keys(view.digests).length ? { [LABEL.sensitive]: canonicalJson(view.digests) } : {}),
    ...(identity === undefined ? {} : { [LABEL.id]: identity }),
  };
}

/** The spec the engine gets: real values (the container needs its password, the pull its tag), labels masked. */
export function engineSpec(desired: Desired, service: DesiredService): DesiredService['spec'] {
  const { spec } = maskedView(service.spec, desired.sensitive, `${desired.name}/${service.name}`);
  return spec.labels === service.spec.labels ? service.spec : { ...service.spec, labels: spec.labels };
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
