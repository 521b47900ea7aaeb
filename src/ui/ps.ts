// `cluster ps`: every container of the cluster (replicas, and the task containers of its swarm-mode
// services) with its service, replica, machine, state and ports, as `docker compose ps` lists a
// project. Pure: observed (+ desired for the swarm services' names) → rows.
import type { Desired } from '../model/desired.js';
import { LABEL, type ObservedContainer, type Observed } from '../model/observed.js';
import { ownsContainer } from '../model/ownership.js';
import { maskDeep } from '../model/secrets.js';
import { parseSpecLabel } from '../plan/spec-diff.js';
import { swarmServiceName } from '../plan/swarm-services.js';
import { statusReport, table } from './status.js';

/** Swarm's labels on a task's container (moby daemon/cluster/executor/container: container.go labels()). */
export const SWARM_TASK_LABEL = { service: 'com.docker.swarm.service.name', task: 'com.docker.swarm.task.name' } as const;

export interface PsRow {
  name: string;
  id: string;
  service: string;
  /** The replica's number; a swarm task's slot; null for a global swarm service's task (one per node). */
  replica: number | null;
  machine: string;
  /** `containers` (cluster's own scheduler) or `swarm` (a task of a swarm-mode service). */
  mode: 'containers' | 'swarm';
  state: string;
  image: string;
  /** `0.0.0.0:8080->80/tcp` as docker ps writes them; `8080/tcp` when the container port is not known. */
  ports: string[];
}

export interface PsReport {
  cluster: string;
  simulated: boolean;
  containers: PsRow[];
  /** Swarm-mode services and their task counts as a manager counts them (tasks not yet on a node have no container). */
  swarm_services: { service: string; name: string; running: number | null; desired: number | null }[];
  /** Machines whose engine did not answer: their containers are missing from the list, with why. */
  unseen: { machine: string; problem: string }[];
}

export function psReport(desired: Desired, observed: Observed, opts: { all?: boolean } = {}): PsReport {
  const status = statusReport(desired, observed);
  const ours = new Map<string, string>(desired.services.filter((s) => s.mode === 'swarm').map((s) => [swarmServiceName(desired.name, s.name), s.name]));
  for (const s of status.swarmServices ?? []) ours.set(s.name, s.service);
  const rows: PsRow[] = [];
  for (const m of observed.machines) {
    for (const c of m.engine?.containers ?? []) {
      const row = c.owner && ownsContainer(observed, c) ? replicaRow(c, m.name) : taskRow(c, m.name, ours);
      if (row && (opts.all || row.state === 'running')) rows.push(row);
    }
  }
  rows.sort((a, b) => (a.service !== b.service ? (a.service < b.service ? -1 : 1) : (a.replica ?? 0) - (b.replica ?? 0) || (a.machine < b.machine ? -1 : a.machine > b.machine ? 1 : 0)));
  const swarm = (status.swarmServices ?? []).map((s) => ({ service: s.service, name: s.name, running: s.tasks?.running ?? null, desired: s.tasks?.desired ?? null }));
  for (const [name, service] of ours) if (!swarm.some((s) => s.name === name) && desired.services.some((d) => d.name === service)) swarm.push({ service, name, running: null, desired: null });
  const unseen = status.machines.filter((m) => !m.engine).map((m) => ({ machine: m.name, problem: m.problem ?? m.state }));
  return maskDeep({ cluster: desired.name, simulated: status.simulated, containers: rows, swarm_services: swarm.sort((a, b) => (a.service < b.service ? -1 : 1)), unseen });
}

function replicaRow(c: ObservedContainer, machine: string): PsRow {
  return { name: c.name, id: c.id.slice(0, 12), service: c.owner!.service, replica: c.owner!.replica, machine, mode: 'containers', state: c.state, image: c.image, ports: portsOf(c) };
}

/**
 * A swarm task's container: `<stack>_<service>.<slot>.<task id>` (a global service's: `.<node id>.`).
 * It carries the user's labels only: the service's name, `<cluster>_<service>`, says it is ours.
 */
function taskRow(c: ObservedContainer, machine: string, ours: Map<string, string>): PsRow | undefined {
  const service = ours.get(c.labels[SWARM_TASK_LABEL.service] ?? '');
  if (!service) return undefined;
  const slot = Number((c.labels[SWARM_TASK_LABEL.task] ?? '').split('.')[1]);
  return { name: c.name, id: c.id.slice(0, 12), service, replica: Number.isInteger(slot) && slot > 0 ? slot : null, machine, mode: 'swarm', state: c.state, image: c.image.replace(/@sha256:[0-9a-f]+$/, ''), ports: portsOf(c) };
}

function portsOf(c: ObservedContainer): string[] {
  const spec = parseSpecLabel(c.labels[LABEL.spec]);
  return c.ports.map((p) => {
    const target = spec?.ports.find((s) => s.published === p.published && s.protocol === p.protocol)?.target;
    const host = p.hostIp ? (p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp) : '0.0.0.0';
    return target === undefined ? `${host}:${p.published}/${p.protocol}` : `${host}:${p.published}->${target}/${p.protocol}`;
  });
}

export function renderPsText(r: PsReport, opts: { all?: boolean } = {}): string {
  const out: string[] = [];
  if (r.simulated) out.push(`cluster "${r.cluster}" (simulated: sim driver; containers have no processes)`);
  out.push(table([['NAME', 'SERVICE', 'REPLICA', 'MACHINE', 'STATE', 'PORTS'], ...r.containers.map((c) => [c.name, c.service, c.replica === null ? '-' : String(c.replica), c.machine, c.state, c.ports.join(', ')])]));
  if (r.containers.length === 0) out.push(opts.all ? '(no containers: run `cluster apply`)' : '(no running containers; `cluster ps -a` shows stopped ones too)');
  if (r.swarm_services.length) {
    const count = (s: PsReport['swarm_services'][number]) => (s.desired === null ? '? (no manager answered)' : `${s.running}/${s.desired}`);
    out.push('', table([['SWARM SERVICE', 'NAME', 'TASKS RUNNING'], ...r.swarm_services.map((s) => [s.service, s.name, count(s)])]));
  }
  if (r.unseen.length) out.push('', 'Not listed (no engine answered):', ...r.unseen.map((u) => `  ${u.machine}: ${u.problem}`));
  return out.join('\n') + '\n';
}
