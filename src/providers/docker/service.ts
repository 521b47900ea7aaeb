// Swarm-mode services through the Docker Engine API: a ServiceSpec + SwarmServiceSpec becomes the
// body of POST /services/create (what `docker stack deploy` sends), and task states are read back.
import { STACK_LABEL } from '../../model/compose-labels.js';
import type Dockerode from 'dockerode';
import { toHealthcheck } from './convert.js';
import { tolerate } from '../../engine/errors.js';
import type { SwarmServiceRequest, SwarmServiceTasks } from '../../engine/types.js';
import type { SwarmUpdateConfig } from '../../model/desired.js';

const NS_PER_MS = 1_000_000;

/** A swarm secret or config object a task mounts: its id and name, from ensureSwarmFiles. */
export interface SwarmFileRef {
  kind: 'secret' | 'config';
  id: string;
  objectName: string;
  target: string;
  mode?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toSwarmServiceSpec(req: SwarmServiceRequest, files: SwarmFileRef[] = []): any {
  const mount = (f: SwarmFileRef) => ({ File: { Name: f.target, UID: '0', GID: '0', Mode: f.mode ?? 0o444 }, ...(f.kind === 'secret' ? { SecretID: f.id, SecretName: f.objectName } : { ConfigID: f.id, ConfigName: f.objectName }) });
  const secrets = files.filter((f) => f.kind === 'secret').map(mount);
  const configs = files.filter((f) => f.kind === 'config').map(mount);
  const { spec: s, swarm } = req;
  const nanoCpus = (cpus: number) => (cpus ? { NanoCPUs: Math.round(cpus * 1e9) } : {});
  const bytes = (memory: number) => (memory ? { MemoryBytes: memory } : {});
  return {
    Name: req.name,
    Labels: req.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: s.image,
        // Swarm's Command is the entrypoint and Args the command, unlike a container's Entrypoint/Cmd.
        ...(s.entrypoint ? { Command: s.entrypoint } : {}),
        ...(s.command ? { Args: s.command } : {}),
        Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
        // Task containers carry the stack namespace too, as docker stack deploy's (convert.Service).
        Labels: req.labels[STACK_LABEL.namespace] === undefined ? s.labels : { ...s.labels, [STACK_LABEL.namespace]: req.labels[STACK_LABEL.namespace] },
        ...(s.hostname ? { Hostname: s.hostname } : {}),
        ...(s.stopSignal ? { StopSignal: s.stopSignal } : {}),
        ...(s.capAdd ? { CapabilityAdd: s.capAdd } : {}),
        ...(s.capDrop ? { CapabilityDrop: s.capDrop } : {}),
        ...(s.healthcheck ? { Healthcheck: toHealthcheck(s.healthcheck) } : {}),
        Mounts: s.volumes.map((v) => ({ Type: v.type, Target: v.target, ReadOnly: v.readOnly, ...(v.source ? { Source: v.source } : {}) })),
        ...(secrets.length ? { Secrets: secrets } : {}),
        ...(configs.length ? { Configs: configs } : {}),
      },
      Resources: { Limits: { ...nanoCpus(s.limits.cpus), ...bytes(s.limits.memory) }, Reservations: { ...nanoCpus(s.reservations.cpus), ...bytes(s.reservations.memory) } },
      ...(s.restart ? { RestartPolicy: { Condition: restartCondition(s.restart) } } : {}),
      Placement: {
        Constraints: swarm.constraints,
        ...(swarm.spread.length ? { Preferences: swarm.spread.map((d) => ({ Spread: { SpreadDescriptor: d } })) } : {}),
        ...(swarm.maxReplicas ? { MaxReplicas: swarm.maxReplicas } : {}),
      },
      Networks: (s.networks ?? []).map((n) => ({ Target: n.network, Aliases: n.aliases })),
    },
    Mode: swarm.mode === 'global' ? { Global: {} } : { Replicated: { Replicas: req.replicas } },
    ...(swarm.update ? { UpdateConfig: updateConfig(swarm.update) } : {}),
    ...(swarm.rollback ? { RollbackConfig: updateConfig(swarm.rollback) } : {}),
    EndpointSpec: {
      Ports: s.ports.map((p) => ({ Protocol: p.protocol, TargetPort: p.target, ...(p.published !== undefined ? { PublishedPort: p.published } : {}), PublishMode: p.mode ?? 'ingress' })),
    },
  };
}

