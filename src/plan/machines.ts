// Machine and swarm actions: create/start/remove, engine labels, swarm init/join/promote/demote/leave.
import fjp from 'fast-json-patch';
import { type Desired, type DesiredMachine, type Role } from '../model/desired.js';
import type { Observed, ObservedMachine, SwarmFacts } from '../model/observed.js';
import type { ActionList } from './builder.js';
import { swarmHealth } from './swarm-health.js';
import { replacedMachines, type Replacement } from '../model/replacement.js';
import { traitsOf } from '../providers/index.js';
import { planEngineOptions } from './engine-options.js';

export interface MachineSteps {
  /** Id of the action that brings a machine up in this plan (create or start), if any. */
  ready(machine: string): string | undefined;
  /** Machines that exist now and are not wanted: they go, with whatever runs on them. */
  leaving: Set<string>;
  /** The manager that leads the swarm after this plan (swarm-wide objects are made there). */
  swarmLeader?: string;
  /** The swarm may live on managers that cannot be seen now: swarm-wide objects wait until they are. */
  swarmUnseen?: boolean;
}

export function planMachines(desired: Desired, observed: Observed, list: ActionList, warnings: string[], unhealthy: string[] = [], notes: string[] = []): MachineSteps {
  const seen = new Map(observed.machines.map((m) => [m.name, m]));
  const wanted = new Map(desired.machines.map((m) => [m.name, m]));
  const ready = new Map<string, string>();
  const leaving = new Set<string>();
  const restarts: { last?: string } = {};

  // Machines to remove: not in the manifest, or now on another driver (replaced).
  const removals = new Map<string, string>();
  for (const o of observed.machines) {
    const w = wanted.get(o.name);
    if (w && w.driver === o.driver) continue;
    leaving.add(o.name);
    const held = o.engine?.containers.filter((c) => c.owner).length ?? 0;
    const why = desired.destroying ? 'destroyed' : 'not in the manifest';
    const reason = w ? `driver changes ${o.driver} → ${w.driver}` : `${why}${held ? `, with its ${held} container${held === 1 ? '' : 's'}` : ''}`;
    removals.set(o.name, reason);
  }

  const replaced = replacements(desired, observed, warnings);
  for (const m of desired.machines) {
    const o = seen.get(m.name);
    const r = replaced.get(m.name);
    if (o && r && !leaving.has(m.name)) {
      // Its replicas move off first (the scheduler drains it); labels and size come with the new machine.
      const reason = `node image ${r.from} → ${r.to}: its replicas move elsewhere first, then it is re-created${m.role ? ` and re-joins as ${m.role}` : ''}`;
      ready.set(m.name, list.add(m.name, { kind: 'machine.replace', machine: m.name, driver: m.driver, image: r.to, after: [], cause: 'spec-changed', reason }));
      continue;
    }
    if (!o || leaving.has(m.name)) {
      planEngineOptions(m, undefined, list, warnings, []);
      const after = leaving.has(m.name) ? [`machine.remove:${m.name}`] : [];
      ready.set(m.name, list.add(m.name, { kind: 'machine.create', machine: m.name, driver: m.driver, labels: m.labels, after, cause: 'missing', reason: describeMachine(m) }));
      continue;
    }
    if (o.state === 'stopped' || o.state === 'paused') ready.set(m.name, list.add(m.name, { kind: 'machine.start', machine: m.name, after: [], cause: 'stopped', reason: `machine is ${o.state}` }));
    if (o.state === 'error' || (o.state === 'running' && !o.engine)) warnings.push(`${m.name}: engine unreachable${o.problem ? ` (${o.problem})` : ''}; nothing on it can be changed now`);
    planEngineLabels(m, o, list);
    planMachineSpec(m, o, list, warnings);
    // Both write daemon.json: options after labels. What runs on the machine later waits for its engine.
    const options = planEngineOptions(m, o, list, warnings, [ready.get(m.name), list.has(`engine.labels:${m.name}`) ? `engine.labels:${m.name}` : undefined], restarts);
    if (options) ready.set(m.name, options);
  }

  const swarm = planSwarm(desired, observed, seen, leaving, ready, list, { warnings, unhealthy, notes }, new Set(replaced.keys()));
  const swarmLeader = swarm === UNSEEN ? undefined : swarm;

  for (const [name, reason] of removals) {
    list.add(name, { kind: 'machine.remove', machine: name, after: [list.has(`swarm.leave:${name}`) ? `swarm.leave:${name}` : undefined], cause: desired.destroying ? 'destroyed' : 'not-in-manifest', reason });
  }
  // What a machine whose container is gone left behind (an interrupted removal, a container removed by
  // hand): removed unless the manifest still wants the machine, whose create then starts afresh.
  // What all of a driver's machines share (the docker driver's network) goes once none is wanted.
  for (const l of observed.leftovers ?? []) {
    if (l.shared) {
      if (!desired.machines.some((m) => m.driver === l.driver)) list.add(l.name, { kind: 'machine.remove', machine: l.name, after: [], cause: 'leftover', reason: l.shared.reason });
    } else if (!wanted.has(l.name) && !seen.has(l.name)) list.add(l.name, { kind: 'machine.remove', machine: l.name, after: [], cause: 'leftover', reason: `its container is gone; ${l.what} left behind` });
  }
  return { ready: (name) => ready.get(name), leaving, ...(swarmLeader ? { swarmLeader } : {}), ...(swarm === UNSEEN ? { swarmUnseen: true } : {}) };
}

