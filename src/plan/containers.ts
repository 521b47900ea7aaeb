// Image and container actions from the placement: create what is new, replace what changed, start
// what stopped, remove what is no longer wanted.
import type { Desired, DesiredService } from '../model/desired.js';
import { LABEL, type EngineFacts, type Observed } from '../model/observed.js';
import type { Placement } from '../model/placement.js';
import type { ActionList } from './builder.js';
import type { MachineSteps } from './machines.js';
import type { NetworkSteps } from './networks.js';
import { imageStep, type ImagePresent } from './images.js';
import { containerName, normalizeImage } from '../model/naming.js';
import { containerDigest, shortDigest } from '../model/image-ref.js';
import { maskedView, maskSpec, parseDigests, sensitiveChanges } from './sensitive.js';
import { parseSpecLabel, specPatch } from './spec-diff.js';
import { pushTo } from '../model/multimap.js';
import type { Cause } from './types.js';

const STARTABLE = new Set(['created', 'exited']);

export function planContainers(desired: Desired, observed: Observed, placement: Placement, machines: MachineSteps, list: ActionList, networkSteps: NetworkSteps = () => []): void {
  const services = new Map(desired.services.map((s) => [s.name, s]));
  // A machine's images as a set, made the first time a replica there may need one: a converged plan of ten thousand machines asks none.
  const imagesOn = new Map<string, Set<string>>();
  let engines: Map<string, EngineFacts> | undefined;
  const present: ImagePresent = (machine, ref) => {
    let images = imagesOn.get(machine);
    if (!images) {
      engines ??= new Map(observed.machines.flatMap((m) => (m.engine ? [[m.name, m.engine] as const] : [])));
      const e = engines.get(machine);
      if (!e) return false;
      imagesOn.set(machine, (images = new Set(e.images.flatMap((i) => [...i.tags.map(normalizeImage), ...(i.digests ?? [])]))));
    }
    return images.has(ref);
  };

  const removals = planRemovals(desired, placement, machines, list);
  const removalsOn = new Map<string, string[]>();
  for (const r of removals) pushTo(removalsOn, r.machine, r.id);

  // Actions that bring up each service's replicas, so dependents can wait for them.
  const upBy = new Map<string, string[]>();

  // Indexed: this loop runs once per replica, and for-of's iterator results cost 40 bytes each where V8 does not optimise it away.
  const all = placement.replicas;
  for (let i = 0; i < all.length; i++) {
    const rp = all[i]!;
    const old = rp.existing?.container;
    if (rp.fate === 'kept' && !(old && STARTABLE.has(old.state))) continue; // stays as it is: the converged case, a million times
    const service = services.get(rp.service);
    if (!service) continue;
    const name = containerName(desired.name, rp.service, rp.replica, service.spec.containerName);
    const key = `${rp.service}:${rp.replica}`;
    const base = { machine: rp.machine, service: rp.service, replica: rp.replica, name };
    // A start waits for what a create waits for (its swarm join, its networks, what it depends on),
    // all but the image its container already has.
    const prerequisites = (image = true) => [
      machines.ready(rp.machine),
      image ? imageStep(present, machines, list, rp.machine, service) : undefined,
      ...(removalsOn.get(rp.machine) ?? []),
      ...service.dependsOn.flatMap((d) => upBy.get(d) ?? []),
      ...(service.spec.networks ?? []).flatMap((n) => networkSteps(rp.machine, n.network)),
    ];
    let id: string | undefined;
    if (rp.fate === 'kept') {
      id = list.add(key, { kind: 'container.start', ...base, containerId: old!.id, after: prerequisites(false), cause: 'stopped', reason: `container is ${old!.state}` });
    } else if (rp.existing) {
      // Both sides masked: a changed secret shows as "(sensitive value changed)" at its field, never its value.
      const before = parseSpecLabel(old?.labels[LABEL.spec]);
      const after = maskedView(service.spec, desired.sensitive, `${desired.name}/${service.name}`);
      const masked = specPatch(before && maskSpec(before, desired.sensitive), after.spec);
      const patch = [...masked, ...sensitiveChanges(parseDigests(old?.labels[LABEL.sensitive]), after.digests, masked)];
      const moving = rp.existing.machine !== rp.machine;
      // Same config, another registry digest behind the tag (pull_policy always): said as such.
      const was = service.imageDigest && old ? containerDigest(old, service.spec.image, LABEL.imageDigest) : undefined;
      const digest = was && was !== service.imageDigest ? `image digest changed ${shortDigest(was)} → ${shortDigest(service.imageDigest!)}` : undefined;
      id = list.add(key, {
        kind: 'container.replace',
        ...base,
        from: { machine: rp.existing.machine, containerId: rp.existing.container.id },
        patch,
        after: prerequisites(),
        cause: moving ? (rp.cause === 'rebalanced' ? 'rebalanced' : 'moved') : digest && old!.owner?.configHash === service.configHash ? 'digest-changed' : patch.length === 0 ? 'sensitive-changed' : 'spec-changed',
        reason: moving
          ? `${rp.why ?? `moves from ${rp.existing.machine}`}${old?.owner?.configHash === service.configHash ? '' : ', config changed'}`
          : digest && old!.owner?.configHash === service.configHash
            ? digest
            : patch.length === 0
              ? 'config changed (a sensitive value)'
              : `config changed${digest ? `, ${digest}` : ''}`,
      });
    } else {
      id = list.add(key, {
        kind: 'container.create',
        ...base,
        after: prerequisites(),
        cause: rp.cause === 'machine-lost' ? 'machine-lost' : 'missing',
        reason: rp.why ? `${replicaReason(service, rp.replica)}, ${rp.why}` : replicaReason(service, rp.replica),
      });
    }
    if (id) pushTo(upBy, rp.service, id);
  }
}

