// `cluster explain SERVICE`: per machine, the replicas it holds after the plan and whether it
// could take one more, with the weight the strategy ranks by or the first filter that refuses it.
import type { Desired } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { ReplicaPlacement, Unschedulable } from '../model/placement.js';
import { formatExpression } from './expr.js';
import { prepareChecks } from './place-service.js';
import { labelValue } from './spread.js';
import { FULL, resourceRefusal, weigh } from './resources.js';
import { schedule, type PlaceOptions } from './index.js';

export interface MachineVerdict {
  machine: string;
  replicas: ReplicaPlacement[];
  /** For one more replica: its weight, or why not. */
  next: { weight: number; containers: number; preferred: boolean } | { filter: string; reason: string };
}

export interface ServiceExplanation {
  service: string;
  strategy: string;
  rule: string;
  expressions: string[];
  /** Rules of ours that differ from classic Swarm and bear on this service; absent when none. */
  notes?: string[];
  machines: MachineVerdict[];
  unschedulable?: Unschedulable;
}

// Where we knowingly differ from classic Swarm, the rule says so (README.md, Scheduler).
const RULES: Record<string, string> = {
  spread: 'lowest weight first, then fewest containers, then machine name; classic leaves such ties to an unstable sort',
  binpack: 'highest weight first, then most containers, then machine name; classic leaves such ties to an unstable sort',
  random: "uniformly at random (seeded) among the machines that pass and have room for the reservations; classic's random also picks full machines",
};

export function explainService(desired: Desired, observed: Observed, name: string, options: PlaceOptions = {}): ServiceExplanation | undefined {
  const service = desired.services.find((s) => s.name === name);
  if (!service) return undefined;
  const { placement, ctx, tasks } = schedule(desired, observed, options);
  const task = tasks.get(name)!;
  const strict = prepareChecks(ctx.filters, task, true);
  const relaxed = prepareChecks(ctx.filters, task, false);
  const machines = ctx.nodes.map((node): MachineVerdict => {
    const replicas = placement.replicas.filter((r) => r.service === name && r.machine === node.name);
    for (const c of relaxed) {
      const refusal = c.check.refuse(node);
      if (refusal) return { machine: node.name, replicas, next: { filter: c.name, reason: refusal.reason } };
    }
    const weight = weigh(node, task);
    if (weight === FULL) return { machine: node.name, replicas, next: { filter: 'resources', reason: resourceRefusal(node, task).reason } };
    return { machine: node.name, replicas, next: { weight, containers: node.containers, preferred: strict.every((c) => !c.check.refuse(node)) } };
  });
  const strategy = options.strategy ?? desired.scheduler.strategy;
  const unschedulable = placement.unschedulable.find((u) => u.service === name);
  const notes: string[] = [];
  for (const key of service.placement.spread ?? []) {
    // What the spread evened out: replicas per value of the label after the plan ("" = machines without it).
    const per = new Map<string, number>();
    for (const node of ctx.nodes) per.set(labelValue(node, key), (per.get(labelValue(node, key)) ?? 0) + (node.services.get(name) ?? 0));
    const counts = [...per].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([v, n]) => `${v === '' ? '(no label)' : v} ${n}`);
    notes.push(`spread over node.labels.${key} (swarmkit's placement preference): the group of machines with the fewest replicas takes the next, then the strategy inside it; replicas per value: ${counts.join(', ')}`);
  }
  if (service.placement.maxPerMachine) notes.push(`max_replicas_per_node ${service.placement.maxPerMachine}: a machine holding that many replicas takes no more (swarmkit's MaxReplicasFilter)`);
  if (service.global) notes.push('deploy.mode global: one replica on each machine meeting its constraints, as swarmkit places a global service; the strategy does not choose, and a machine already holding one takes no other');
  if (task.ports.length) notes.push('a host port is taken per protocol and address: 8080/udp beside 8080/tcp is allowed (classic refuses it; engines allow it)');
  const overcommit = desired.scheduler.overcommit ?? 0;
  if (overcommit) notes.push(`machine sizes include scheduler.overcommit ${overcommit}, counted as classic counts it (whole cpus, whole percent)`);
  return {
    service: name,
    strategy,
    rule: RULES[strategy]!,
    expressions: [...service.placement.constraints.map((e) => `constraint ${formatExpression(e)}`), ...service.placement.affinities.map((e) => `affinity ${formatExpression(e)}`)],
    ...(notes.length ? { notes } : {}),
    machines,
    ...(unschedulable ? { unschedulable } : {}),
  };
}