/** The Engine API's UpdateConfig (also RollbackConfig): durations in nanoseconds. */
function updateConfig(u: SwarmUpdateConfig): Record<string, unknown> {
  return {
    ...(u.parallelism !== undefined ? { Parallelism: u.parallelism } : {}),
    ...(u.delayMs !== undefined ? { Delay: u.delayMs * NS_PER_MS } : {}),
    ...(u.order ? { Order: u.order } : {}),
    ...(u.failureAction ? { FailureAction: u.failureAction } : {}),
    ...(u.monitorMs !== undefined ? { Monitor: u.monitorMs * NS_PER_MS } : {}),
    ...(u.maxFailureRatio !== undefined ? { MaxFailureRatio: u.maxFailureRatio } : {}),
  };
}

/** compose's `restart:` in swarm terms. */
function restartCondition(restart: string): string {
  if (restart === 'no') return 'none';
  return restart.startsWith('on-failure') ? 'on-failure' : 'any';
}

export async function serviceTasks(docker: Dockerode, id: string): Promise<SwarmServiceTasks> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const [tasks, current, service] = (await Promise.all([
    docker.listTasks({ filters: { service: [id] } }),
    // Tasks on the service's current spec: right after an update the swarm has not begun rolling yet,
    // and the old tasks all run (docker/cli service/progress uses this filter for the same reason).
    docker.listTasks({ filters: { service: [id], '_up-to-date': ['true'] } }),
    docker.getService(id).inspect(),
  ])) as [any[], any[], any];
  const update = service?.UpdateStatus as { State?: string; Message?: string; StartedAt?: string } | undefined;
  const wanted = tasks.filter((t) => t.DesiredState === 'running');
  const failed = tasks
    .filter((t) => t.Status?.Err)
    .sort((a, b) => String(b.Status?.Timestamp).localeCompare(String(a.Status?.Timestamp)));
  // A replicated service wants its spec's replicas; counting the tasks desired running instead counts a
  // task of the old definition that is still being replaced as wanted.
  const replicas = service?.Spec?.Mode?.Replicated?.Replicas as number | undefined;
  return {
    desired: replicas ?? wanted.length,
    running: wanted.filter((t) => t.Status?.State === 'running').length,
    upToDate: current.filter((t) => t.DesiredState === 'running' && t.Status?.State === 'running').length,
    ...(failed[0] ? { error: String(failed[0].Status.Err) } : {}),
    ...(update?.State ? { rollout: { state: update.State, ...(update.Message ? { message: update.Message } : {}), ...(update.StartedAt ? { startedAt: update.StartedAt } : {}) } } : {}),
  };
}

const SERVICE_LABEL = 'io.cluster.swarm-service';

/**
 * The service's secrets and configs as swarm objects, named after their content
 * (`<service>_<name>_<sha256 prefix>`): swarm objects are immutable, so a changed content is a new
 * object and the service update rolls its tasks onto it. Creating one that exists is a no-op.
 */
export async function ensureSwarmFiles(docker: Dockerode, req: SwarmServiceRequest): Promise<SwarmFileRef[]> {
  return Promise.all(
    (req.files ?? []).map(async (f) => {
      const objectName = `${req.name}_${f.name}_${f.sha256.slice(0, 12)}`;
      const body = { Name: objectName, Labels: { ...req.labels, [SERVICE_LABEL]: req.name }, Data: f.content.toString('base64') };
      const api = f.kind === 'secret' ? { create: () => docker.createSecret(body), get: () => docker.getSecret(objectName) } : { create: () => docker.createConfig(body), get: () => docker.getConfig(objectName) };
      // Already made (same name, same content): a conflict, which is what we want.
      const id = ((await api.create().catch(tolerate('conflict'))) as { id?: string; ID?: string } | undefined)?.id;
      return { kind: f.kind, id: id ?? ((await api.get().inspect()) as { ID: string }).ID, objectName, target: f.target, ...(f.mode !== undefined ? { mode: f.mode } : {}) };
    }),
  );
}

/** This service's secrets and configs that `keep` does not name: gone, unless a task still mounts one. Returns how many remain. */
export async function pruneSwarmFiles(docker: Dockerode, service: string, keep: SwarmFileRef[] = []): Promise<number> {
  const filters = { label: [`${SERVICE_LABEL}=${service}`] };
  const kept = new Set(keep.map((f) => f.id));
  const [secrets, configs] = await Promise.all([docker.listSecrets({ filters }), docker.listConfigs({ filters })]);
  const removed = await Promise.all([
    ...(secrets as { ID: string }[]).filter((x) => !kept.has(x.ID)).map((x) => docker.getSecret(x.ID).remove().then(() => 0, () => 1)),
    ...(configs as { ID: string }[]).filter((x) => !kept.has(x.ID)).map((x) => docker.getConfig(x.ID).remove().then(() => 0, () => 1)),
  ]);
  return removed.reduce((a: number, b) => a + b, 0);
}
