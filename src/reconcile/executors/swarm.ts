// Swarm membership: init, join, role changes, leave, and forgetting entries a machine left behind.
import { isIP } from 'node:net';
import { errorMessage, isEngineError } from '../../engine/errors.js';
import type { Engine } from '../../engine/types.js';
import type { SwarmFacts } from '../../model/observed.js';
import type { Role } from '../../model/desired.js';
import type { ActionContext } from './context.js';
import type { Executors } from './types.js';
import { trace } from '../trace.js';

export const swarmExecutors = {
  'swarm.init': async (ctx, a) => {
    const engine = ctx.engine(a.machine);
    // A machine made from nothing in this run is in no swarm: its facts (~40 ms, on the path of every
    // join) would say so. Any other is read first: a member is left as it is.
    const inSwarm = !isBlank(ctx, a.machine) && (await engine.facts()).swarm.state === 'active';
    trace(`${a.machine}: init facts`);
    if (!inSwarm) {
      await engine.swarmInit(ctx.address(a.machine));
      ctx.tokensFrom(a.machine);
    }
    trace(`${a.machine}: swarm init`);
    await mirrorLabels(ctx, a.machine, !inSwarm);
  },
  'swarm.join': (ctx, a) => join(ctx, a.machine, a.role),
  'swarm.promote': (ctx, a) => changeRole(ctx, a.machine, 'manager'),
  'swarm.demote': (ctx, a) => changeRole(ctx, a.machine, 'worker'),
  'swarm.leave': (ctx, a) => leave(ctx, a.machine),
  'swarm.forget': (ctx, a) => forget(ctx, a.machine, a.nodeId),
} satisfies Partial<Executors>;

async function changeRole(ctx: ActionContext, machine: string, role: Role): Promise<void> {
  const nodeId = await ctx.nodeId(machine);
  const leader = await ctx.leader(machine);
  await leader.swarmNodeUpdate(nodeId, { role });
  // Swarm changes a role in the background: the node gets a new certificate, then starts or
  // stops its manager, and the managers add it to or drop it from their raft. Until both
  // sides agree, a plan would misread the role and stopping the node can cost the quorum.
  await untilRoleSettled(ctx, machine, leader, nodeId, role);
}

/**
 * Joins `machine` to the swarm the manifest's managers lead, as `role`. "Already part of a swarm"
 * (the engine's refusal, or its facts) is compared, never taken for success: a manager's cluster id
 * must be the leader's, and the leader must list the node (a worker knows no cluster id). A member
 * with another role (a manager that `swarm init --force-new-cluster` elsewhere made a worker) gets
 * the manifest's role.
 */
async function join(ctx: ActionContext, machine: string, role: Role): Promise<void> {
  const engine = ctx.engine(machine);
  const { worker, manager, leader } = await ctx.joinTokens(machine);
  trace(`${machine}: tokens`);
  const leaderEngine = ctx.engine(leader);
  // A machine made from nothing in this run is in no swarm (inactive): nothing to wait for or leave first.
  const ownSwarm = async () => (await engine.facts()).swarm;
  let swarm: SwarmFacts = isBlank(ctx, machine) ? { state: 'inactive' } : await ownSwarm();
  trace(`${machine}: join facts`);
  // A node that just started is 'pending' while it reaches its managers: what it becomes decides.
  for (const until = Date.now() + 60_000; swarm.state === 'pending' && Date.now() < until; swarm = await ownSwarm()) await new Promise((r) => setTimeout(r, 500));
  // A node bound to an address the machine no longer has (a restart gave it another one) is reached
  // by nobody there; promoting it would add an unreachable raft member and cost the quorum (seen on
  // real engines after a forced new cluster). Compared only for IP addresses: an adopted host's
  // address may be a name its node does not advertise.
  const movedFrom = swarm.state === 'active' && swarm.nodeAddr && isIP(ctx.address(machine)) && swarm.nodeAddr !== ctx.address(machine) ? swarm.nodeAddr : undefined;
  if (swarm.state === 'error' || swarm.state === 'pending' || movedFrom) {
    // Its swarm node cannot start (e.g. "can't initialize raft node": its address changed, or a forced
    // new cluster dropped it), or cannot be reached: it leaves, then joins afresh; the entry it leaves
    // behind is forgotten by the next plan (swarm.forget).
    await engine.swarmLeave(true);
    swarm = await ownSwarm();
  }
  const joinsNow = swarm.state === 'inactive';
  let accepted = false;
  if (joinsNow) {
    const req = { remoteAddrs: [`${ctx.address(leader)}:2377`], token: role === 'manager' ? manager : worker, advertiseAddr: ctx.address(machine) };
    // An earlier attempt whose answer was lost may have joined already: compared below like any member.
    accepted = await engine.swarmJoin(req).then(
      () => true,
      (err: unknown) => {
        if (!/already part of a swarm/i.test(errorMessage(err))) throw err;
        return false;
      },
    );
    trace(`${machine}: joined`);
  }
  // A machine made from nothing whose join the swarm just accepted is the member it asked to be: dockerd
  // answers a join once the node is ready in the swarm the token names, with the token's role, and
  // otherwise fails it (moby daemon/cluster/swarm.go Join: errSwarmJoinTimeoutReached). The reads below
  // (~40 ms on the path of everything after the join) are for every other case.
  if (accepted && isBlank(ctx, machine)) return mirrorLabels(ctx, machine, true);
  // Three reads, side by side: each is on the path every later action of this machine waits for.
  const [{ swarm: own }, { swarm: leaderSwarm }, members] = await Promise.all([engine.facts(), leaderEngine.facts(), leaderEngine.swarmNodes()]);
  const leaderCluster = leaderSwarm.clusterId;
  const node = members.find((n) => n.id === own.nodeId);
  trace(`${machine}: join checked`);
  const otherCluster = own.clusterId && leaderCluster && own.clusterId !== leaderCluster;
  if (otherCluster || !own.nodeId || !node) {
    throw new Error(
      `${machine} is part of another swarm (${otherCluster ? `cluster ${own.clusterId}, not ${leaderCluster} that ${leader} leads` : `its node ${own.nodeId ?? '(none)'} is not a member of the swarm ${leader} leads; it is ${own.state}`}): ` +
        `run \`cluster ssh ${machine} -- docker swarm leave --force\` and apply again, or remove the machine`,
    );
  }
  // A member can be a manager on paper and not in the raft: a forced new cluster drops the other
  // managers from the raft but not their role, and swarm's role manager acts only on a node update
  // (seen on real engines: the node stays a worker until one comes). So the role is written whenever
  // the node is not what it should be, even if the spec says so already.
  if (node.role !== role || own.role !== role || Boolean(node.raftMember) !== (role === 'manager')) {
    await leaderEngine.swarmNodeUpdate(node.id, { role });
    await untilRoleSettled(ctx, machine, leaderEngine, node.id, role);
  }
  await mirrorLabels(ctx, machine, joinsNow);
}

