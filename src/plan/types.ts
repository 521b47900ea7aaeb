// The plan: a closed set of actions with dependency edges. Plain data: rendered, saved, executed.
import type { Operation } from 'fast-json-patch';
import type { Availability, Role } from '../model/desired.js';
import type { Unschedulable } from '../model/placement.js';

interface Base {
  /** Deterministic, readable id, e.g. `container.create:bird:3`. */
  id: string;
  /** Ids of actions that must finish first. */
  after: string[];
  /** Why this action exists, as a closed set (like Terraform's ActionReason): what tools and tests rely on. */
  cause: Cause;
  /** The same for people, with the detail (e.g. "config changed", "scale 10 → 8"). */
  reason?: string;
}

/**
 * Why an action exists. The text in `reason` says it for a reader; the cause is what a pipeline can
 * match on (plan JSON) and what the plan's own logic compares.
 */
export type Cause =
  /** In the manifest, not in the cluster: made (a machine, network, service, replica, image copy). */
  | 'missing'
  /** Exists but does not run (a stopped or paused machine, an exited container): started. */
  | 'stopped'
  /** In the cluster, not (any more) in the manifest: removed. */
  | 'not-in-manifest'
  /** A replica numbered above its service's scale. */
  | 'scaled-down'
  /** A second container of one replica. */
  | 'duplicate'
  /** A global service's replica on a machine that no longer meets its constraints. */
  | 'not-eligible'
  /** Its definition differs from the manifest's (spec, labels, size, role): updated or replaced. */
  | 'spec-changed'
  /** Only a masked (sensitive) value changed. */
  | 'sensitive-changed'
  /** Placed on another machine: create there first, then remove here. */
  | 'moved'
  /** What a machine left behind (its volume or network, a swarm node entry). */
  | 'leftover'
  /** Swarm membership the manifest asks for: init, join, promote, demote, leave. */
  | 'role-changed'
  /** A manager on paper that the raft does not list: joined again. */
  | 'not-in-raft'
  /** A swarm rollout that paused or rolled back: rolled out again. */
  | 'stalled'
  /** Out of this driver's reach: shown, not done. */
  | 'read-only'
  /** Removed by a destroy (`cluster destroy`, `plan --destroy`). */
  | 'destroyed'
  // Issue 15 points 2-3 (wip-avail):
  /** Moved only to restore the strategy's balance (`--rebalance`). */
  | 'rebalanced'
  /** Seen nowhere while a machine that may hold it is gone or silent past --unreachable-grace: placed again. */
  | 'machine-lost'
  /** Issue 15 point 6: the registry digest behind a `pull_policy: always` tag changed: replaced or updated. */
  | 'digest-changed';

export const CAUSES: readonly Cause[] = ['missing', 'stopped', 'not-in-manifest', 'scaled-down', 'duplicate', 'not-eligible', 'spec-changed', 'sensitive-changed', 'moved', 'leftover', 'role-changed', 'not-in-raft', 'stalled', 'read-only', 'destroyed', 'rebalanced', 'machine-lost', 'digest-changed'];

