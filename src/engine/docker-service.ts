// Swarm-mode services through the Docker Engine API: a ServiceSpec + SwarmServiceSpec becomes the
// body of POST /services/create (what `docker stack deploy` sends), and task states are read back.
import type Dockerode from 'dockerode';
import { toHealthcheck } from './docker-convert.js';
import type { SwarmServiceRequest, SwarmServiceTasks } from './types.js';

const NS_PER_MS = 1_000_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toSwarmServiceSpec(req: SwarmServiceRequest): any {
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
        Labels: s.labels,
        ...(s.hostname ? { Hostname: s.hostname } : {}),
        ...(s.stopSignal ? { StopSignal: s.stopSignal } : {}),
        ...(s.capAdd ? { CapabilityAdd: s.capAdd } : {}),
        ...(s.capDrop ? { CapabilityDrop: s.capDrop } : {}),
        ...(s.healthcheck ? { Healthcheck: toHealthcheck(s.healthcheck) } : {}),
        Mounts: s.volumes.map((v) => ({ Type: v.type, Target: v.target, ReadOnly: v.readOnly, ...(v.source ? { Source: v.source } : {}) })),
      },
      Resources: { Limits: { ...nanoCpus(s.limits.cpus), ...bytes(s.limits.memory) }, Reservations: { ...nanoCpus(s.reservations.cpus), ...bytes(s.reservations.memory) } },
      ...(s.restart ? { RestartPolicy: { Condition: restartCondition(s.restart) } } : {}),
      Placement: {
        Constraints: swarm.constraints,
        ...(swarm.spread.length ? { Preferences: swarm.spread.map((d) => ({ Spread: { SpreadDescriptor: d } })) } : {}),
      },
      Networks: (s.networks ?? []).map((n) => ({ Target: n.network, Aliases: n.aliases })),
    },
    Mode: swarm.mode === 'global' ? { Global: {} } : { Replicated: { Replicas: req.replicas } },
    ...(swarm.update
      ? {
          UpdateConfig: {
            ...(swarm.update.parallelism !== undefined ? { Parallelism: swarm.update.parallelism } : {}),
            ...(swarm.update.delayMs !== undefined ? { Delay: swarm.update.delayMs * NS_PER_MS } : {}),
            ...(swarm.update.order ? { Order: swarm.update.order } : {}),
            ...(swarm.update.failureAction ? { FailureAction: swarm.update.failureAction } : {}),
          },
        }
      : {}),
    EndpointSpec: {
      Ports: s.ports.map((p) => ({ Protocol: p.protocol, TargetPort: p.target, ...(p.published !== undefined ? { PublishedPort: p.published } : {}), PublishMode: p.mode ?? 'ingress' })),
    },
  };
}

/** compose's `restart:` in swarm terms. */
function restartCondition(restart: string): string {
  if (restart === 'no') return 'none';
  return restart.startsWith('on-failure') ? 'on-failure' : 'any';
}

export async function serviceTasks(docker: Dockerode, id: string): Promise<SwarmServiceTasks> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const tasks = (await docker.listTasks({ filters: { service: [id] } })) as any[];
  const wanted = tasks.filter((t) => t.DesiredState === 'running');
  const failed = tasks
    .filter((t) => t.Status?.Err)
    .sort((a, b) => String(b.Status?.Timestamp).localeCompare(String(a.Status?.Timestamp)));
  return {
    desired: wanted.length,
    running: wanted.filter((t) => t.Status?.State === 'running').length,
    ...(failed[0] ? { error: String(failed[0].Status.Err) } : {}),
  };
}
