// The plan summarised per service and machine group: one line per kind of change instead of one per
// action (`+ bird: 400 replicas on 200 machines`), for `plan --compact` and by default above a few
// hundred actions. The detail stays complete in `plan --json` and `plan --full`. Pure.
import { pushTo } from '../model/multimap.js';
import { renderPlanFooter, planHeader, renderPlanText } from './render-text.js';
import { describeRollout } from './rollouts.js';
import { SYMBOL, effectOf } from './summary.js';
import type { Action, Plan } from './types.js';

/** Above this many actions the plan is compact unless `--full` is given. */
export const COMPACT_ABOVE = 300;

export type PlanForm = 'auto' | 'compact' | 'full';

/** The manifest key (machine group) a machine belongs to. */
export type MachineGroupOf = (machine: string) => string;

/** A machine's group when the manifest no longer names it: `count:` names machines <key>-1 .. <key>-N. */
export const groupByName: MachineGroupOf = (machine) => machine.replace(/-\d+$/, '');

/** The plan in the form asked for; `auto` is compact above COMPACT_ABOVE actions. */
export function renderPlan(plan: Plan, form: PlanForm, groupOf: MachineGroupOf = groupByName): string {
  const compact = form === 'compact' || (form === 'auto' && plan.actions.length > COMPACT_ABOVE);
  return compact ? renderPlanCompact(plan, groupOf) : renderPlanText(plan);
}

interface Line {
  section: string;
  symbol: string;
  /** What the line counts, before the counts: `bird`, `machine worker`, `image busybox:latest`. */
  subject: string;
  /** What one action is: replica, machine. */
  unit: string;
  verb: string;
  cause: string;
  units: number;
  machines: Set<string>;
  groups: Map<string, number>;
}

export function renderPlanCompact(plan: Plan, groupOf: MachineGroupOf = groupByName): string {
  const lines = new Map<string, Line>();
  for (const a of plan.actions) {
    const c = classify(a, groupOf);
    const key = [c.section, c.symbol, c.subject, c.verb, c.cause].join('\0');
    let line = lines.get(key);
    if (!line) lines.set(key, (line = { ...c, units: 0, machines: new Set(), groups: new Map() }));
    line.units++;
    if (a.machine) {
      line.machines.add(a.machine);
      const g = groupOf(a.machine);
      line.groups.set(g, (line.groups.get(g) ?? 0) + 1);
    }
  }
  const sections = new Map<string, string[]>();
  for (const l of lines.values()) pushTo(sections, l.section, `  ${l.symbol.padEnd(3)} ${render(l)}`);
  const order = [...sections.keys()].sort((a, b) => rank(a) - rank(b));
  const out = [planHeader(plan)];
  for (const section of order) {
    const service = section.startsWith('service ') ? section.slice('service '.length) : undefined;
    out.push('', `  # ${section}${service ? placementNote(plan, service) : ''}`);
    const rollout = service ? plan.rollouts?.find((r) => r.service === service) : undefined;
    if (rollout) out.push(`  ${describeRollout(rollout)}`);
    out.push(...sections.get(section)!);
  }
  out.push(...renderPlanFooter(plan));
  out.push(`(${plan.actions.length.toLocaleString('en')} actions summarised per service and machine group: \`cluster plan --full\` lists each, \`cluster plan --json\` has every detail.)`);
  return out.join('\n') + '\n';
}

function rank(section: string): number {
  return ['machines', 'swarm', 'networks', 'images'].indexOf(section) + 1 || 5;
}

function render(l: Line): string {
  const on = l.machines.size ? ` on ${count(l.machines.size, 'machine')}${groupsNote(l)}` : '';
  const cause = l.cause ? ` (${l.cause})` : '';
  // Machines count themselves: `machine group worker: 180 machines`, `swarm join as worker: 180 machines of worker`.
  if (l.unit === 'machine') return l.verb.endsWith('group ') ? `${l.verb}${l.subject}: ${count(l.units, 'machine')}${cause}` : `${l.verb}: ${count(l.units, 'machine')} of ${l.subject}${cause}`;
  return `${l.verb}${l.subject}: ${count(l.units, l.unit)}${on}${cause}`;
}

/** Which machine groups, when more than one: `(worker 180, edge 20)`. */
function groupsNote(l: Line): string {
  if (l.groups.size < 2) return l.groups.size === 1 && l.unit !== 'machine' ? ` of ${[...l.groups.keys()][0]}` : '';
  const parts = [...l.groups].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([g, n]) => `${g} ${n}`);
  return ` (${parts.length > 6 ? `${parts.slice(0, 6).join(', ')} and ${parts.length - 6} more groups` : parts.join(', ')})`;
}

function classify(a: Action, groupOf: MachineGroupOf): Pick<Line, 'section' | 'symbol' | 'subject' | 'unit' | 'verb' | 'cause'> {
  const symbol = SYMBOL[effectOf(a)];
  const cause = a.cause === 'missing' ? '' : a.cause.replace(/-/g, ' ');
  const machineLine = (section: string, verb: string) => ({ section, symbol, subject: groupOf(a.machine), unit: 'machine', verb, cause });
  switch (a.kind) {
    case 'machine.create':
    case 'machine.remove':
    case 'machine.replace':
      return machineLine('machines', 'machine group ');
    case 'machine.start':
      return machineLine('machines', 'start machine group ');
    case 'machine.resize':
      return machineLine('machines', 'resize machine group ');
    case 'machine.availability':
      return machineLine('machines', `availability ${a.availability}`);
    case 'engine.labels':
      return machineLine('machines', 'engine labels');
    case 'engine.options':
      return machineLine('machines', 'engine options');
    case 'swarm.init':
    case 'swarm.join':
    case 'swarm.promote':
    case 'swarm.demote':
    case 'swarm.leave':
    case 'swarm.forget':
      return machineLine('swarm', `${a.kind.replace('.', ' ')}${a.kind === 'swarm.join' ? ` as ${a.role}` : ''}`);
    case 'network.create':
    case 'network.remove':
      return { section: 'networks', symbol, subject: a.network, unit: 'network', verb: 'network ', cause };
    case 'image.ensure':
      return { section: 'images', symbol, subject: a.image, unit: 'copy', verb: 'image ', cause };
    case 'image.build':
      return { section: 'images', symbol, subject: a.image, unit: 'build', verb: 'build image ', cause };
    case 'service.create':
    case 'service.update':
    case 'service.remove':
      return { section: `service ${a.service}`, symbol, subject: a.service, unit: 'swarm service', verb: 'swarm service ', cause };
    case 'container.create':
    case 'container.remove':
    case 'container.replace':
      return { section: `service ${a.service}`, symbol, subject: a.service, unit: 'replica', verb: '', cause };
    case 'container.start':
      return { section: `service ${a.service}`, symbol, subject: a.service, unit: 'replica', verb: 'start ', cause };
  }
}

function placementNote(plan: Plan, service: string): string {
  const where = plan.placements[service];
  if (!where) return '';
  const total = Object.values(where).reduce((n, rs) => n + rs.length, 0);
  const machines = Object.values(where).filter((rs) => rs.length).length;
  return ` (${count(total, 'replica')} on ${count(machines, 'machine')} after apply)`;
}

function count(n: number, what: string): string {
  const plural = what.endsWith('y') ? `${what.slice(0, -1)}ies` : `${what}s`;
  return `${n.toLocaleString('en')} ${n === 1 ? what : plural}`;
}
