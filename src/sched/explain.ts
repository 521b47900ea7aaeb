// Why a replica cannot be placed: for every machine, the first filter that refused it (or the
// resources that are short), aggregated into one sentence as Kubernetes does
// ("0/3 machines can take bird-4: 2 constraint size==xxl, 1 port 80/tcp in use").
import type { Rejection } from '../model/placement.js';
import type { Refusal } from './filters/types.js';
import type { Node } from './node.js';
import { FULL, resourceRefusal, weigh } from './resources.js';
import type { NamedCheck } from './place-service.js';
import type { Task } from './task.js';

export function explain(nodes: readonly Node[], task: Task, checks: readonly NamedCheck[], replicaName: string): { reasons: Rejection[]; summary: string } {
  const reasons: Rejection[] = [];
  const groups = new Map<string, number>();
  for (const node of nodes) {
    let refusal: Refusal | undefined;
    let filter = 'resources';
    for (const c of checks) {
      refusal = c.check.refuse(node);
      if (refusal) {
        filter = c.name;
        break;
      }
    }
    if (!refusal && weigh(node, task) === FULL) refusal = resourceRefusal(node, task);
    if (!refusal) continue;
    reasons.push({ machine: node.name, filter, reason: refusal.reason });
    groups.set(refusal.group, (groups.get(refusal.group) ?? 0) + 1);
  }
  const counted = [...groups].sort((a, b) => b[1] - a[1]).map(([g, n]) => `${n} ${g}`);
  // Never an empty reason: should the placement and this account ever disagree, say that instead.
  const why = nodes.length === 0 ? 'no machines are declared' : counted.length ? counted.join(', ') : `no machine was left after filtering, yet none refuses ${replicaName} on its own (a scheduler bug: please report it)`;
  return { reasons, summary: `0/${nodes.length} machines can take ${replicaName}: ${why}` };
}
