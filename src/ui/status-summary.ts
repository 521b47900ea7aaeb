// The state after an apply, compact: a 200-machine apply is not summed up by a 1,000-row table.
// Per machine group (machines running/total, containers, reservations) and per service (replicas
// running/total, on how many machines), the swarm in one line, what is unhealthy (the first few),
// and a hint to `cluster status` for every row. Small clusters keep the full table. Pure.
import type { MachineGroupOf } from '../plan/render-compact.js';
import { formatBytes } from '../plan/machines.js';
import { renderStatusText, table, type StatusReport } from './status.js';

/** The full status table is printed after an apply while it has at most this many lines. */
export const FULL_STATUS_UP_TO_LINES = 40;
const UNHEALTHY_LISTED = 10;

export function renderStatusAfterApply(r: StatusReport, groupOf: MachineGroupOf): string {
  return fullOrSummary(renderStatusText(r), r, groupOf);
}

/** `full` (a rendering of `r`) while it has at most FULL_STATUS_UP_TO_LINES lines; past that, the per-group summary. */
export function fullOrSummary(full: string, r: StatusReport, groupOf: MachineGroupOf): string {
  return full.split('\n').length - 1 <= FULL_STATUS_UP_TO_LINES ? full : renderStatusSummary(r, groupOf);
}

export function renderStatusSummary(r: StatusReport, groupOf: MachineGroupOf): string {
  const out = [r.simulated ? `cluster "${r.cluster}" (simulated: sim driver)` : `cluster "${r.cluster}"`, ''];
  const groups = new Map<string, { machines: number; running: number; containers: number; cpus: number; cpusOf: number; memory: number; memoryOf: number }>();
  for (const m of r.machines) {
    const g = groupOf(m.name);
    const v = groups.get(g) ?? { machines: 0, running: 0, containers: 0, cpus: 0, cpusOf: 0, memory: 0, memoryOf: 0 };
    groups.set(g, v);
    v.machines++;
    if (m.state === 'running' && !m.problem) v.running++;
    v.containers += m.containers;
    v.cpus += m.reserved.cpus;
    v.cpusOf += m.cpus ?? 0;
    v.memory += m.reserved.memory;
    v.memoryOf += m.memory ?? 0;
  }
  out.push(
    table([
      ['MACHINE GROUP', 'MACHINES RUNNING', 'CONTAINERS', 'CPUS RESERVED', 'MEMORY RESERVED'],
      ...[...groups].map(([g, v]) => [g, `${v.running}/${v.machines}`, String(v.containers), `${round(v.cpus)}/${round(v.cpusOf)}`, `${formatBytes(v.memory)}/${formatBytes(v.memoryOf)}`]),
    ]),
  );
  const services = new Map<string, { running: number; total: number; machines: Set<string> }>();
  for (const c of r.containers) {
    const v = services.get(c.service) ?? { running: 0, total: 0, machines: new Set<string>() };
    services.set(c.service, v);
    v.total++;
    if (c.state === 'running') v.running++;
    v.machines.add(c.machine);
  }
  if (services.size) out.push('', table([['SERVICE', 'REPLICAS RUNNING', 'MACHINES'], ...[...services].map(([s, v]) => [s, `${v.running}/${v.total}`, String(v.machines.size)])]));
  if (r.swarmServices?.length) {
    out.push('', table([['SWARM SERVICE', 'TASKS RUNNING', 'ROLLOUT'], ...r.swarmServices.map((x) => [x.service, x.tasks ? `${x.tasks.running}/${x.tasks.desired}` : '?', x.rollout ?? '-'])]));
  }
  if (r.swarm) {
    const { leader, managers: m } = r.swarm;
    const ready = r.swarm.nodes.filter((n) => n.state === 'ready').length;
    out.push('', `Swarm: ${leader ? `leader ${leader}` : 'NO LEADER'}, ${m.reachable} of ${m.raft} manager${m.raft === 1 ? '' : 's'} reachable (a quorum needs ${m.quorum}), ${ready} of ${r.swarm.nodes.length} nodes ready`);
  }
  const unhealthy = [
    ...r.machines.filter((m) => m.problem).map((m) => `  ${m.name}: ${m.problem}`),
    ...(r.swarm?.problems ?? []).map((p) => `  swarm: ${p}`),
    ...r.containers.filter((c) => c.state !== 'running').map((c) => `  ${c.name} on ${c.machine}: ${c.state}`),
  ];
  if (unhealthy.length) {
    out.push('', 'Unhealthy:', ...unhealthy.slice(0, UNHEALTHY_LISTED));
    if (unhealthy.length > UNHEALTHY_LISTED) out.push(`  and ${unhealthy.length - UNHEALTHY_LISTED} more`);
  }
  out.push('', `${r.machines.length.toLocaleString('en')} machines and ${r.containers.length.toLocaleString('en')} containers in all: \`cluster status\` shows every one (\`--json\` for scripts).`);
  return out.join('\n') + '\n';
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
