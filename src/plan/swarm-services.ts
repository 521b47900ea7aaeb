// Swarm-mode services (`mode: swarm`), as `docker stack deploy` reconciles them: one service object
// per manifest service, made on the swarm's leader and named <cluster>_<service>; a changed
// definition is an update (the swarm rolls it), a service gone from the manifest is removed.
import fjp, { type Operation } from 'fast-json-patch';
import { sha256OfJson } from '../manifest/hash.js';
import type { Desired, DesiredService } from '../model/desired.js';
import { LABEL, type Observed } from '../model/observed.js';
import { ownsLabels } from '../model/ownership.js';
import { shortDigest } from '../model/image-ref.js';
import type { ActionList } from './builder.js';
import type { MachineSteps } from './machines.js';
import { normalizeImage } from '../model/naming.js';
import type { NetworkSteps } from './networks.js';
import { imageStep, type ImagePresent } from './images.js';
import { maskedView, parseDigests, sensitiveChanges, type SensitiveDigests } from './sensitive.js';

/** What the swarm is asked for, masked as it is shown and stored: the part of a service whose change is an update. */
export function swarmDefinition(service: DesiredService, desired: Pick<Desired, 'name' | 'sensitive'> = { name: '' }): Record<string, unknown> {
  return { spec: maskedView(service.spec, desired.sensitive, `${desired.name}/${service.name}`).spec, swarm: service.swarm, replicas: service.scale };
}

/** Digests of the definition's masked fields (paths into the definition, as its patch has them). */
export function swarmDefinitionDigests(service: DesiredService, desired: Pick<Desired, 'name' | 'sensitive'>): SensitiveDigests {
  const { digests } = maskedView(service.spec, desired.sensitive, `${desired.name}/${service.name}`);
  return Object.fromEntries(Object.entries(digests).map(([path, d]) => [`/spec${path}`, d]));
}

export function swarmDefinitionHash(service: DesiredService): string {
  return sha256OfJson({ spec: service.spec, swarm: service.swarm, replicas: service.scale });
}

/** Rollout states in which the swarm has given up on the definition it was given (update_config failure_action). */
export const STALLED = new Set(['paused', 'rollback_paused']);

export const swarmServiceName = (cluster: string, service: string) => `${cluster}_${service}`;

export function planSwarmServices(desired: Desired, observed: Observed, machines: MachineSteps, list: ActionList, networkSteps: NetworkSteps, warnings: string[] = []): void {
  const wanted = desired.services.filter((s) => s.mode === 'swarm');
  const leader = machines.swarmLeader;
  const existing = leader ? (observed.machines.find((m) => m.name === leader && !machines.leaving.has(m.name))?.engine?.swarmServices ?? []) : [];
  const ours = existing.filter((s) => ownsLabels({ cluster: desired.name, identity: observed.identity }, s.labels));
  const present: ImagePresent = (machine, ref) => Boolean(observed.machines.find((m) => m.name === machine)?.engine?.images.some((i) => i.tags.map(normalizeImage).includes(ref) || i.digests?.includes(ref)));
  if (leader && wanted.length) {
    const members = desired.machines.filter((m) => m.role).map((m) => m.name);
    for (const service of wanted) {
      const name = swarmServiceName(desired.name, service.name);
      const found = ours.find((s) => s.name === name);
      // Every node may get a task, and these nodes cannot always pull: the image goes everywhere first.
      // Not an image pinned to its registry digest: each node's swarm agent pulls that itself, with the
      // credentials sent along (`--with-registry-auth`), as `docker stack deploy` leaves it to them.
      const images = service.imageDigest ? [] : members.map((m) => imageStep(present, machines, list, m, service));
      const after = [...members.map((m) => joinStep(list, m) ?? machines.ready(m)), ...images, ...(service.spec.networks ?? []).flatMap((n) => networkSteps(leader, n.network))];
      if (!found) {
        list.add(service.name, { kind: 'service.create', machine: leader, service: service.name, name, after, cause: 'missing', reason: describe(service) });
      } else if (found.labels[LABEL.configHash] !== swarmDefinitionHash(service)) {
        const masked = definitionPatch(found.labels[LABEL.spec], swarmDefinition(service, desired));
        const patch = [...masked, ...sensitiveChanges(parseDigests(found.labels[LABEL.sensitive]), swarmDefinitionDigests(service, desired), masked)];
        list.add(service.name, { kind: 'service.update', machine: leader, service: service.name, name, serviceId: found.id, patch, after, cause: patch.length ? 'spec-changed' : 'sensitive-changed', reason: patch.length ? 'definition changed: the swarm rolls its tasks' : 'definition changed (a sensitive value)' });
        if (patch.some(rollsTasks) || !patch.length) warnIfStartFirstCannotStart(service, name, members.length, warnings);
      } else if (service.imageDigest && found.labels[LABEL.imageDigest] !== service.imageDigest) {
        // pull_policy always: the tag points at other content now; the swarm rolls its tasks onto it.
        const was = found.labels[LABEL.imageDigest];
        const reason = was ? `image digest changed ${shortDigest(was)} → ${shortDigest(service.imageDigest)}` : `image pinned to its digest ${shortDigest(service.imageDigest)}`;
        list.add(service.name, { kind: 'service.update', machine: leader, service: service.name, name, serviceId: found.id, patch: [], after, cause: 'digest-changed', reason });
        warnIfStartFirstCannotStart(service, name, members.length, warnings);
      } else if (found.rollout && STALLED.has(found.rollout.state)) {
        // The definition was accepted but the swarm stopped rolling it out: not converged, whatever the labels say.
        const why = `the swarm's rollout is ${found.rollout.state.replace('_', ' ')}${found.rollout.message ? ` (${found.rollout.message})` : ''}`;
        list.add(service.name, { kind: 'service.update', machine: leader, service: service.name, name, serviceId: found.id, patch: [], after, cause: 'stalled', reason: `${why}: rolled out again` });
        warnIfStartFirstCannotStart(service, name, members.length, warnings);
      } else if (found.tasks && found.tasks.running < found.tasks.desired) {
        // Its definition is current and the swarm keeps trying: nothing to apply, but not converged either.
        warnings.push(`swarm service ${name}: ${found.tasks.running} of ${found.tasks.desired} tasks running (see \`cluster ssh ${leader} -- docker service ps ${name}\`)`);
      }
    }
  }
  const names = new Set(wanted.map((s) => swarmServiceName(desired.name, s.name)));
  for (const s of ours) {
    if (names.has(s.name)) continue;
    list.add(s.name, { kind: 'service.remove', machine: leader!, service: s.labels[LABEL.service] ?? s.name, name: s.name, serviceId: s.id, after: [], ...(desired.destroying ? { cause: 'destroyed', reason: 'destroyed' } : { cause: 'not-in-manifest', reason: 'service not in the manifest, or not in swarm mode any more' }) });
  }
}

