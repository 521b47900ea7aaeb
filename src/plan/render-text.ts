// Terraform-like text: symbols, grouped by machine / swarm / image / service, a summary line.
import type { Operation } from 'fast-json-patch';
import type { Action, Plan } from './types.js';
import { SYMBOL, effectOf, summaryLine, unreachable } from './summary.js';
import { pushTo, pushAll } from '../model/multimap.js';
import { CHANGED } from './sensitive.js';
import { describeRollout } from './rollouts.js';

export function renderPlanText(plan: Plan): string {
  const out: string[] = [planHeader(plan)];
  const groups = new Map<string, string[]>();
  const images = new Map<string, string[]>();
  for (const a of plan.actions) {
    if (a.kind === 'image.ensure') {
      pushTo(images, a.image, a.machine);
      continue;
    }
    const group = groupOf(a);
    pushAll(groups, group, renderAction(a));
  }
  const imageLines = [...images].map(([image, machines]) => `  +   image ${image} on ${machines.join(', ')}`);
  const ordered: [string, string[]][] = [
    ...[...groups].filter(([g]) => g === 'machines' || g === 'swarm' || g === 'networks'),
    ...(imageLines.length ? [['images', imageLines] as [string, string[]]] : []),
    ...[...groups].filter(([g]) => g !== 'machines' && g !== 'swarm' && g !== 'networks'),
  ];
  for (const [group, lines] of ordered) {
    out.push('', `  # ${['machines', 'swarm', 'networks', 'images'].includes(group) ? group : `service ${group}${placementNote(plan, group)}`}`);
    const rollout = plan.rollouts?.find((r) => r.service === group);
    if (rollout) out.push(`  ${describeRollout(rollout)}`);
    for (const line of lines) out.push(line); // not push(...lines): a group of 130,000 lines overflows the call stack
  }
  return [...out, ...renderPlanFooter(plan)].join('\n') + '\n';
}

/** What follows the actions in every form of the plan (full and compact): unschedulable, not seen, notes, warnings, the summary. */
export function renderPlanFooter(plan: Plan): string[] {
  const out: string[] = [];
  if (plan.unschedulable.length) {
    out.push('', '  # unschedulable');
    for (const u of plan.unschedulable) {
      out.push(`  ! ${u.service} ${replicaRange(u.replicas)}: ${u.summary}`);
      for (const r of u.reasons) out.push(`      ${r.machine}: ${r.reason}`);
    }
  }
  if (plan.unseen) out.push('', '  # not seen', ...unseenLines(plan.unseen));
  if (plan.unhealthy?.length) out.push('', 'Unhealthy (this plan cannot mend it):', ...plan.unhealthy.map((u) => `  - ${u}`));
  if (plan.notes?.length) out.push('', 'Notes:', ...plan.notes.map((n) => `  - ${n}`));
  if (plan.warnings.length) out.push('', 'Warnings:', ...plan.warnings.map((w) => `  - ${w}`));
  if (plan.blocked.length) out.push('', 'Error: this plan cannot be applied:', ...plan.blocked.map((b) => `  - ${b}`));
  const destructive = destructiveSummary(plan);
  if (destructive) out.push('', `!! ${destructive}`);
  out.push('', summaryLine(plan));
  const unplaced = plan.unschedulable.reduce((n, u) => n + u.replicas.length, 0);
  if (unplaced) out.push(`${unplaced} replica${unplaced === 1 ? '' : 's'} cannot be placed (see "unschedulable" above).`);
  return out;
}

export function planHeader(plan: Plan): string {
  return plan.simulated ? `cluster "${plan.cluster}" (simulated: sim driver, no real machine is touched)` : `cluster "${plan.cluster}"`;
}

/** Machines whose contents are unknown, and the replicas kept (not placed elsewhere) because they may be there. */
function unseenLines(u: NonNullable<Plan['unseen']>): string[] {
  const lines = u.machines.map((m) =>
    m.starts
      ? `  ? ${m.machine} is ${m.state}: apply starts it, then sees what it holds and plans that`
      : `  ? ${m.machine}: ${m.state === 'error' ? 'the machine is in error' : 'its engine does not answer'}; what may be on it is kept until ${m.until ?? 'it answers'} (--unreachable-grace), then placed elsewhere`,
  );
  for (const r of u.replicas) {
    if (r.global) lines.push(`  ? ${r.service} (global): the replica on ${r.machines.join(', ')} not seen, kept as ${r.machines.length === 1 ? 'it is' : 'they are'}`);
    else lines.push(`  ? ${r.service} ${replicaRange(r.replicas)}: not seen, kept as they are (may be on ${r.machines.join(', ')})`);
  }
  return lines;
}

function groupOf(a: Action): string {
  if (a.kind.startsWith('machine.') || a.kind.startsWith('engine.')) return 'machines';
  if (a.kind.startsWith('swarm.')) return 'swarm';
  if (a.kind.startsWith('network.')) return 'networks';
  return 'service' in a ? a.service : 'machines';
}

function placementNote(plan: Plan, service: string): string {
  const where = plan.placements[service];
  if (!where) return plan.actions.some((a) => a.kind.startsWith('service.') && 'service' in a && a.service === service && a.kind !== 'service.remove') ? ' (swarm mode)' : ' (removed)';
  const parts = Object.entries(where).map(([m, rs]) => `${m} ×${rs.length}`);
  const total = Object.values(where).reduce((n, rs) => n + rs.length, 0);
  return ` (${total} replica${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''})`;
}

