// A filter in the classic Swarm sense: does this machine accept a replica of this service?
// Shape taken from swarmkit: prepare once per service, check per machine, explain the failure.
import type { FilterName } from '../../model/desired.js';
import type { Node, Resident } from '../node.js';
import type { Task } from '../task.js';

export interface Refusal {
  /** One line for this machine: "constraint size==xxl not met (size=small)". */
  reason: string;
  /** What refusals are counted by in the summary: "constraint size==xxl". */
  group: string;
}

export interface Check {
  /** Why `node` cannot take a replica, or undefined when it can. */
  refuse(node: Node): Refusal | undefined;
  /**
   * `node` passed and then received `placed` (a replica of this same service): does it still pass?
   * Only what changed needs looking at, so this is O(1) per placement. Absent = the answer cannot change.
   */
  recheck?(node: Node, placed: Resident): Refusal | undefined;
}

export interface Filter {
  readonly name: FilterName;
  /** The check for one service; `soft` includes soft expressions. Undefined: nothing to check. */
  prepare(task: Task, soft: boolean): Check | undefined;
}
