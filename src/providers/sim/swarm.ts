// Swarm mode as a simulated engine answers it: the rules and messages of dockerd/swarmkit that the
// reconciler meets (already in a swarm, invalid token, not a manager, the last manager, node not down).
// Where dockerd answers 503 (already in a swarm, not a manager) the sim gives no status code: the
// retry policy counts 503 as transient, and these refusals never cure themselves.
import type { Role } from '../../model/desired.js';
import type { SwarmFacts, SwarmNodeFacts } from '../../model/observed.js';
import type { SimMachine, SimNode, SimState, SimSwarm } from './state.js';
import type { SwarmJoinRequest, SwarmNode } from '../../engine/types.js';
import { SimEngineError } from './errors.js';

export function swarmFacts(state: SimState, machine: SimMachine): SwarmFacts {
  const member = state.membership.get(machine.name);
  if (!member) return { state: 'inactive' };
  const { swarm, node } = member;
  const facts: SwarmFacts = { state: 'active', nodeId: node.id, nodeAddr: state.address(machine), clusterId: swarm.id, role: node.role, nodeLabels: { ...node.labels } };
  if (node.role !== 'manager') return facts;
  // Like dockerd: a manager of a swarm without a leader knows the raft members but not the cluster.
  if (!leaderOf(state, swarm)) return { state: 'active', nodeId: node.id, nodeAddr: facts.nodeAddr!, role: node.role, error: NO_LEADER, managers: raftMembers(swarm).map((n) => n.id).sort() };
  return { ...facts, nodes: nodeFacts(state, swarm) };
}