export function renderAction(a: Action): string[] {
  const sym = SYMBOL[effectOf(a)].padEnd(3);
  const why = a.reason ? ` (${a.reason})` : '';
  switch (a.kind) {
    case 'machine.create':
      return [`  ${sym} machine ${a.machine}${why}`];
    case 'machine.start':
      return [`  ${sym} start machine ${a.machine}${why}`];
    case 'machine.remove':
      return [`  ${sym} machine ${a.machine}${why}`];
    case 'machine.resize':
      return [`  ${sym} machine ${a.machine}: ${a.reason ?? 'resize'}`];
    case 'machine.availability':
      return [`  ${sym} machine ${a.machine}: availability ${a.from} → ${a.availability}${why}`];
    case 'machine.replace':
      return [`  ${sym} machine ${a.machine}${why}`];
    case 'engine.labels':
      return [`  ${sym} engine labels of ${a.machine}${why}`, ...renderPatch(a.patch)];
    case 'engine.options':
      return [`  ${sym} machine ${a.machine}: engine ${a.reason ?? 'options'} (${a.restart ? 'restart: its containers stop and start again' : 'reload'})`];
    case 'swarm.init':
      return [`  ${sym} swarm init on ${a.machine}${why}`];
    case 'swarm.join':
      return [`  ${sym} swarm join ${a.machine} as ${a.role}`];
    case 'swarm.promote':
      return [`  ${sym} swarm promote ${a.machine}${why}`];
    case 'swarm.demote':
      return [`  ${sym} swarm demote ${a.machine}${why}`];
    case 'swarm.leave':
      return [`  ${sym} swarm leave ${a.machine}${why}`];
    case 'swarm.forget':
      return [`  ${sym} swarm node ${a.nodeId} of ${a.machine}${why}`];
    case 'image.ensure':
      return [`  ${sym} image ${a.image} on ${a.machine}`];
    case 'image.build':
      return [`  ${sym} build image ${a.image} from ${a.context} on the host engine`];
    case 'network.create':
      return [`  ${sym} network ${a.network} (${a.driver}) on ${a.machine}${why}`];
    case 'network.remove':
      return [`  ${sym} network ${a.network} on ${a.machine}${why}`];
    case 'service.create':
    case 'service.remove':
      return [`  ${sym} swarm service ${a.name} on ${a.machine}${why}`];
    case 'service.update':
      return [`  ${sym} swarm service ${a.name} on ${a.machine}${why}`, ...renderPatch(a.patch)];
    case 'container.create':
      return [`  ${sym} ${a.service} #${a.replica} ${a.name} on ${a.machine}${why}`];
    case 'container.start':
      return [`  ${sym} start ${a.service} #${a.replica} ${a.name} on ${a.machine}${why}`];
    case 'container.remove':
      return [`  ${sym} ${a.service} #${a.replica} ${a.name} on ${a.machine}${why}`];
    case 'container.replace':
      return [`  ${sym} ${a.service} #${a.replica} ${a.name} on ${a.machine}${why}`, ...renderPatch(a.patch)];
    default:
      return unreachable(a);
  }
}

/** JSON Patch with `test` ops (invertible compare) → `~ path: old → new` lines. */
export function renderPatch(patch: Operation[]): string[] {
  const out: string[] = [];
  const old = new Map<string, unknown>();
  for (const op of patch) {
    const path = op.path.replace(/^\//, '').split('/').map(unescape).join('.') || '(all)';
    switch (op.op) {
      case 'test':
        old.set(op.path, op.value);
        break;
      case 'replace':
        // A rotated secret: where it changed, never what it was or is.
        if (op.value === CHANGED && !old.has(op.path)) out.push(`      ~ ${path}: ${CHANGED}`);
        else out.push(`      ~ ${path}: ${show(old.get(op.path))} → ${show(op.value)}`);
        break;
      case 'add':
        out.push(`      + ${path}: ${show(op.value)}`);
        break;
      case 'remove':
        out.push(`      - ${path}${old.has(op.path) ? `: ${show(old.get(op.path))}` : ''}`);
        break;
      default:
        out.push(`      ~ ${op.op} ${path}`);
    }
  }
  return out;
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function show(v: unknown): string {
  return v === undefined ? '(unknown)' : JSON.stringify(v);
}

/** One line for progress output: the plan line without its indentation and column padding. */
export function describeAction(a: Action): string {
  return renderAction(a)[0]!.trim().replace(/^(\S+) +/, '$1 ');
}

/** [4,5,6,9] → "#4-#6, #9": a service short of 10,000 replicas is one line, not 10,000. */
function replicaRange(replicas: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < replicas.length; ) {
    let j = i;
    while (j + 1 < replicas.length && replicas[j + 1] === replicas[j]! + 1) j++;
    parts.push(i === j ? `#${replicas[i]}` : `#${replicas[i]}-#${replicas[j]}`);
    i = j + 1;
  }
  return parts.length > 6 ? `${parts.slice(0, 6).join(', ')} and ${parts.length - 6} more` : parts.join(', ');
}

/** Removals that lose machines or whole services, said once and loudly above the summary. */
function destructiveSummary(plan: Plan): string | undefined {
  const machines = plan.actions.filter((a) => a.kind === 'machine.remove').map((a) => a.machine);
  const services = [...new Set(plan.actions.filter((a) => a.kind === 'container.remove' && !(a.service in plan.placements)).map((a) => (a as { service: string }).service))];
  const parts = [
    machines.length ? `${machines.length} machine${machines.length === 1 ? '' : 's'} (${machines.join(', ')}) with everything on ${machines.length === 1 ? 'it' : 'them'}` : '',
    services.length ? `${services.length} service${services.length === 1 ? '' : 's'} (${services.join(', ')})` : '',
  ].filter(Boolean);
  return parts.length ? `This plan DESTROYS ${parts.join(' and ')}.` : undefined;
}