function planEngineLabels(m: DesiredMachine, o: ObservedMachine, list: ActionList): void {
  const facts = o.engine;
  if (!facts) return;
  // Most often the labels are as declared: then there is no patch to compute, ten thousand times.
  const patch = sameLabels(facts.labels, m.labels) ? [] : fjp.compare(facts.labels, m.labels, true);
  // Swarm node labels mirror engine labels, so swarm-mode services can use them too.
  const nodeLabelsStale = m.role !== undefined && facts.swarm.nodeLabels !== undefined && fjp.compare(facts.swarm.nodeLabels, m.labels).length > 0;
  if (patch.length === 0 && !nodeLabelsStale) return;
  const readOnly = traitsOf(m.driver).adopted;
  list.add(m.name, {
    kind: 'engine.labels',
    machine: m.name,
    labels: m.labels,
    patch: patch.length ? patch : fjp.compare(facts.swarm.nodeLabels ?? {}, m.labels, true),
    readOnly: readOnly || undefined,
    cause: readOnly ? 'read-only' : 'spec-changed',
    reason: readOnly ? 'generic driver: engine labels cannot be changed from here; set them in the engine’s daemon.json' : patch.length ? 'labels differ' : 'swarm node labels differ',
  });
}

/** Exactly the same keys with the same values (labels are flat string maps). */
function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  let n = 0;
  for (const k in a) {
    if (!Object.hasOwn(a, k)) continue;
    if (!Object.hasOwn(b, k) || a[k] !== b[k]) return false;
    n++;
  }
  for (const k in b) if (Object.hasOwn(b, k)) n--;
  return n === 0;
}

/**
 * The machine's size as recorded by its driver against the manifest's. cpus and memory change in
 * place (`docker update` of the machine container): a resize action. What cannot change in place is
 * said as a warning with the way to do it: another node image, and lifting a limit (dockerd's update
 * takes 0 as "unchanged" and refuses -1: measured on 20.10, test/integration/machine-specs.test.ts).
 * A driver that records nothing (generic) is not compared: its engine's figures are what it has.
 */
