// What the picture shows, before any geometry: machines grouped by what tells them apart for the
// scheduler (role and engine labels), with their replicas per service. Pure.
import type { Unschedulable } from '../../model/placement.js';
import type { StatusReport } from '../status.js';

export interface PictureInput {
  report: StatusReport;
  /** Replicas no machine can take, as the plan's placement says (`cluster plan` lists the same). */
  unschedulable: Unschedulable[];
  /** Replicas the plan would create on a machine and that do not exist yet. */
  pending?: { service: string; replica: number; machine: string }[];
}

export type Machine = StatusReport['machines'][number];

export interface Replica {
  service: string;
  replica: number;
  /** running; down (exists, not running); pending (planned, not made yet). */
  state: 'running' | 'down' | 'pending';
  /** The container's state as the engine says (or "to create"). */
  detail: string;
}

export interface MachineView {
  machine: Machine;
  replicas: Replica[];
  /** The larger of the reserved cpu and memory fractions, 0..1 (over 1 when over-committed, drawn as full). */
  reservedFraction: number;
  unhealthy: boolean;
}

/** Machines that share a role (and engine labels, when grouped by them): boxes under one heading. */
export interface Group {
  role: string | null;
  /** The labels the group shares; null when not grouped by labels (each box shows its own). */
  labels: [string, string][] | null;
  machines: MachineView[];
}

export function groupMachines(input: PictureInput, byLabels: boolean): Group[] {
  const { report } = input;
  const byMachine = new Map<string, Replica[]>();
  const add = (machine: string, r: Replica) => byMachine.set(machine, [...(byMachine.get(machine) ?? []), r]);
  for (const c of report.containers) add(c.machine, { service: c.service, replica: c.replica, state: c.state === 'running' ? 'running' : 'down', detail: c.state });
  for (const p of input.pending ?? []) add(p.machine, { service: p.service, replica: p.replica, state: 'pending', detail: 'to create' });

  const groups = new Map<string, Group>();
  for (const m of report.machines) {
    const labels = Object.entries(m.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = JSON.stringify([m.role, byLabels ? labels : null]);
    const group = groups.get(key) ?? { role: m.role, labels: byLabels ? labels : null, machines: [] };
    groups.set(key, group);
    const replicas = (byMachine.get(m.name) ?? []).sort((a, b) => (a.service === b.service ? a.replica - b.replica : a.service < b.service ? -1 : 1));
    group.machines.push({ machine: m, replicas, reservedFraction: reservedFraction(m), unhealthy: !!m.problem || m.state !== 'running' });
  }
  for (const g of groups.values()) g.machines.sort((a, b) => byName(a.machine.name, b.machine.name));
  return [...groups.values()].sort((a, b) => roleRank(a.role) - roleRank(b.role) || byName(JSON.stringify(a.labels), JSON.stringify(b.labels)));
}

/** Every service the picture mentions, for the legend: running, planned or unschedulable. */
export function servicesOf(input: PictureInput): string[] {
  return [
    ...new Set([
      ...input.report.containers.map((c) => c.service),
      ...(input.pending ?? []).map((p) => p.service),
      ...input.unschedulable.map((u) => u.service),
      ...(input.report.swarmServices ?? []).map((s) => s.service),
    ]),
  ].sort();
}

function reservedFraction(m: Machine): number {
  const cpu = m.cpus ? m.reserved.cpus / m.cpus : 0;
  const memory = m.memory ? m.reserved.memory / m.memory : 0;
  return Math.max(cpu, memory);
}

function roleRank(role: string | null): number {
  return role === 'manager' ? 0 : role === 'worker' ? 1 : 2;
}

const collator = new Intl.Collator('en', { numeric: true });
function byName(a: string, b: string): number {
  return collator.compare(a, b);
}