/** A change the swarm rolls out task by task: the task template's. The replica count, update_config and
 * rollback_config are the service's own and start no rollout (swarmkit orchestrator/update: only a changed
 * TaskTemplate makes a task dirty). */
const rollsTasks = (op: Operation) => !/^\/(replicas|swarm\/update|swarm\/rollback)(\/|$)/.test(op.path);

/**
 * swarmkit's start-first update creates a slot's new task while its old one still runs and waits for the
 * new one to run before removing the old (orchestrator/update/updater.go, updateTask: no timeout), and the
 * scheduler counts both against max_replicas_per_node (scheduler/filter.go MaxReplicasFilter, nodeinfo.go
 * ActiveTasksCountByService). With as many replicas as the limit allows on every swarm node, no new task
 * can be placed anywhere: the rollout waits for ever. Constraints only leave fewer nodes, so counting every
 * node never warns wrongly.
 */
function warnIfStartFirstCannotStart(service: DesiredService, name: string, nodes: number, warnings: string[]): void {
  const swarm = service.swarm;
  if (swarm?.mode !== 'replicated' || swarm.update?.order !== 'start-first' || !swarm.maxReplicas) return;
  if (service.scale < swarm.maxReplicas * nodes) return;
  warnings.push(
    `swarm service ${name}: its start-first update cannot start: ${service.scale} replicas with max_replicas_per_node ${swarm.maxReplicas} fill all ${nodes} swarm node${nodes === 1 ? '' : 's'}, and the swarm counts each old task beside its replacement, so the new tasks stay pending and the rollout waits (use update_config.order: stop-first, or raise max_replicas_per_node)`,
  );
}

function describe(s: DesiredService): string {
  return s.swarm?.mode === 'global' ? 'swarm mode, one task per machine' : `swarm mode, ${s.scale} replica${s.scale === 1 ? '' : 's'}`;
}

export function definitionPatch(label: string | undefined, after: Record<string, unknown>): Operation[] {
  let before: unknown;
  try {
    before = label ? JSON.parse(label) : undefined;
  } catch {
    before = undefined;
  }
  if (!before || typeof before !== 'object') return [{ op: 'replace', path: '', value: '(definition of the running service unknown)' }];
  return fjp.compare(before as object, JSON.parse(JSON.stringify(after)) as object, true);
}

function joinStep(list: ActionList, machine: string): string | undefined {
  for (const kind of ['swarm.init', 'swarm.join', 'swarm.promote']) if (list.has(`${kind}:${machine}`)) return `${kind}:${machine}`;
  return undefined;
}