interface Removal {
  id: string;
  machine: string;
}

/** Owned containers no replica uses go; those on leaving machines go with the machine. */
function planRemovals(desired: Desired, placement: Placement, machines: MachineSteps, list: ActionList): Removal[] {
  const services = new Map(desired.services.map((s) => [s.name, s]));
  const draining = new Set(desired.machines.filter((m) => m.availability === 'drain').map((m) => m.name));
  const out: (Removal & { service: string })[] = [];
  for (const { machine, container: c } of placement.retired) {
    if (machines.leaving.has(machine)) continue;
    const { service: name, replica } = c.owner!;
    const service = services.get(name);
    const [cause, reason]: [Cause, string] = !service
      ? desired.destroying
        ? ['destroyed', 'destroyed']
        : ['not-in-manifest', 'service not in the manifest']
      : service.global
        ? ['not-eligible', 'global: one replica per machine meeting its constraints']
        : replica > service.scale
          ? ['scaled-down', `scale ${service.scale}: replica ${replica} goes`]
          : // The old half of a move to another machine that an interrupted apply left behind.
            ['duplicate', `duplicate replica${draining.has(machine) ? ` (${machine} drains)` : ''}`];
    const id = list.add(`${name}:${replica}:${machine}`, { kind: 'container.remove', machine, service: name, replica, name: c.name, containerId: c.id, cause, reason, after: [] });
    out.push({ id, machine, service: name });
  }
  // Removals run in reverse dependency order: a dependent's containers go before what it depends on.
  const dependents = new Map<string, string[]>();
  for (const s of desired.services) for (const d of s.dependsOn) pushTo(dependents, d, s.name);
  const byService = new Map<string, string[]>();
  for (const r of out) pushTo(byService, r.service, r.id);
  for (const a of list.actions) {
    if (a.kind !== 'container.remove') continue;
    for (const dependent of dependents.get(a.service) ?? []) for (const id of byService.get(dependent) ?? []) a.after.push(id);
  }
  return out;
}

function replicaReason(service: DesiredService, replica: number): string {
  if (service.global) return `global: replica ${replica}, one per machine`;
  return replica === 1 && service.scale === 1 ? 'new service' : `replica ${replica} of ${service.scale}`;
}
