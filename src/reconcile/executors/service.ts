// Swarm-mode services: created, updated (forced when a rollout stalled) and removed on the leader.
import { stackLabels } from '../../model/compose-labels.js';
import type { SwarmServiceRequest } from '../../engine/types.js';
import { canonicalJson } from '../../manifest/hash.js';
import { registryCredentials } from '../../engine/registry-auth.js';
import { registryOf } from '../../model/image-ref.js';
import { normalizeImage } from '../../model/naming.js';
import { LABEL } from '../../model/observed.js';
import { STALLED, swarmDefinition, swarmDefinitionDigests, swarmDefinitionHash } from '../../plan/swarm-services.js';
import { ignoresScale } from '../../plan/ignore.js';
import { untilTasksRun } from '../conditions.js';
import { ROLLOUT_DEFAULTS } from '../../manifest/rollout.js';
import { engineSpec, mountBytes } from './container.js';
import type { ActionContext } from './context.js';
import type { Executors } from './types.js';

export const serviceExecutors = {
  'service.create': async (ctx, a) => {
    const engine = ctx.engine(a.machine);
    const req = await withFiles(swarmServiceRequest(ctx, a.service, a.name), a.name);
    const id = await engine.createService(req);
    return untilRunning(ctx, a.machine, a.name, id, req);
  },
  'service.update': async (ctx, a) => {
    const engine = ctx.engine(a.machine);
    const live = ctx.observedService(a.serviceId)?.tasks?.desired;
    const req = await withFiles(swarmServiceRequest(ctx, a.service, a.name, live), a.name);
    const stalled = STALLED.has(ctx.observedService(a.serviceId)?.rollout?.state ?? '');
    await engine.updateService(a.serviceId, req, { force: stalled });
    return untilRunning(ctx, a.machine, a.name, a.serviceId, req);
  },
  'service.remove': (ctx, a) => ctx.engine(a.machine).removeService(a.serviceId),
} satisfies Partial<Executors>;

function untilRunning(ctx: ActionContext, machine: string, name: string, id: string, req: SwarmServiceRequest): Promise<void> {
  if (req.swarm.mode === 'replicated' && req.replicas === 0) return Promise.resolve();
  // Unset or 0: the swarm's default monitor (5 s), as docker/cli reads it (progress.go: `Monitor != 0`).
  return untilTasksRun(ctx.engine(machine), name, id, { monitorMs: req.swarm.update?.monitorMs || ROLLOUT_DEFAULTS.monitorMs });
}

/** The service's secrets and configs with their content, read now (files, variables, inline). */
async function withFiles(req: SwarmServiceRequest, name: string): Promise<SwarmServiceRequest> {
  const files = req.spec.files ?? [];
  if (!files.length) return req;
  return { ...req, files: await Promise.all(files.map(async (f) => ({ kind: f.kind, name: f.name, target: f.target, sha256: f.sha256, ...(f.mode !== undefined ? { mode: f.mode } : {}), content: await mountBytes(f, name) }))) };
}

/** `live`: the replicas the service runs with, kept when its scale is in x-cluster.ignore_changes. */
function swarmServiceRequest(ctx: ActionContext, serviceName: string, name: string, live?: number): SwarmServiceRequest {
  const service = ctx.services.get(serviceName);
  if (!service?.swarm) throw new Error(`service ${serviceName} is not a swarm-mode service in the manifest any more`);
  const digests = swarmDefinitionDigests(service, ctx.desired);
  const labels = {
    [LABEL.cluster]: ctx.desired.name,
    [LABEL.service]: service.name,
    [LABEL.configHash]: swarmDefinitionHash(service),
    [LABEL.spec]: canonicalJson(swarmDefinition(service, ctx.desired)),
    ...(Object.keys(digests).length ? { [LABEL.sensitive]: canonicalJson(digests) } : {}),
    ...(service.imageDigest ? { [LABEL.imageDigest]: service.imageDigest } : {}),
    // docker stack ps CLUSTER lists its tasks; outside the definition hash, so adding them updates nothing.
    ...stackLabels(ctx.desired.name, service.spec.image),
    // Its secrets and configs take these labels too.
    ...ctx.idLabel(),
  };
  // `docker stack deploy --with-registry-auth`: the swarm hands the credentials to the nodes that run its tasks.
  const creds = registryCredentials(registryOf(normalizeImage(service.spec.image)));
  return { name, spec: engineSpec(ctx.desired, service), swarm: service.swarm, replicas: live !== undefined && ignoresScale(service) ? live : service.scale, labels, ...(creds.auth ? { auth: creds.auth } : {}) };
}
