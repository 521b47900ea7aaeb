// Replicas nobody can see: a machine that is stopped, paused or whose engine does not answer may
// hold replicas that look missing. Placing them elsewhere would run two of each once it is back
// (and a stopped machine's containers, with their writable layers and anonymous volumes, would be
// replaced by empty ones), so the replicas missing from what was seen are kept as "unknown":
// - on a stopped or paused machine, until it starts (the plan starts it, and the apply plans them then);
// - on a silent engine, for a grace period from when it was first seen silent; after that the
//   machine counts as lost and they are placed elsewhere (once it is back, the extra ones retire).
import type { Desired } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Check } from './filters/types.js';
import type { Node } from './node.js';

/** Replicas of one service not seen on any machine that could be holding them. */
export interface HeldReplicas {
  service: string;
  replicas: number[];
  /** The unseen machines that could hold them (they meet the service's hard constraints). */
  machines: string[];
  /** A global service: one replica on each of `machines`, its number unknown until the machine is seen (`replicas` is empty). */
  global?: true;
}

/** Why a machine's contents are unknown, and until when that keeps its replicas. */
export interface Unseen {
  /** The machine's state as observed. */
  state: string;
  /** The plan starts it (stopped, paused): its replicas are planned once it is up. */
  starts: boolean;
  /** For a silent engine: when the grace period ends (ms since the epoch). */
  until?: number;
}

export interface SilenceRules {
  now: number;
  /** How long a silent engine's replicas are kept before they are placed elsewhere. */
  graceMs: number;
}

/** The wanted machines (same driver: not replaced) whose contents are unknown and still shield their replicas. */
export function unseenMachines(desired: Desired, observed: Observed, rules: SilenceRules): Map<string, Unseen> {
  const wanted = new Map(desired.machines.map((m) => [m.name, m]));
  const out = new Map<string, Unseen>();
  for (const o of observed.machines) {
    if (o.engine || wanted.get(o.name)?.driver !== o.driver) continue;
    if (o.state === 'stopped' || o.state === 'paused') {
      out.set(o.name, { state: o.state, starts: true });
      continue;
    }
    const since = o.silentSince ? Date.parse(o.silentSince) : rules.now;
    const until = (Number.isFinite(since) ? Math.min(since, rules.now) : rules.now) + rules.graceMs;
    if (rules.now < until) out.set(o.name, { state: o.state, starts: false, until });
  }
  return out;
}

/**
 * Takes out of `wanted` the replicas that were never seen (`from` has the ones whose container was
 * seen somewhere it cannot stay) when some unseen machine meeting `hard` could be holding them.
 */
export function holdUnseen(service: string, wanted: number[], from: Map<number, unknown>, unseen: Map<string, Unseen>, nodes: Map<string, Node>, hard: Check[]): { wanted: number[]; held?: HeldReplicas } {
  if (unseen.size === 0 || wanted.length === 0) return { wanted };
  const machines = couldHold(unseen, nodes, hard);
  if (machines.length === 0) return { wanted };
  const held: number[] = [];
  const rest: number[] = [];
  for (const r of wanted) (from.has(r) ? rest : held).push(r);
  return held.length ? { wanted: rest, held: { service, replicas: held, machines } } : { wanted };
}

/**
 * A global service's replica on each unseen machine that would run one (global.ts): nothing is placed
 * elsewhere for it, but it is not known to run either, so the plan lists it as not seen. A drained
 * machine is left out: its replica goes once it is seen.
 */
export function holdGlobal(service: string, unseen: Map<string, Unseen>, nodes: Map<string, Node>, hard: Check[]): HeldReplicas | undefined {
  if (unseen.size === 0) return undefined;
  const machines = couldHold(unseen, nodes, hard).filter((name) => nodes.get(name)!.availability !== 'drain');
  return machines.length ? { service, replicas: [], machines, global: true } : undefined;
}

/** The unseen machines meeting the service's hard constraints, by name. */
function couldHold(unseen: Map<string, Unseen>, nodes: Map<string, Node>, hard: Check[]): string[] {
  return [...unseen.keys()]
    .filter((name) => {
      const node = nodes.get(name);
      // The health filter refuses these nodes; only the service's own constraints say it could not be there.
      return node !== undefined && hard.every((c) => c.refuse(node) === undefined);
    })
    .sort();
}