function planMachineSpec(m: DesiredMachine, o: ObservedMachine, list: ActionList, warnings: string[]): void {
  const had = o.spec;
  if (!had) {
    // An adopted engine (generic) has the size its host has; nothing here can change it.
    const facts = o.engine;
    for (const k of ['cpus', 'memory'] as const) {
      const declared = m[k];
      const has = facts?.[k];
      if (declared && has && declared > has) {
        const show = (v: number) => (k === 'memory' ? formatBytes(v) : String(v));
        warnings.push(`${m.name}: declares ${k} ${show(declared)} but its engine has ${show(has)}; the ${m.driver} driver cannot change a host's size, so replicas are placed against ${show(has)}`);
      }
    }
    return;
  }
  // A simulated machine always has a size: an absent one is the sim default, never "unlimited".
  const size = traitsOf(m.driver).defaultSize;
  const cpus = m.cpus ?? size?.cpus;
  const memory = m.memory ?? size?.memory;
  // As recorded: nothing lifted, nothing changed (the usual case, ten thousand times).
  if (had.cpus === cpus && had.memory === memory) return;
  const want = { cpus, memory };
  const recreate = `to change it, recreate the machine: take it out of the manifest and apply, then put it back and apply (its replicas are placed again)`;
  const lifted = (['cpus', 'memory'] as const).filter((k) => had[k] !== undefined && want[k] === undefined);
  if (lifted.length) warnings.push(`${m.name}: removing its ${lifted.join(' and ')} limit cannot be done in place (the engine keeps a limit once set); ${recreate}`);
  const changes: string[] = [];
  const from: { cpus?: number; memory?: number } = {};
  const to: { cpus?: number; memory?: number } = {};
  for (const k of ['cpus', 'memory'] as const) {
    const before = had[k];
    const after = want[k];
    if (after === undefined || before === after) continue;
    if (before !== undefined) from[k] = before;
    to[k] = after;
    const show = (v: number | undefined) => (v === undefined ? 'unlimited' : k === 'memory' ? formatBytes(v) : String(v));
    changes.push(`${k} ${show(before)} → ${show(after)}`);
  }
  if (!changes.length) return;
  list.add(m.name, { kind: 'machine.resize', machine: m.name, patch: fjp.compare(from, to, true), after: [], cause: 'spec-changed', reason: changes.join(', ') });
}

const UNSEEN = Symbol('swarm unseen');

/**
 * The swarm's actions, from its observed health (src/plan/swarm-health.ts): a swarm without quorum
 * accepts no change, so none is planned (the plan says why and what to do); a manager of the manifest
 * that is a worker of a swarm is not initialised (dockerd refuses); node entries a re-joined machine
 * left behind are forgotten after its join.
 */