/** The node list as a real manager's facts give it (src/providers/docker/convert.ts toSwarmNode), sorted by id. */
function nodeFacts(state: SimState, swarm: SimSwarm): SwarmNodeFacts[] {
  const leader = leaderOf(state, swarm);
  return [...swarm.nodes.values()]
    .map((n) => ({
      id: n.id,
      hostname: n.machine,
      role: n.role,
      state: reachable(state, n) ? 'ready' : 'down',
      ...(n.role === 'manager' ? { reachability: reachable(state, n) ? 'reachable' : 'unreachable' } : {}),
      ...(n === leader ? { leader: true } : {}),
      ...(n.availability === 'pause' || n.availability === 'drain' ? { availability: n.availability as 'pause' | 'drain' } : {}),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** dockerd's words (daemon/cluster/errors.go errNoLeader) for a swarm that lost its quorum. */
export const NO_LEADER = "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

/** A node that left stays a raft member until it is demoted, as a manager that left with --force does. */
function raftMembers(swarm: SimSwarm): SimNode[] {
  return [...swarm.nodes.values()].filter((n) => n.role === 'manager');
}

function reachable(state: SimState, n: SimNode): boolean {
  return !n.left && state.machines.get(n.machine)?.state === 'running';
}

/** Raft elects a leader among reachable members only while more than half of them are reachable; the sim's is the first in join order. */
function leaderOf(state: SimState, swarm: SimSwarm): SimNode | undefined {
  const members = raftMembers(swarm);
  const up = members.filter((n) => reachable(state, n));
  return up.length > members.length / 2 ? up[0] : undefined;
}

/**
 * `forceNewCluster` (docker swarm init --force-new-cluster) on a manager of a swarm keeps the swarm
 * and its nodes but makes this node its only raft member: every other manager becomes a worker.
 */
export function swarmInit(state: SimState, machine: SimMachine, opts: { forceNewCluster?: boolean } = {}): void {
  const member = state.membership.get(machine.name);
  if (opts.forceNewCluster && member?.node.role === 'manager') {
    for (const n of member.swarm.nodes.values()) if (n !== member.node) n.role = 'worker';
    return;
  }
  refuseMember(state, machine);
  state.createSwarm(machine.name);
}

export function swarmJoin(state: SimState, machine: SimMachine, req: SwarmJoinRequest): void {
  refuseMember(state, machine);
  const found = state.swarmByToken(req.token);
  if (!found) throw new SimEngineError('rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster', 400);
  // The token picks the swarm and the role; one of the addresses must reach a running manager of it.
  const hosts = new Set(req.remoteAddrs.map((a) => a.replace(/:\d+$/, '')));
  const reachable = [...found.swarm.nodes.values()].some((n) => {
    const m = state.machines.get(n.machine);
    return n.role === 'manager' && !n.left && m?.state === 'running' && (hosts.has(state.address(m)) || hosts.has(m.name));
  });
  if (!reachable) throw new SimEngineError(`cannot join: no running manager of swarm ${found.swarm.id} at ${req.remoteAddrs.join(', ') || '(no address given)'}`);
  state.addNode(found.swarm, machine.name, found.role);
}

export function joinTokens(state: SimState, machine: SimMachine): { worker: string; manager: string } {
  return { ...managedSwarm(state, machine).tokens };
}

/** Leaving when not in a swarm succeeds (a re-run converges). A manager leaves only with force, as in Docker. */
export function swarmLeave(state: SimState, machine: SimMachine, force: boolean): void {
  const member = state.membership.get(machine.name);
  if (!member) return;
  if (member.node.role === 'manager' && !force) {
    throw new SimEngineError(
      'You are attempting to leave the swarm on a node that is participating as a manager. Use `--force` to suppress this message.',
    );
  }
  state.leaveSwarm(machine.name);
}

export function swarmNodes(state: SimState, machine: SimMachine): SwarmNode[] {
  const swarm = managedSwarm(state, machine);
  if (!leaderOf(state, swarm)) throw new SimEngineError(`rpc error: code = Unknown desc = ${NO_LEADER}`);
  return [...swarm.nodes.values()]
    .map((n) => ({
      id: n.id,
      hostname: n.machine,
      role: n.role,
      state: !n.left && state.machines.get(n.machine)?.state === 'running' ? 'ready' : 'down',
      availability: n.availability,
      labels: { ...n.labels },
      raftMember: n.role === 'manager',
    }))
    .sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : a.id < b.id ? -1 : 1));
}

/** Labels are replaced as a whole, like Docker's node update spec. */
export function swarmNodeUpdate(state: SimState, machine: SimMachine, nodeId: string, change: { role?: Role; labels?: Record<string, string>; availability?: string }): void {
  const swarm = managedSwarm(state, machine);
  const node = swarm.nodes.get(nodeId);
  if (!node) throw new SimEngineError(`node ${nodeId} not found`, 404);
  if (change.role === 'worker' && node.role === 'manager' && managers(swarm) <= 1) {
    throw new SimEngineError('rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm', 400);
  }
  if (change.role) node.role = change.role;
  if (change.labels) node.labels = { ...change.labels };
  if (change.availability) node.availability = change.availability;
}

/** Removing a node that is gone already succeeds; a live one needs force, a manager a demotion first. */
export function swarmNodeRemove(state: SimState, machine: SimMachine, nodeId: string, force: boolean): void {
  const swarm = managedSwarm(state, machine);
  const node = swarm.nodes.get(nodeId);
  if (!node) return;
  if (node.role === 'manager') {
    throw new SimEngineError(`rpc error: code = FailedPrecondition desc = node ${nodeId} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`, 400);
  }
  const ready = !node.left && state.machines.get(node.machine)?.state === 'running';
  if (ready && !force) throw new SimEngineError(`rpc error: code = FailedPrecondition desc = node ${nodeId} is not down and can't be removed`, 400);
  state.deleteNode(swarm, node);
}

/** The node a swarm node update or removal is about, for fault messages (`… on worker-2`). */
export function nodeMachine(state: SimState, nodeId: string): string {
  return state.findNode(nodeId)?.node.machine ?? nodeId;
}

function managedSwarm(state: SimState, machine: SimMachine): SimSwarm {
  const member = state.membership.get(machine.name);
  if (member?.node.role !== 'manager') {
    throw new SimEngineError("This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state.");
  }
  return member.swarm;
}

function refuseMember(state: SimState, machine: SimMachine): void {
  if (state.membership.has(machine.name)) {
    throw new SimEngineError('This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.');
  }
}

function managers(swarm: SimSwarm): number {
  let n = 0;
  for (const node of swarm.nodes.values()) if (node.role === 'manager' && !node.left) n++;
  return n;
}
