// Swarm mode on simulated engines: init, tokens, join, promote/demote, labels, leave, node rm.
import { describe, expect, it } from 'vitest';
import { SimDriver } from '../../src/providers/sim/driver.js';
import type { MachineRecord } from '../../src/providers/types.js';
import { context, machine, manifestDir } from './support.js';

async function threeMachines() {
  const driver = new SimDriver(context(await manifestDir()));
  const [m1, w1, w2] = await Promise.all(['manager-1', 'worker-1', 'worker-2'].map((n) => driver.create(machine(n))));
  const engine = (r: MachineRecord | undefined) => driver.engine(r!);
  const manager = engine(m1);
  await manager.swarmInit(m1!.address!);
  const tokens = await manager.swarmJoinTokens();
  const join = (r: MachineRecord | undefined, token: string) => engine(r).swarmJoin({ remoteAddrs: [`${m1!.address}:2377`], token, advertiseAddr: r!.address! });
  const nodeId = async (r: MachineRecord | undefined) => (await engine(r).facts()).swarm.nodeId!;
  return { driver, m1: m1!, w1: w1!, w2: w2!, manager, tokens, join, nodeId, engine };
}

describe('sim swarm', () => {
  it('init makes a manager; joins take their role from the token; nodes lists everyone', async () => {
    const { manager, tokens, join, w1, w2, engine } = await threeMachines();
    const facts = (await manager.facts()).swarm;
    expect(facts).toMatchObject({ state: 'active', role: 'manager', clusterId: expect.any(String), nodeId: expect.any(String) });
    expect(tokens.worker).toMatch(/^SWMTKN-1-/);
    expect(tokens.manager).not.toBe(tokens.worker);
    await join(w1, tokens.worker);
    await join(w2, tokens.manager);
    expect((await engine(w1).facts()).swarm).toMatchObject({ state: 'active', role: 'worker', clusterId: facts.clusterId });
    expect((await engine(w2).facts()).swarm.role).toBe('manager');
    const nodes = await manager.swarmNodes();
    expect(nodes.map((n) => [n.hostname, n.role, n.state, n.availability])).toEqual([
      ['manager-1', 'manager', 'ready', 'active'],
      ['worker-1', 'worker', 'ready', 'active'],
      ['worker-2', 'manager', 'ready', 'active'],
    ]);
  });

  it('refuses a wrong token, an unreachable manager, a second init or join, and worker-side cluster calls', async () => {
    const { manager, tokens, join, w1, engine } = await threeMachines();
    await expect(join(w1, 'SWMTKN-1-forged-token')).rejects.toMatchObject({ kind: 'refused', status: 400, message: expect.stringContaining('valid join token') });
    await expect(engine(w1).swarmJoin({ remoteAddrs: ['10.9.9.9:2377'], token: tokens.worker, advertiseAddr: w1.address! })).rejects.toThrow(/no running manager/);
    await expect(manager.swarmInit('10.0.0.1')).rejects.toThrow(/already part of a swarm/);
    await join(w1, tokens.worker);
    await expect(join(w1, tokens.worker)).rejects.toThrow(/already part of a swarm/);
    await expect(engine(w1).swarmNodes()).rejects.toThrow(/not a swarm manager/);
    await expect(engine(w1).swarmJoinTokens()).rejects.toThrow(/not a swarm manager/);
  });

  it('tokens of one swarm do not open another', async () => {
    const { tokens, driver } = await threeMachines();
    const a = await driver.create(machine('other-manager'));
    const b = await driver.create(machine('other-worker'));
    await driver.engine(a).swarmInit(a.address!);
    const other = await driver.engine(a).swarmJoinTokens();
    expect(other.worker).not.toBe(tokens.worker);
    await driver.engine(b).swarmJoin({ remoteAddrs: [`${a.address}:2377`], token: other.worker, advertiseAddr: b.address! });
    expect((await driver.engine(b).facts()).swarm.clusterId).toBe((await driver.engine(a).facts()).swarm.clusterId);
    // The first swarm's manager does not list it.
    expect((await driver.engine((await driver.list()).find((m) => m.name === 'manager-1')!).swarmNodes()).map((n) => n.hostname)).toEqual(['manager-1']);
  });

  it('promote, demote and labels through node update; the last manager cannot be demoted', async () => {
    const { manager, tokens, join, w1, m1, nodeId, engine } = await threeMachines();
    await join(w1, tokens.worker);
    const id = await nodeId(w1);
    await manager.swarmNodeUpdate(id, { role: 'manager' });
    expect((await engine(w1).facts()).swarm.role).toBe('manager');
    await manager.swarmNodeUpdate(id, { role: 'worker' });
    expect((await engine(w1).facts()).swarm.role).toBe('worker');
    await manager.swarmNodeUpdate(id, { labels: { size: 'xxl' } });
    await manager.swarmNodeUpdate(id, { labels: { zone: 'b' } }); // replaces, like Docker's spec update
    expect((await engine(w1).facts()).swarm.nodeLabels).toEqual({ zone: 'b' });
    await expect(manager.swarmNodeUpdate(await nodeId(m1), { role: 'worker' })).rejects.toThrow(/last manager/);
    await expect(manager.swarmNodeUpdate('no-such-node', { labels: {} })).rejects.toMatchObject({ kind: 'notFound', status: 404 });
  });

  it('leave → down on the managers → node rm; a live node needs force, a manager a demotion first', async () => {
    const { manager, tokens, join, w1, w2, m1, nodeId, engine, driver } = await threeMachines();
    await join(w1, tokens.worker);
    await join(w2, tokens.worker);
    const id1 = await nodeId(w1);
    const id2 = await nodeId(w2);

    await expect(manager.swarmNodeRemove(id1, false)).rejects.toThrow(/is not down and can't be removed/);
    await engine(w1).swarmLeave(false);
    await engine(w1).swarmLeave(false); // not in a swarm any more: success
    expect((await engine(w1).facts()).swarm).toEqual({ state: 'inactive' });
    expect((await manager.swarmNodes()).find((n) => n.id === id1)?.state).toBe('down');
    await manager.swarmNodeRemove(id1, false);
    await manager.swarmNodeRemove(id1, false); // gone already: success
    expect((await manager.swarmNodes()).map((n) => n.hostname)).toEqual(['manager-1', 'worker-2']);

    await driver.stop('worker-2'); // a stopped machine's node is down
    expect((await manager.swarmNodes()).find((n) => n.id === id2)?.state).toBe('down');
    await manager.swarmNodeRemove(id2, false);

    await expect(engine(m1).swarmLeave(false)).rejects.toThrow(/participating as a manager/);
    await expect(manager.swarmNodeRemove(await nodeId(m1), true)).rejects.toThrow(/must be demoted/);
    await engine(m1).swarmLeave(true);
    expect((await engine(m1).facts()).swarm.state).toBe('inactive');
  });

  it('a worker that left can join again, as a new node', async () => {
    const { manager, tokens, join, w1, nodeId, engine } = await threeMachines();
    await join(w1, tokens.worker);
    const before = await nodeId(w1);
    await engine(w1).swarmLeave(false);
    await manager.swarmNodeRemove(before, false);
    await join(w1, tokens.worker);
    expect(await nodeId(w1)).not.toBe(before);
  });

  it('reports health as a real manager does: the node list with reachability and leader; without quorum the error and the raft members; force-new-cluster makes the others workers', async () => {
    // swarmkit: a leader needs more than half of the raft members; dockerd's facts then say
    // "The swarm does not have a leader" (daemon/cluster/errors.go) and list RemoteManagers.
    const { driver, manager, tokens, join, w1, w2, m1, engine, nodeId } = await threeMachines();
    await join(w1, tokens.manager);
    await join(w2, tokens.manager);
    const ids = { m1: await nodeId(m1), w1: await nodeId(w1), w2: await nodeId(w2) };
    const healthy = (await manager.facts()).swarm;
    expect(healthy.nodes?.map((n) => [n.hostname, n.role, n.state, n.reachability, !!n.leader]).sort()).toEqual([
      ['manager-1', 'manager', 'ready', 'reachable', true],
      ['worker-1', 'manager', 'ready', 'reachable', false],
      ['worker-2', 'manager', 'ready', 'reachable', false],
    ]);
    await driver.stop('worker-1');
    expect((await manager.facts()).swarm.nodes?.find((n) => n.hostname === 'worker-1')).toMatchObject({ state: 'down', reachability: 'unreachable' });
    await driver.stop('worker-2');
    const lost = (await manager.facts()).swarm;
    expect(lost).toMatchObject({ state: 'active', role: 'manager', error: expect.stringContaining('does not have a leader'), managers: [ids.m1, ids.w1, ids.w2].sort() });
    expect(lost.nodes).toBeUndefined();
    await expect(manager.swarmNodes()).rejects.toThrow(/does not have a leader/);
    await manager.swarmInit(m1.address!, { forceNewCluster: true });
    const forced = (await manager.facts()).swarm;
    expect(forced.error).toBeUndefined();
    expect(forced.nodes?.map((n) => [n.hostname, n.role, n.state, n.reachability ?? '-', !!n.leader]).sort()).toEqual([
      ['manager-1', 'manager', 'ready', 'reachable', true],
      ['worker-1', 'worker', 'down', '-', false],
      ['worker-2', 'worker', 'down', '-', false],
    ]);
    await driver.start('worker-1');
    expect((await engine(w1).facts()).swarm).toMatchObject({ state: 'active', role: 'worker', nodeId: ids.w1 });
  });
});
