// Placement: where every desired replica runs after apply. Output of src/sched, input of src/plan.
import type { ObservedContainer } from './observed.js';

/** How a replica got its machine. */
export type ReplicaFate =
  | 'kept' // an existing container with the current config stays where it is
  | 'replaced' // an existing container with a stale config is recreated on the same machine
  | 'new'; // placed by the scheduler (a missing replica, or one whose machine goes away / no longer fits)

export interface ReplicaPlacement {
  service: string;
  replica: number; // 1-based
  machine: string;
  fate: ReplicaFate;
  /** For kept/replaced: the existing container. For 'new' when an old one exists elsewhere: that one. */
  existing?: Existing;
  /**
   * For 'new': why it is placed (again), when that is not plain "a replica more": its machine drains,
   * leaves or is replaced, rebalancing, or it was on a machine that is gone or silent past the grace.
   */
  why?: string;
  /** For 'new': moved only for balance (--rebalance), or placed again because its machine is gone or silent past the grace. */
  cause?: 'rebalanced' | 'machine-lost';
}

/** An observed container of this cluster and the machine it is on. */
export interface Existing {
  machine: string;
  container: ObservedContainer;
}

/** Why one machine cannot take one replica: the first filter that rejected it. */
export interface Rejection {
  machine: string;
  filter: string; // health | port | dependency | affinity | constraint | resources
  reason: string; // e.g. "constraint size==xxl not met (size=small)"
}

/** Replicas of one service that no machine can take. They all fail alike: nothing changes between them. */
export interface Unschedulable {
  service: string;
  replicas: number[];
  reasons: Rejection[]; // one per refusing machine, machine name order
  /** One sentence about the first: "0/3 machines can take bird-4: 2 constraint size==xxl, 1 port 80/tcp in use". */
  summary: string;
}

/** Every replica of one service, kept where it runs (fate kept): replica r runs on machines[r - 1]. */
export interface KeptReplicas {
  service: string;
  machines: string[];
}

export interface Placement {
  replicas: ReplicaPlacement[]; // by service (placement order: dependencies first), then replica number
  /**
   * The converged path (src/sched/converged.ts, asked for with PlaceOptions.converged): every replica is
   * kept as it runs, given by column, services in placement order; `replicas` is then empty.
   */
  kept?: KeptReplicas[];
  unschedulable: Unschedulable[];
  /** Owned containers no replica uses any more (scaled away, duplicates, services gone): the plan removes them. */
  retired: Existing[];
  /** Containers that copy a replica's labels but not its name while the real replica exists: reported, never touched. */
  lookalikes?: Existing[];
  /** Replicas not seen while a machine that may hold them cannot be seen: kept as they are, never placed elsewhere (src/sched/held.ts). */
  held?: { service: string; replicas: number[]; machines: string[]; global?: true }[];
  /** Replicas that should move (drain, --rebalance) but that no machine can take: they stay where they run, and why. */
  stayed?: { service: string; replicas: number[]; reason: string }[];
  /** `--rebalance`: replicas moved only to restore the strategy's balance, by service. */
  rebalanced?: { service: string; replicas: number[]; reason: string }[];
  /** Present when replicas are held or a machine is started: the unseen machines, started by this plan (`starts`) or silent until the grace period ends. */
  unseen?: { machine: string; state: string; starts: boolean; until?: string }[];
}

/** How many replicas run after apply, kept by column or not. */
export function replicaCount(placement: Placement): number {
  return placement.replicas.length + (placement.kept ?? []).reduce((n, k) => n + k.machines.length, 0);
}
