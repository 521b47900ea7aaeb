// Resources, as classic Swarm weighs them (strategy/weighted_node.go): a machine smaller than the
// request is skipped; each score is 100 when the resource is not requested, else
// floor((used + requested) × 100 / total); a score over 100 means full. Weight = cpu + memory score.
// A machine of unknown size (not created yet, no size declared) is never full and scores 100.
import type { Node } from './node.js';
import type { Task } from './task.js';
import type { Refusal } from './filters/types.js';

export const FULL = -1;

function score(used: number, requested: number, total: number): number {
  if (requested === 0 || total === 0) return 100;
  return Math.floor(((used + requested) * 100) / total);
}

/** The node's weight for one more replica of `task`, or FULL. */
export function weigh(node: Node, task: Task): number {
  if (task.cpu > 0 && node.cpuTotal > 0 && node.cpuTotal < task.cpu) return FULL;
  if (task.memory > 0 && node.memTotal > 0 && node.memTotal < task.memory) return FULL;
  const cpu = score(node.cpuUsed, task.cpu, node.cpuTotal);
  const memory = score(node.memUsed, task.memory, node.memTotal);
  return cpu > 100 || memory > 100 ? FULL : cpu + memory;
}

/** Why `weigh` said FULL, in the words a user needs: "needs 2 GiB memory, 1.5 GiB free". */
export function resourceRefusal(node: Node, task: Task): Refusal {
  const memFull = task.memory > 0 && node.memTotal > 0 && (node.memTotal < task.memory || score(node.memUsed, task.memory, node.memTotal) > 100);
  if (memFull) {
    const detail = node.memTotal < task.memory ? `has ${formatBytes(node.memTotal)} in all` : `${formatBytes(Math.max(0, node.memTotal - node.memUsed))} free`;
    return { reason: `needs ${formatBytes(task.memory)} memory, ${detail}`, group: 'not enough memory' };
  }
  const detail = node.cpuTotal < task.cpu ? `has ${formatCpus(node.cpuTotal)} in all` : `${formatCpus(Math.max(0, node.cpuTotal - node.cpuUsed))} free`;
  return { reason: `needs ${formatCpus(task.cpu)} cpus, ${detail}`, group: 'not enough cpu' };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}

function formatCpus(milli: number): string {
  return String(milli / 1000);
}