/** Made from nothing by this run (MachineRecord.blank): its engine holds no swarm state. */
const isBlank = (ctx: ActionContext, machine: string) => ctx.records.get(machine)?.blank === true;

/**
 * The machine's engine labels onto its swarm node. A node made just now (the first of a new swarm, or
 * one that joined in this action) has no labels: with none to give it there is nothing to mirror
 * (three engine calls on the path every later action of the machine waits for).
 */
async function mirrorLabels(ctx: ActionContext, machine: string, newNode: boolean): Promise<void> {
  if (!newNode || Object.keys(ctx.machines.get(machine)?.labels ?? {}).length) await ctx.mirrorNodeLabels(machine);
}

/**
 * Removes a node entry `machine` left behind (src/plan/swarm-health.ts staleNodes), checked again
 * now: it must still carry the machine's hostname and must not be the node of any machine the plan
 * knows. A manager's entry is demoted first (swarm removes no raft member); the raft drops an
 * unreachable member in the background, so removal is retried until it has.
 * kill -9 between demotion and removal: the entry stays, down, and the next plan forgets it again;
 * Ctrl-C: it finishes within the grace period like any running action; two runs: the apply lock.
 */
async function forget(ctx: ActionContext, machine: string, nodeId: string): Promise<void> {
  const leader = await ctx.leader('');
  const node = (await leader.swarmNodes()).find((n) => n.id === nodeId);
  if (!node) return; // gone already (a re-run after a crash)
  const now = ctx.records.has(machine) ? await ctx.engine(machine).facts().catch(() => undefined) : undefined;
  const hostname = now?.hostname ?? ctx.observed.machines.find((m) => m.name === machine)?.engine?.hostname ?? machine;
  const live = new Set([now?.swarm.nodeId, ...ctx.observed.machines.map((m) => m.engine?.swarm.nodeId)].filter(Boolean));
  if (node.hostname !== hostname || live.has(nodeId)) {
    throw new Error(`node ${nodeId} is not an entry ${machine} left behind (hostname ${node.hostname}${live.has(nodeId) ? ', and it is a machine’s live node' : ''}): left alone`);
  }
  // Only a raft member needs the demotion; an entry whose role says manager but that the raft dropped
  // already (after --force-new-cluster) is refused one ("can't find manager in raft memberlist").
  if (node.raftMember) await leader.swarmNodeUpdate(nodeId, { role: 'worker' });
  for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 500))) {
    try {
      await leader.swarmNodeRemove(nodeId, true);
      return;
    } catch (err) {
      if (isEngineError(err, 'notFound')) return;
      if (!/raft|demoted|manager/i.test(errorMessage(err)) || Date.now() > deadline) throw err;
    }
  }
}

async function untilRoleSettled(ctx: ActionContext, machine: string, leader: Engine, nodeId: string, role: Role): Promise<void> {
  const settled = async () => {
    const node = (await leader.swarmNodes()).find((n) => n.id === nodeId);
    if (!node || Boolean(node.raftMember) !== (role === 'manager')) return false;
    const own = (await ctx.engine(machine).facts()).swarm;
    if (own.state !== 'active' || own.role !== role) return false;
    // The node's certificate changes last; a restart before that brings back the old role.
    const certified = await ctx.driver(machine).swarmCertificateRole?.(machine);
    return certified === undefined || certified === role;
  };
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    if (await settled().catch(() => false)) return;
  }
  throw new Error(`${machine} was made a ${role} but had not become one after 60 s (its certificate or the managers' raft lag)`);
}

export async function leave(ctx: ActionContext, machine: string): Promise<void> {
  const engine = ctx.records.has(machine) ? ctx.engine(machine) : undefined;
  const facts = engine ? await engine.facts() : undefined;
  const nodeId = facts?.swarm.nodeId ?? ctx.observedNodeId(machine);
  const leader = await ctx.leader(machine).catch(() => undefined);
  // Swarm refuses to remove a manager's node: demote it first, while another manager leads.
  if (leader && nodeId && facts?.swarm.role === 'manager') await leader.swarmNodeUpdate(nodeId, { role: 'worker' });
  if (engine && facts?.swarm.state === 'active') await engine.swarmLeave(true);
  // A node that left still shows as "down" on the managers until it is removed from the list.
  if (leader && nodeId) {
    await leader.swarmNodeRemove(nodeId, true).catch((err) => {
      if (!isEngineError(err, 'notFound')) throw err;
    });
  }
}
