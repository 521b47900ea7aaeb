// `cluster status`: what exists, from observation only. Pure: observed (+ desired for context) → report.
import type { Desired, DriverName } from '../model/desired.js';
import { LABEL, type MachineState, type Observed } from '../model/observed.js';
import { ownsContainer, ownsLabels } from '../model/ownership.js';
import { formatBytes } from '../plan/machines.js';
import { swarmHealth } from '../plan/swarm-health.js';
import { maskDeep } from '../model/secrets.js';
import { traitsOf } from '../providers/index.js';

export interface StatusReport {
  format_version: '1.0';
  cluster: string;
  simulated: boolean;
  machines: {
    name: string;
    driver: DriverName;
    state: MachineState;
    role: string | null;
    labels: Record<string, string>;
    address: string | null;
    engine: { url: string; version: string } | null;
    cpus: number | null;
    memory: number | null;
    reserved: { cpus: number; memory: number };
    containers: number;
    problem: string | null;
  }[];
  containers: { name: string; id: string; service: string; replica: number; machine: string; state: string; image: string }[];
  /** Swarm-mode services of this cluster, as its managers list them. */
  swarmServices?: { name: string; id: string; service: string; manager: string; tasks?: { running: number; desired: number }; rollout?: string }[];
  /** Networks this cluster made. */
  networks?: { name: string; driver: string; machine: string }[];
  /** The swarm as its managers report it (src/plan/swarm-health.ts); absent when no manager answered. */
  swarm?: {
    leader: string | null;
    managers: { raft: number; reachable: number; quorum: number };
    hasQuorum: boolean;
    nodes: { id: string; hostname: string; role: string; state: string; availability: string; reachability: string | null; leader: boolean }[];
    /** What is wrong with it, each with what to do. */
    problems: string[];
  };
}

/** Observed images and labels are as the engine has them: masked here, so every caller shows them masked. */
export function statusReport(desired: Desired, observed: Observed): StatusReport {
  return maskDeep(unmaskedStatus(desired, observed));
}

function unmaskedStatus(desired: Desired, observed: Observed): StatusReport {
  const wanted = new Map(desired.machines.map((m) => [m.name, m]));
  const machines = observed.machines.map((m) => {
    const e = m.engine;
    const owned = e?.containers.filter((c) => ownsContainer(observed, c)) ?? [];
    const reserved = (e?.containers ?? []).reduce((r, c) => ({ cpus: r.cpus + c.reservations.cpus, memory: r.memory + c.reservations.memory }), { cpus: 0, memory: 0 });
    return {
      name: m.name,
      driver: m.driver,
      state: m.state,
      role: e?.swarm.state === 'active' ? (e.swarm.role ?? null) : null,
      labels: e?.labels ?? wanted.get(m.name)?.labels ?? {},
      address: m.address ?? null,
      engine: e ? { url: e.url, version: e.version } : null,
      // The size the machine has (its driver's record), not the manifest's until a resize gives it.
      cpus: (m.spec ? m.spec.cpus : wanted.get(m.name)?.cpus) || e?.cpus || null,
      memory: (m.spec ? m.spec.memory : wanted.get(m.name)?.memory) || e?.memory || null,
      reserved: { cpus: round(reserved.cpus), memory: reserved.memory },
      containers: owned.length,
      problem: m.problem ?? (m.state === 'running' && !e ? 'engine unreachable' : null),
    };
  });
  const containers = observed.machines.flatMap((m) =>
    (m.engine?.containers ?? []).flatMap((c) =>
      c.owner && ownsContainer(observed, c) ? [{ name: c.name, id: c.id, service: c.owner.service, replica: c.owner.replica, machine: m.name, state: c.state, image: c.image }] : [],
    ),
  );
  containers.sort((a, b) => (a.service === b.service ? a.replica - b.replica : a.service < b.service ? -1 : 1));
  const simulated = [...observed.machines, ...desired.machines].some((m) => traitsOf(m.driver).simulated);
  const ours = (labels: Record<string, string>) => ownsLabels(observed, labels);
  const swarmServices = new Map<string, NonNullable<StatusReport['swarmServices']>[number]>();
  const networks = new Map<string, { name: string; driver: string; machine: string }>();
  for (const m of observed.machines) {
    for (const x of m.engine?.swarmServices ?? []) if (ours(x.labels) && !swarmServices.has(x.id)) swarmServices.set(x.id, { name: x.name, id: x.id, service: x.labels[LABEL.service] ?? x.name, manager: m.name, ...(x.tasks ? { tasks: x.tasks } : {}), ...(x.rollout ? { rollout: x.rollout.state } : {}) });
    for (const n of m.engine?.networks ?? []) {
      const key = n.driver === 'overlay' ? n.name : `${m.name}:${n.name}`;
      if (ours(n.labels) && !networks.has(key)) networks.set(key, { name: n.name, driver: n.driver, machine: n.driver === 'overlay' ? '(swarm)' : m.name });
    }
  }
  return {
    format_version: '1.0',
    cluster: observed.cluster,
    simulated,
    machines,
    containers,
    ...(swarmServices.size ? { swarmServices: [...swarmServices.values()] } : {}),
    ...(networks.size ? { networks: [...networks.values()] } : {}),
    ...swarmSection(desired, observed),
  };
}