function planSwarm(
  desired: Desired,
  observed: Observed,
  seen: Map<string, ObservedMachine>,
  leaving: Set<string>,
  ready: Map<string, string>,
  list: ActionList,
  notes: { warnings: string[]; unhealthy: string[]; notes: string[] },
  replaced: Set<string>,
): string | typeof UNSEEN | undefined {
  const { warnings, unhealthy } = notes;
  // A machine being replaced is re-created: it joins again as a new node (its old node leaves with it).
  const swarmOf = (name: string) => (leaving.has(name) || replaced.has(name) ? undefined : seen.get(name)?.engine?.swarm);
  const active = (name: string) => swarmOf(name)?.state === 'active';
  // A machine that exists but cannot be seen (stopped, paused, silent engine) is in whatever swarm it
  // was in: nothing is planned for it until it is seen (an apply that starts it plans again then).
  const unseen = (name: string) => !leaving.has(name) && seen.has(name) && !seen.get(name)!.engine;
  const managers = desired.machines.filter((m) => m.role === 'manager');
  if (managers.length > 0 && managers.length % 2 === 0) {
    warnings.push(`${managers.length} managers: an even count tolerates no more failures than ${managers.length - 1}; use an odd number`);
  }

  // The swarm is led by a machine that is already an active manager, else the first desired manager inits it.
  // No seen manager leads, and some manager is unseen: the swarm may well be on it; it is planned once seen.
  const seenLeader = managers.find((m) => active(m.name) && swarmOf(m.name)?.role === 'manager');
  if (!seenLeader && managers.some((m) => unseen(m.name))) return UNSEEN;
  const leader = seenLeader ?? managers[0];
  const health = swarmHealth(desired, observed);
  if (health) warnings.push(...health.problems);
  if (health?.lostQuorum) {
    unhealthy.push(health.lostQuorum);
    return leader?.name;
  }
  if (leader && active(leader.name) && swarmOf(leader.name)?.role !== 'manager') {
    // dockerd refuses `swarm init` on a member ("already part of a swarm"): no manager of the manifest manages the swarm it is in.
    unhealthy.push(
      `${leader.name} is in a swarm as a worker and no manager of the manifest manages it, so the swarm cannot be initialised or joined: ` +
        `start the swarm's managers, promote ${leader.name} from one of them, or make it leave (\`cluster ssh ${leader.name} -- docker swarm leave --force\`) and apply again`,
    );
    return leader.name;
  }
  let leaderReady: string | undefined;
  if (leader) {
    if (!active(leader.name)) {
      leaderReady = list.add(leader.name, { kind: 'swarm.init', machine: leader.name, after: [ready.get(leader.name)], cause: 'role-changed', reason: 'first manager starts the swarm' });
    } else {
      leaderReady = ready.get(leader.name);
    }
  }

  // A member of another swarm (another cluster id, or a node the leader does not list) is said, not
  // changed: making it leave would lose that swarm's state, which is not this plan's to decide.
  const members = new Set(health?.nodes.map((n) => n.id) ?? []);
  const leaderCluster = leader ? swarmOf(leader.name)?.clusterId : undefined;
  const elsewhere = new Set<string>();
  for (const m of desired.machines) {
    const s = swarmOf(m.name);
    if (m === leader || !m.role || s?.state !== 'active' || !members.size) continue;
    const otherCluster = !!s.clusterId && !!leaderCluster && s.clusterId !== leaderCluster;
    if (!otherCluster && (!s.nodeId || members.has(s.nodeId))) continue;
    elsewhere.add(m.name);
    unhealthy.push(
      `${m.name} is part of another swarm (${otherCluster ? `cluster ${s.clusterId}, not ${leaderCluster} that ${leader!.name} leads` : `its node ${s.nodeId} is not one ${leader!.name} lists`}): ` +
        `make it leave (\`cluster ssh ${m.name} -- docker swarm leave --force\`) and apply again, or remove the machine`,
    );
  }

  const managerSteps: string[] = [];
  for (const m of desired.machines) {
    if (m === leader || unseen(m.name) || elsewhere.has(m.name)) continue;
    const swarm = swarmOf(m.name);
    if (m.role) {
      if (!swarm || swarm.state !== 'active') {
        const id = list.add(m.name, { kind: 'swarm.join', machine: m.name, role: m.role, after: [ready.get(m.name), leaderReady], cause: 'role-changed', reason: replaced.has(m.name) ? `re-joins as ${m.role}` : `join as ${m.role}` });
        // A replaced manager re-joins after its own step (managerLosses), not before every other one.
        if (m.role === 'manager' && !replaced.has(m.name)) managerSteps.push(id);
      } else if (swarm.role !== m.role && m.role === 'manager') {
        managerSteps.push(list.add(m.name, { kind: 'swarm.promote', machine: m.name, after: [leaderReady], cause: 'role-changed', reason: 'worker → manager' }));
      } else if (m.role === 'manager' && health?.nodes.some((n) => n.id === swarm.nodeId && n.reachability === undefined)) {
        // A manager on paper that is no raft member (a forced new cluster dropped it, its engine still
        // says manager): the join action writes its role again and waits until the raft has it.
        managerSteps.push(list.add(m.name, { kind: 'swarm.join', machine: m.name, role: m.role, after: [leaderReady], cause: 'not-in-raft', reason: 'manager, but not a member of the raft: made one again' }));
      }
    }
  }
  // Demotions and leaves run after new managers joined, so the swarm never loses its last manager;
  // those that take a manager away go in steps (managerLosses), so the raft keeps its quorum.
  const losses: Loss[] = [];
  for (const m of desired.machines) {
    const swarm = swarmOf(m.name);
    if (m === leader || swarm?.state !== 'active' || elsewhere.has(m.name)) continue;
    if (m.role === 'worker' && swarm.role === 'manager') {
      losses.push({ machine: m.name, manager: true, add: (after, step) => list.add(m.name, { kind: 'swarm.demote', machine: m.name, after: [leaderReady, ...managerSteps, ...after], cause: 'role-changed', reason: `manager → worker${step}` }) });
    } else if (!m.role) {
      const manager = swarm.role === 'manager';
      losses.push({ machine: m.name, manager, add: (after, step) => list.add(m.name, { kind: 'swarm.leave', machine: m.name, after: [leaderReady, ...managerSteps, ...after], cause: 'role-changed', reason: `no role in the manifest${step}` }) });
    }
  }
  const swarmNodes = new Map((health?.nodes ?? []).map((n) => [n.id, n]));
  for (const name of leaving) {
    const s = seen.get(name)?.engine?.swarm;
    if (s?.state !== 'active') continue;
    // Drained first (as `docker node update --availability drain` before leaving): the swarm moves its
    // tasks off. Not when no manager stays (destroy): the whole swarm goes, nothing is there to move to.
    const now = (s.nodeId && swarmNodes.get(s.nodeId)?.availability) || 'active';
    const drain = now === 'drain' || !leader ? undefined : list.add(name, { kind: 'machine.availability', machine: name, from: now, availability: 'drain', after: [leaderReady], cause: 'not-in-manifest', reason: 'machine is removed: drained first' });
    losses.push({ machine: name, manager: s.role === 'manager', add: (after, step) => list.add(name, { kind: 'swarm.leave', machine: name, after: [leaderReady, drain, ...managerSteps, ...after], cause: 'not-in-manifest', reason: `machine is removed${step}` }) });
  }
  for (const name of replaced) {
    // Its step is done once it is back in the raft.
    if (seen.get(name)?.engine?.swarm.role === 'manager') losses.push({ machine: name, manager: true, step: `machine.replace:${name}`, done: list.has(`swarm.join:${name}`) ? `swarm.join:${name}` : undefined });
  }
  if (leader) managerLosses(losses, countManagers(observed, leaving), list, notes.notes);
  else for (const l of losses) l.add?.([], ''); // no swarm stays: nothing to keep a quorum for
  planAvailability(desired, (name) => (elsewhere.has(name) ? undefined : swarmOf(name)), swarmNodes, list, leaderReady);
  // After the machine's join (a re-joined manager first raises the raft to full strength), so the swarm never has fewer managers than it had.
  for (const s of health?.stale ?? []) {
    const joined = list.has(`swarm.join:${s.machine}`) ? `swarm.join:${s.machine}` : undefined;
    list.add(`${s.machine}:${s.node.id}`, {
      kind: 'swarm.forget',
      machine: s.machine,
      nodeId: s.node.id,
      after: [leaderReady, joined, ...managerSteps],
      cause: 'leftover',
      reason: `an entry ${s.machine} left behind (${s.node.state}${s.node.reachability ? `, ${s.node.reachability} ${s.node.role}` : ''})`,
    });
  }
  if (!leader && desired.machines.some((m) => m.role)) warnings.push('workers without a manager cannot form a swarm');
  return leader?.name;
}

