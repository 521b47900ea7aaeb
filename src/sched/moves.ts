// Why a replica is placed again, and `--rebalance`. Pure.
// - A replica moves when its machine leaves the manifest, drains, is being replaced, or no longer
//   meets the service's constraints (fates.ts decides; this says which, for the plan text and JSON).
// - A replica missing everywhere while a machine is gone (its container removed by hand) or silent
//   past --unreachable-grace is placed again, and the plan names those machines.
// - `--rebalance` (opt-in; moby#24103): replicas of a spread service move off machines holding more
//   than their even share, so machines that joined get their part. Without it, nothing moves for balance.
import type { Desired, DesiredService } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Existing } from '../model/placement.js';
import type { Fates } from './fates.js';
import type { Check } from './filters/types.js';
import type { Unseen } from './held.js';
import type { Node } from './node.js';

/** Why the replica whose container is `e` does not stay on its machine. */
export function moveCause(e: Existing, byName: Map<string, Node>, rebalanced: boolean): string {
  const node = byName.get(e.machine);
  if (rebalanced) return `rebalance: moves from ${e.machine}, which holds more than its share`;
  if (!node) return `moves from ${e.machine}: the machine leaves the manifest`;
  if (node.replaced) return `moves from ${e.machine}: the machine is replaced (node image changes)`;
  if (node.availability === 'drain') return `moves from ${e.machine}: availability drain`;
  return `moves from ${e.machine}: it no longer meets the service's placement`;
}

/**
 * Machines whose replicas may be lost: wanted machines whose container is gone (a leftover of it
 * remains, so it existed) and silent engines past the grace (not shielded by `unseen`).
 */
export function lostMachines(desired: Desired, observed: Observed, unseen: Map<string, Unseen>): string[] {
  const seen = new Map(observed.machines.map((m) => [m.name, m]));
  const gone = new Set((observed.leftovers ?? []).filter((l) => !l.shared).map((l) => l.name));
  const out: string[] = [];
  for (const m of desired.machines) {
    const o = seen.get(m.name);
    if (!o) {
      if (gone.has(m.name)) out.push(`${m.name} (gone: its machine container was removed)`);
      continue;
    }
    if (o.engine || o.driver !== m.driver || unseen.has(m.name) || (o.state !== 'running' && o.state !== 'error')) continue;
    out.push(`${m.name} (${o.state === 'error' ? 'in error' : 'silent'}${o.silentSince ? ` since ${o.silentSince}` : ''}, past --unreachable-grace)`);
  }
  return out;
}

/**
 * `--rebalance` for one spread service: takes out of `f.slots` the replicas above each eligible
 * machine's even share and adds them to `f.wanted` (with the container each replaces), so the
 * scheduler places them on the machines below it. Eligible: healthy, active, meeting the hard
 * constraints. The machines holding most keep the larger shares, so the fewest replicas move.
 * Returns the replicas taken.
 */
export function takeForBalance(service: DesiredService, f: Fates, nodes: readonly Node[], hard: Check[]): number[] {
  const eligible = nodes.filter((n) => n.problem === undefined && n.availability === undefined && hard.every((c) => c.refuse(n) === undefined));
  if (eligible.length < 2) return [];
  const on = new Map<string, number[]>(eligible.map((n) => [n.name, []]));
  let elsewhere = 0;
  for (const rp of f.slots) {
    if (!rp) continue;
    const list = on.get(rp.machine);
    if (list) list.push(rp.replica);
    else elsewhere++;
  }
  const total = service.scale - elsewhere;
  const base = Math.floor(total / eligible.length);
  let extra = total % eligible.length;
  const byCount = [...on].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const taken: number[] = [];
  for (const [, replicas] of byCount) {
    const share = base + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    // The highest-numbered replicas move: the oldest names stay where they are.
    for (const r of replicas.sort((a, b) => a - b).slice(share)) taken.push(r);
  }
  for (const r of taken) {
    const rp = f.slots[r - 1]!;
    f.slots[r - 1] = undefined;
    f.wanted.push(r);
    f.from.set(r, rp.existing!);
  }
  f.wanted.sort((a, b) => a - b);
  return taken.sort((a, b) => a - b);
}
