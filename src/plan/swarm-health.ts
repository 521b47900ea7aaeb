// Swarm health, read from what the managers said (not assumed from what the plan did last): is there
// a leader, how many raft members answer and how many a quorum needs, which node entries a machine
// left behind when it re-joined as a new node. Pure; the plan and `cluster status` say the same.
//
// Raft (swarmkit manager/state/raft, etcd's raft) needs more than half of its members to elect a
// leader: quorum = floor(members / 2) + 1. Without a leader nothing in the swarm can change — no
// join, no promotion, no node removal — until enough members come back or one manager is made the
// only member again (`docker swarm init --force-new-cluster`, daemon/cluster/swarm.go Init).
import type { Desired } from '../model/desired.js';
import type { EngineFacts, Observed, ObservedMachine, SwarmNodeFacts } from '../model/observed.js';

export interface SwarmHealth {
  /** The machine whose manager answered for the swarm (its node list, or its "no leader" error). */
  seenFrom: string;
  /** The leader's hostname; undefined when the swarm has none. */
  leader?: string;
  /** Raft members, how many of them are reachable, and how many a quorum needs. */
  managers: { raft: number; reachable: number; quorum: number };
  hasQuorum: boolean;
  /** The node list (empty when the swarm could not give one). */
  nodes: SwarmNodeFacts[];
  /** Node entries a machine left behind: they carry its hostname but not its node id, and are down or unreachable. */
  stale: StaleNode[];
  /** Why the swarm cannot change now, and what to do; undefined while it has a quorum. */
  lostQuorum?: string;
  /** What else is wrong (down nodes, raft size, stale entries), each with what to do. */
  problems: string[];
}

export interface StaleNode {
  machine: string;
  node: SwarmNodeFacts;
}

export const REPAIR_HINT = '`cluster repair --force-new-cluster`';

/** Undefined when no machine is a manager of a swarm that answered (no swarm yet, or none reachable). */
export function swarmHealth(desired: Desired, observed: Observed): SwarmHealth | undefined {
  const view = managerView(desired, observed);
  if (!view) return undefined;
  const { machine, swarm } = view;
  const nodes = swarm.nodes ?? [];
  const ownIds = new Set(observed.machines.flatMap((m) => (m.engine?.swarm.nodeId ? [m.engine.swarm.nodeId] : [])));
  let raft: number;
  let reachable: number;
  let leader: string | undefined;
  if (swarm.nodes) {
    const members = nodes.filter((n) => n.reachability !== undefined);
    raft = members.length;
    reachable = members.filter((n) => n.reachability === 'reachable').length;
    leader = nodes.find((n) => n.leader)?.hostname;
  } else {
    // No leader: the raft members are the ones the node last knew; a member answers when a machine
    // of this cluster that runs it is up and says it is a manager.
    const answering = new Set(observed.machines.filter((m) => m.engine?.swarm.state === 'active' && m.engine.swarm.role === 'manager').map((m) => m.engine!.swarm.nodeId));
    raft = swarm.managers?.length ?? 0;
    reachable = (swarm.managers ?? []).filter((id) => answering.has(id)).length;
  }
  const quorum = Math.floor(raft / 2) + 1;
  const hasQuorum = leader !== undefined && reachable >= quorum;
  const stale = staleNodes(desired, observed, nodes, ownIds);
  const health: SwarmHealth = { seenFrom: machine.name, ...(leader ? { leader } : {}), managers: { raft, reachable, quorum }, hasQuorum, nodes, stale, problems: [] };
  if (!hasQuorum) health.lostQuorum = lostQuorum(health, swarm.error);
  health.problems = problemsOf(desired, observed, health);
  return health;
}

/** The first of the manifest's managers that answers as a swarm manager (else any machine that does): its node list, or its error. */
function managerView(desired: Desired, observed: Observed): { machine: ObservedMachine; swarm: EngineFacts['swarm'] } | undefined {
  const byName = new Map(observed.machines.map((m) => [m.name, m]));
  const wanted = desired.machines.filter((m) => m.role === 'manager').map((m) => byName.get(m.name));
  const candidates = [...wanted, ...observed.machines].filter((m): m is ObservedMachine => m?.engine?.swarm.state === 'active' && m.engine.swarm.role === 'manager');
  const listing = candidates.find((m) => m.engine!.swarm.nodes);
  const leaderless = candidates.find((m) => m.engine!.swarm.error);
  const chosen = listing ?? leaderless;
  return chosen ? { machine: chosen, swarm: chosen.engine!.swarm } : undefined;
}