export type Action =
  | (Base & { kind: 'machine.create'; machine: string; driver: string; labels: Record<string, string> })
  | (Base & { kind: 'machine.start'; machine: string })
  | (Base & { kind: 'machine.remove'; machine: string })
  /** Give a machine the manifest's cpus/memory in place; `patch` goes from its recorded size to the manifest's. */
  | (Base & { kind: 'machine.resize'; machine: string; patch: Operation[] })
  | (Base & { kind: 'engine.labels'; machine: string; labels: Record<string, string>; patch: Operation[]; readOnly?: boolean })
  | (Base & { kind: 'swarm.init'; machine: string })
  | (Base & { kind: 'swarm.join'; machine: string; role: Role })
  | (Base & { kind: 'swarm.promote'; machine: string })
  | (Base & { kind: 'swarm.demote'; machine: string })
  | (Base & { kind: 'swarm.leave'; machine: string })
  /** Remove a node entry `machine` left behind when it re-joined as a new node (demoted first if it is a manager). */
  | (Base & { kind: 'swarm.forget'; machine: string; nodeId: string })
  | (Base & { kind: 'image.ensure'; machine: string; image: string })
  /** Built on the docker driver's host engine (`machine` is empty), then copied to machines by image.ensure. */
  | (Base & { kind: 'image.build'; machine: ''; service: string; image: string; context: string })
  | (Base & { kind: 'network.create'; machine: string; network: string; driver: 'overlay' | 'bridge'; labels: Record<string, string> })
  | (Base & { kind: 'network.remove'; machine: string; network: string })
  | (Base & { kind: 'service.create'; machine: string; service: string; name: string })
  | (Base & { kind: 'service.update'; machine: string; service: string; name: string; serviceId: string; patch: Operation[] })
  | (Base & { kind: 'service.remove'; machine: string; service: string; name: string; serviceId: string })
  | (Base & { kind: 'container.create'; machine: string; service: string; replica: number; name: string })
  | (Base & { kind: 'container.start'; machine: string; service: string; replica: number; name: string; containerId: string })
  | (Base & { kind: 'container.remove'; machine: string; service: string; replica: number; name: string; containerId: string })
  | (Base & {
      kind: 'container.replace';
      machine: string;
      service: string;
      replica: number;
      name: string;
      /** The container being replaced (may live on another machine when the replica moves). */
      from: { machine: string; containerId: string };
      patch: Operation[];
      /** Part of a rolling update (deploy.update_config, src/plan/rollouts.ts): its batch, and how old and new overlap. */
      rollout?: { batch: number; batches: number; /** Replicas the whole update replaces (failure ratios are of it). */ replicas: number; order: 'stop-first' | 'start-first' };
    })
  // Issue 15 points 1-3 (wip-avail): node availability, and a machine re-created with another node image.
  /** Set the machine's swarm node availability (`from` as observed) to the manifest's. */
  | (Base & { kind: 'machine.availability'; machine: string; from: Availability; availability: Availability })
  /** Re-create a machine (its node image changed), after its replicas moved elsewhere; it re-joins the swarm afterwards. */
  | (Base & { kind: 'machine.replace'; machine: string; driver: string; image: string })
  // Issue 15 point 7: a machine's `engine:` options written to its daemon.json, then its engine
  // reloaded (SIGHUP) or, for a key dockerd reads only at start, restarted (its containers come back).
  | (Base & { kind: 'engine.options'; machine: string; options: Record<string, unknown>; patch: Operation[]; restart: boolean });

export type ActionKind = Action['kind'];

export interface Plan {
  format_version: '1.0';
  cluster: string;
  /** True when any machine uses the sim driver: every output says "simulated". */
  simulated: boolean;
  actions: Action[]; // topological order, deterministic
  /** service → machine → replica numbers there after apply. */
  placements: Record<string, Record<string, number[]>>;
  unschedulable: Unschedulable[];
  warnings: string[];
  /** Changes the manifest forbids (a protected machine would be removed): apply refuses the whole plan. */
  blocked: string[];
  /**
   * Machines whose contents could not be seen (stopped, paused, silent) and the replicas kept as
   * they are because they may be there (src/sched/held.ts). Absent when every machine was seen.
   */
  unseen?: { machines: { machine: string; state: string; starts: boolean; until?: string }[]; replicas: { service: string; replicas: number[]; machines: string[]; global?: true }[] };
  /** Container services replaced batch by batch (deploy.update_config), in manifest order. Absent when none. */
  rollouts?: PlannedRollout[];
  /**
   * What is wrong with the cluster that this plan cannot mend (a swarm that lost its quorum), each with
   * what to do. `plan --detailed-exitcode` exits 2 while there is any, even with no action. Absent when none.
   */
  unhealthy?: string[];
  /** A plan limited by --target: the targets and how many actions of the whole plan it left out. */
  targeted?: { targets: string[]; left_out: number };
  /** How the plan orders or moves things that are not plain diffs (manager steps, rebalancing). Absent when none. */
  notes?: string[];
}

/** A rolling update the plan chains: its batches (after edges between them) and the rules each batch follows. */
export interface PlannedRollout {
  service: string;
  replicas: number;
  batches: number;
  /** Replicas per batch (update_config.parallelism; 0 is all of them). */
  perBatch: number;
  order: 'stop-first' | 'start-first';
  /** start-first replicas kept in place whose published host port cannot be bound twice: these go stop-first. */
  stopFirstFor?: { replicas: number[]; ports: string[] };
  monitorMs: number;
  delayMs: number;
  failureAction: 'pause' | 'continue' | 'rollback';
  maxFailureRatio: number;
}