function swarmSection(desired: Desired, observed: Observed): Pick<StatusReport, 'swarm'> {
  const h = swarmHealth(desired, observed);
  if (!h) return {};
  const nodes = [...h.nodes]
    .sort((a, b) => (a.hostname === b.hostname ? (a.id < b.id ? -1 : 1) : a.hostname < b.hostname ? -1 : 1))
    .map((n) => ({ id: n.id, hostname: n.hostname, role: n.role, state: n.state, availability: n.availability ?? 'active', reachability: n.reachability ?? null, leader: !!n.leader }));
  return { swarm: { leader: h.leader ?? null, managers: h.managers, hasQuorum: h.hasQuorum, nodes, problems: [...(h.lostQuorum ? [h.lostQuorum] : []), ...h.problems] } };
}

export function renderStatusText(r: StatusReport): string {
  const out = [r.simulated ? `cluster "${r.cluster}" (simulated: sim driver)` : `cluster "${r.cluster}"`, ''];
  if (r.machines.length === 0) return out.concat('No machines. Run `cluster apply` to create them.', '').join('\n');
  out.push(
    table([
      ['MACHINE', 'DRIVER', 'STATE', 'ROLE', 'ADDRESS', 'LABELS', 'CPUS RESERVED', 'MEMORY RESERVED', 'CONTAINERS', 'ENGINE'],
      ...r.machines.map((m) => [
        m.name,
        m.driver,
        m.problem ? `${m.state} (!)` : m.state,
        m.role ?? '-',
        m.address ?? '-',
        Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-',
        `${m.reserved.cpus}/${m.cpus ?? '?'}`,
        `${formatBytes(m.reserved.memory)}/${m.memory ? formatBytes(m.memory) : '?'}`,
        String(m.containers),
        m.engine ? `${m.engine.url} (${m.engine.version})` : '-',
      ]),
    ]),
  );
  const byService = new Map<string, Map<string, { replicas: number[]; running: number }>>();
  for (const c of r.containers) {
    const perMachine = byService.get(c.service) ?? new Map();
    byService.set(c.service, perMachine);
    const cell = perMachine.get(c.machine) ?? { replicas: [], running: 0 };
    perMachine.set(c.machine, cell);
    cell.replicas.push(c.replica);
    if (c.state === 'running') cell.running++;
  }
  if (byService.size) {
    out.push('', table([['SERVICE', 'MACHINE', 'REPLICAS', 'RUNNING'], ...[...byService].flatMap(([s, ms]) => [...ms].sort(([a], [b]) => (a < b ? -1 : 1)).map(([m, c]) => [s, m, compactRanges(c.replicas), `${c.running}/${c.replicas.length}`]))]));
  }
  if (r.swarmServices?.length) {
    const tasks = (x: NonNullable<StatusReport['swarmServices']>[number]) => (x.tasks ? `${x.tasks.running}/${x.tasks.desired}` : '?');
    out.push('', table([['SWARM SERVICE', 'NAME', 'TASKS RUNNING', 'ROLLOUT', 'MANAGED ON'], ...r.swarmServices.map((x) => [x.service, x.name, tasks(x), x.rollout ?? '-', x.manager])]));
  }
  if (r.networks?.length) out.push('', table([['NETWORK', 'DRIVER', 'MACHINE'], ...r.networks.map((n) => [n.name, n.driver, n.machine])]));
  if (r.swarm) {
    const { leader, managers: m } = r.swarm;
    out.push('', `Swarm: ${leader ? `leader ${leader}` : 'NO LEADER'}, ${m.reachable} of ${m.raft} manager${m.raft === 1 ? '' : 's'} reachable (a quorum needs ${m.quorum})`);
    if (r.swarm.nodes.length) {
      out.push(table([['NODE', 'HOSTNAME', 'ROLE', 'STATUS', 'AVAILABILITY', 'MANAGER STATUS'], ...r.swarm.nodes.map((n) => [n.id, n.hostname, n.role, n.state, n.availability, n.leader ? 'leader' : (n.reachability ?? '-')])]));
    }
  }
  const problems = [...r.machines.filter((m) => m.problem).map((m) => `  ${m.name}: ${m.problem}`), ...(r.swarm?.problems ?? []).map((p) => `  swarm: ${p}`)];
  const notRunning = r.containers.filter((c) => c.state !== 'running').map((c) => `  ${c.name} on ${c.machine}: ${c.state}`);
  if (problems.length || notRunning.length) out.push('', 'Unhealthy:', ...problems, ...notRunning);
  return out.join('\n') + '\n';
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), 0));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** [1,2,3,5,7,8] → "1-3,5,7-8" */
export function compactRanges(ns: number[]): string {
  const sorted = [...ns].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Machines × services, running/total per cell: watch mode's panel after every run. */
export function renderPlacementMatrix(r: StatusReport): string {
  const services = [...new Set(r.containers.map((c) => c.service))].sort();
  const cell = new Map<string, { running: number; total: number }>();
  for (const c of r.containers) {
    const key = `${c.machine}\0${c.service}`;
    const v = cell.get(key) ?? { running: 0, total: 0 };
    v.total++;
    if (c.state === 'running') v.running++;
    cell.set(key, v);
  }
  const rows = r.machines.map((m) => [
    `${m.name}${m.state === 'running' && !m.problem ? '' : ` (${m.problem ? 'unhealthy' : m.state})`}`,
    ...services.map((s) => {
      const v = cell.get(`${m.name}\0${s}`);
      return v ? (v.running === v.total ? String(v.total) : `${v.running}/${v.total}`) : '.';
    }),
  ]);
  return table([['MACHINE', ...services], ...rows]) + '\n';
}