/**
 * A machine that left its swarm (by hand, or a reset) and joined again is a new node; its old entry
 * stays listed (a manager's also stays in the raft, counting against the quorum). An entry is stale
 * only when the machine answered with another node id (or none), no machine of this cluster is that
 * node, and the entry is down or unreachable: a live node is never taken for a stale one. Machines
 * whose hostname another machine shares and that did not answer make that hostname undecidable.
 */
function staleNodes(desired: Desired, observed: Observed, nodes: SwarmNodeFacts[], ownIds: Set<string>): StaleNode[] {
  const byHostname = new Map<string, ObservedMachine[]>();
  for (const m of observed.machines) {
    const h = hostnameOf(m);
    byHostname.set(h, [...(byHostname.get(h) ?? []), m]);
  }
  // A machine of the manifest that does not exist (yet) has no node: a down entry with its name was
  // left by an earlier machine of that name, and is forgotten once the new one has joined, in the same
  // run (else the apply that re-creates it leaves the entry for the next one).
  const absent = new Set(desired.machines.filter((m) => !byHostname.has(m.name) && !observed.machines.some((o) => o.name === m.name)).map((m) => m.name));
  const out: StaleNode[] = [];
  for (const node of nodes) {
    if (absent.has(node.hostname) && !ownIds.has(node.id) && node.state !== 'ready') {
      out.push({ machine: node.hostname, node });
      continue;
    }
    const machines = byHostname.get(node.hostname);
    // A machine that did not answer, or whose swarm node is in error or pending, cannot say which node it is.
    if (!machines || machines.some((m) => !m.engine || !['active', 'inactive'].includes(m.engine.swarm.state))) continue;
    if (ownIds.has(node.id)) continue;
    // Live is ready and, for a raft member, reachable; an entry whose role says manager but that is no
    // raft member (a forced new cluster dropped it) is no live manager either.
    const orphanManager = node.role === 'manager' && node.reachability === undefined;
    if (node.state === 'ready' && node.reachability !== 'unreachable' && !orphanManager) continue;
    out.push({ machine: machines[0]!.name, node });
  }
  return out.sort((a, b) => (a.machine === b.machine ? (a.node.id < b.node.id ? -1 : 1) : a.machine < b.machine ? -1 : 1));
}

/** What its swarm node is listed as: the engine's host name; a machine whose engine did not answer, its name (the docker driver's hostname). */
export function hostnameOf(m: ObservedMachine): string {
  return m.engine?.hostname ?? m.name;
}

function lostQuorum(h: SwarmHealth, error: string | undefined): string {
  const { raft, reachable, quorum } = h.managers;
  const why = h.leader ? `its leader ${h.leader} no longer has a quorum` : `it has no leader${error ? ` (${h.seenFrom}: ${error})` : ''}`;
  return (
    `swarm quorum lost: ${reachable} of ${raft} manager${raft === 1 ? '' : 's'} reachable, a quorum needs ${quorum}; ${why}. ` +
    `Nothing in the swarm can change (no join, promotion or node removal) until it has one: start the managers that are down, ` +
    `or if they are lost, run ${REPAIR_HINT} (it makes one reachable manager the swarm's only manager, then re-joins the others)`
  );
}

function problemsOf(desired: Desired, observed: Observed, h: SwarmHealth): string[] {
  const out: string[] = [];
  const { raft } = h.managers;
  const wanted = desired.machines.filter((m) => m.role === 'manager').length;
  if (h.hasQuorum && raft !== wanted && !(desired.destroying && wanted === 0)) {
    const staleManagers = h.stale.filter((s) => s.node.reachability !== undefined);
    out.push(
      `the swarm's raft has ${raft} manager${raft === 1 ? '' : 's'}, the manifest wants ${wanted}` +
        (staleManagers.length ? ` (${staleManagers.map((s) => `${s.machine}'s old node ${s.node.id}`).join(', ')} still counted; \`cluster apply\` removes stale entries)` : ''),
    );
  }
  const names = new Set(observed.machines.map(hostnameOf));
  const staleIds = new Set(h.stale.map((s) => s.node.id));
  for (const n of h.nodes) {
    if (n.state === 'ready' || staleIds.has(n.id)) continue;
    if (names.has(n.hostname)) out.push(`node ${n.hostname} (${n.id}) is ${n.state}${n.reachability ? `, ${n.reachability} manager` : ''}`);
  }
  for (const s of h.stale) out.push(`${s.machine}: node ${s.node.id} (${s.node.state}${s.node.reachability ? `, ${s.node.reachability} manager` : ''}) is an entry it left behind when it left the swarm; \`cluster apply\` removes it`);
  return out;
}
