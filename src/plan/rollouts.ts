// Rolling updates of container services (deploy.update_config): a changed service's replacements are
// cut into batches of `parallelism` replicas (0: one batch, swarmkit updater.go Run) in replica
// order, and every replacement of batch k+1 waits for all of batch k (after edges). What a batch
// waits for (health, monitor, delay) and what a failure does are the executor's
// (src/reconcile/rollout.ts); the plan says them.
import type { Observed } from '../model/observed.js';
import type { Desired, PortSpec } from '../model/desired.js';
import { hostPortKey, hostPortsClash, type HostPort } from '../model/host-port.js';
import type { ActionList } from './builder.js';
import type { Action, PlannedRollout } from './types.js';

type Replace = Extract<Action, { kind: 'container.replace' }>;

export function chainRollouts(desired: Desired, observed: Observed, list: ActionList): PlannedRollout[] {
  const byService = new Map<string, Replace[]>();
  for (const a of list.actions) {
    if (a.kind !== 'container.replace') continue;
    const group = byService.get(a.service);
    if (group) group.push(a);
    else byService.set(a.service, [a]);
  }
  const out: PlannedRollout[] = [];
  for (const service of desired.services) {
    const update = service.update;
    const replaces = byService.get(service.name);
    if (!update || !replaces?.length) continue;
    replaces.sort((a, b) => a.replica - b.replica);
    const perBatch = update.parallelism === 0 ? replaces.length : Math.min(update.parallelism, replaces.length);
    const batches = Math.ceil(replaces.length / perBatch);
    const wanted = fixedHostPorts(service.spec.ports);
    const held: { replicas: number[]; ports: Set<string> } = { replicas: [], ports: new Set() };
    let previous: string[] = [];
    for (let b = 0; b < batches; b++) {
      const batch = replaces.slice(b * perBatch, (b + 1) * perBatch);
      for (const a of batch) {
        a.after.push(...previous);
        // start-first in place: a published host port the old container holds cannot be bound by the
        // new one beside it (swarmkit's HostPortFilter would leave the new task pending for ever), so
        // that replica goes stop-first, as `docker compose up` replaces a container.
        let order = update.order;
        if (order === 'start-first' && a.from.machine === a.machine) {
          const clash = portsHeld(wanted, oldPorts(observed, a));
          if (clash.length) {
            order = 'stop-first';
            held.replicas.push(a.replica);
            for (const p of clash) held.ports.add(p);
          }
        }
        a.rollout = { batch: b + 1, batches, replicas: replaces.length, order };
        a.reason = `${a.reason ?? 'config changed'}; batch ${b + 1} of ${batches}`;
      }
      previous = batch.map((a) => a.id);
    }
    out.push({
      service: service.name,
      replicas: replaces.length,
      batches,
      perBatch,
      order: update.order,
      ...(held.replicas.length ? { stopFirstFor: { replicas: held.replicas, ports: [...held.ports].sort() } } : {}),
      monitorMs: update.monitorMs,
      delayMs: update.delayMs,
      failureAction: update.failureAction,
      maxFailureRatio: update.maxFailureRatio,
    });
  }
  return out;
}

/** `web: rolling update, 3 batches of 1, start-first, monitor 5s, on failure rollback`. */
export function describeRollout(r: PlannedRollout): string {
  const parts = [`${r.batches} batch${r.batches === 1 ? '' : 'es'} of ${r.perBatch}`, r.order, `monitor ${seconds(r.monitorMs)}`];
  if (r.delayMs) parts.push(`delay ${seconds(r.delayMs)}`);
  parts.push(`on failure ${r.failureAction}${r.maxFailureRatio ? ` (past ${Math.round(r.maxFailureRatio * 100)}% failed)` : ''}`);
  const held = r.stopFirstFor ? `; stop-first for #${r.stopFirstFor.replicas.join(', #')}: ${r.stopFirstFor.ports.join(', ')} cannot be bound twice on one machine` : '';
  return `${r.service}: rolling update, ${parts.join(', ')}${held}`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function fixedHostPorts(ports: readonly PortSpec[]): HostPort[] {
  return ports.filter((p) => p.published !== undefined && p.publishedEnd === undefined && p.mode !== 'ingress').map((p) => ({ published: p.published!, protocol: p.protocol, ...(p.hostIp ? { hostIp: p.hostIp } : {}) }));
}

/** The host ports the container being replaced holds, as observed; unknown: assume the new ones. */
function oldPorts(observed: Observed, a: Replace): HostPort[] | undefined {
  return observed.machines.find((m) => m.name === a.from.machine)?.engine?.containers.find((x) => x.id === a.from.containerId)?.ports;
}

function portsHeld(wanted: HostPort[], old: HostPort[] | undefined): string[] {
  return wanted.filter((w) => (old ?? wanted).some((o) => hostPortsClash(w, o))).map(hostPortKey);
}