export function describeMachine(m: DesiredMachine): string {
  const parts: string[] = [m.driver];
  if (m.role) parts.push(`role ${m.role}`);
  const labels = Object.entries(m.labels).map(([k, v]) => `${k}=${v}`);
  if (labels.length) parts.push(`labels ${labels.join(',')}`);
  if (m.cpus) parts.push(`${m.cpus} ${m.cpus === 1 ? 'cpu' : 'cpus'}`);
  if (m.memory) parts.push(formatBytes(m.memory));
  return parts.join(', ');
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[i]}`;
}

export type { Role };

/** Something that takes a swarm node away: `add` plans it after `after` (the previous step); `step` names an action planned already. */
interface Loss {
  machine: string;
  manager: boolean;
  add?: (after: string[], step: string) => string;
  step?: string;
  done?: string;
}

/** The swarm's managers now: raft members as the leader lists them, else the machines that say they manage. */
function countManagers(observed: Observed, leaving: Set<string>): number {
  const listed = observed.machines.flatMap((m) => m.engine?.swarm.nodes ?? []).filter((n) => n.role === 'manager' && n.reachability !== undefined);
  if (listed.length) return new Set(listed.map((n) => n.id)).size;
  return observed.machines.filter((m) => m.engine?.swarm.state === 'active' && m.engine.swarm.role === 'manager' && !leaving.has(m.name)).length;
}

/**
 * Workers go at once; managers at most a minority of the managers left per step (raft needs a
 * majority of its members to agree: taking half or more away at once may stall it), each step after
 * the previous one. One at a time at least, so two managers can still become one. The plan says the order.
 */
function managerLosses(losses: Loss[], managers: number, list: ActionList, notes: string[]): void {
  for (const l of losses) if (!l.manager) l.add!([], '');
  const going = losses.filter((l) => l.manager);
  if (!going.length) return;
  const steps: Loss[][] = [];
  let left = managers;
  for (let i = 0; i < going.length; ) {
    const size = Math.max(1, Math.floor((left - 1) / 2));
    steps.push(going.slice(i, i + size));
    i += size;
    left -= size;
  }
  let before: string[] = [];
  steps.forEach((step, n) => {
    const tag = steps.length > 1 ? ` (manager step ${n + 1} of ${steps.length})` : '';
    const ids = step.map((l) => l.done ?? l.step ?? l.add!(before, tag));
    if (n > 0) for (const l of step) if (l.step) list.actions.find((a) => a.id === l.step)?.after.push(...before);
    before = ids;
  });
  if (going.length > 1 || managers <= 2) {
    notes.push(
      `${going.length} of ${managers} manager${managers === 1 ? '' : 's'} leave${going.length === 1 ? 's' : ''} in ${steps.length} step${steps.length === 1 ? '' : 's'}, ` +
        `never more than a minority of the managers left at once so the swarm keeps its quorum: ${steps.map((s, i) => `${i + 1}) ${s.map((l) => l.machine).join(', ')}`).join(' ')}`,
    );
  }
}

/** The manifest's availability on each machine in the swarm (or joining it), as its swarm node has it. */
function planAvailability(
  desired: Desired,
  swarmOf: (name: string) => SwarmFacts | undefined,
  nodes: Map<string, { availability?: 'pause' | 'drain' }>,
  list: ActionList,
  leaderReady: string | undefined,
): void {
  for (const m of desired.machines) {
    if (!m.role) continue;
    const want = m.availability ?? 'active';
    const s = swarmOf(m.name);
    const joins = list.has(`swarm.join:${m.name}`) ? `swarm.join:${m.name}` : undefined;
    // A node joins active; one already in the swarm has what the leader lists (a machine unseen now is planned once seen).
    const now = s?.state === 'active' && !joins ? ((s.nodeId && nodes.get(s.nodeId)?.availability) || 'active') : joins ? 'active' : undefined;
    if (now === undefined || now === want) continue;
    list.add(m.name, { kind: 'machine.availability', machine: m.name, from: now, availability: want, after: [leaderReady, joins], cause: 'spec-changed', reason: want === 'active' ? 'takes replicas again' : want === 'pause' ? 'takes no new replicas' : 'its replicas move elsewhere' });
  }
}

/**
 * Machines whose node image changes, re-created by machine.replace (src/model/replacement.ts). The
 * only manager of a swarm is not: re-creating it would lose the swarm; the plan says what to do instead.
 */
function replacements(desired: Desired, observed: Observed, warnings: string[]): Map<string, Replacement> {
  const all = replacedMachines(desired, observed);
  if (all.size === 0) return all;
  const seen = new Map(observed.machines.map((o) => [o.name, o]));
  const managers = desired.machines.filter((m) => m.role === 'manager' && seen.get(m.name)?.engine?.swarm.role === 'manager');
  for (const [name, r] of all) {
    if (!managers.some((m) => m.name === name) || managers.some((m) => m.name !== name && !all.has(m.name))) continue;
    all.delete(name);
    warnings.push(`${name}: node image ${r.from} → ${r.to} needs the machine re-created, and no other manager keeps the swarm meanwhile; add a manager (or replace the others first), apply, then apply again`);
  }
  return all;
}
