// `cluster repair --force-new-cluster` through the real binary on the sim driver (whose swarm needs more
// than half of its raft members for a leader, as swarmkit's raft does): its refusals, and a swarm that
// lost two of three managers given a leader again (test/integration/swarm-health.test.ts: real engines).
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { SimDriver } from '../../src/providers/sim/driver.js';
import { background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';

const MANIFEST = `name: demo
machines:
  m1: { driver: sim, role: manager }
  m2: { driver: sim, role: manager }
  m3: { driver: sim, role: manager }
`;

describe('cluster repair on the sim driver', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cluster-repair-'));
    file = join(dir, 'cluster.yml');
    writeFileSync(file, MANIFEST);
    expect((await run('apply', '--auto-approve')).code).toBe(0);
  });

  test('is refused without --force-new-cluster, without a terminal or --auto-approve, on a machine that is no manager, and while the swarm has a quorum', async () => {
    const [noFlag, noTerminal, notManager, healthy] = await Promise.all([
      run('repair'),
      run('repair', '--force-new-cluster'),
      run('repair', '--force-new-cluster', '--auto-approve', '--on', 'nope'),
      run('repair', '--force-new-cluster', '--auto-approve'),
    ]);
    expect([noFlag.code, noTerminal.code, notManager.code, healthy.code]).toEqual([1, 1, 1, 1]);
    expect(noFlag.stderr).toContain('repair needs --force-new-cluster');
    expect(noTerminal.stderr).toContain('repair needs --auto-approve when not run at a terminal');
    expect(notManager.stderr).toContain('--on nope: not a manager in the manifest');
    expect(healthy.stderr).toContain('the swarm has a quorum (leader m1, 3 of 3 managers reachable): nothing to repair');
    for (const r of [noFlag, noTerminal, notManager, healthy]) expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('two managers stopped: the plan says the quorum is lost; repair leads from m1 and brings the others back as managers', async () => {
    const driver = new SimDriver({ cluster: 'demo', dir, machines: [], simulation: { latencyMs: {}, failureRate: {}, seed: 1 } });
    await driver.stop('m2');
    await driver.stop('m3');
    await driver.close();
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('swarm quorum lost: 1 of 3 managers reachable, a quorum needs 2');
    expect(plan.stdout).not.toMatch(/swarm (init|join|promote)/);

    const repair = await run('repair', '--force-new-cluster', '--auto-approve');
    expect(repair.code, repair.stdout + repair.stderr).toBe(0);
    expect(repair.stdout).toContain('Repair: force a new swarm cluster on m1');
    const status = JSON.parse((await run('status', '--json')).stdout);
    expect(status.swarm).toMatchObject({ leader: 'm1', hasQuorum: true, managers: { raft: 3, reachable: 3, quorum: 2 }, problems: [] });
    expect(status.swarm.nodes.map((n: { hostname: string; role: string; state: string }) => [n.hostname, n.role, n.state])).toEqual([
      ['m1', 'manager', 'ready'],
      ['m2', 'manager', 'ready'],
      ['m3', 'manager', 'ready'],
    ]);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('Ctrl-C during the apply that follows the forced new cluster: nothing new starts, exit 130, the lock is released, the next apply converges', async () => {
    const driver = new SimDriver({ cluster: 'demo', dir, machines: [], simulation: { latencyMs: {}, failureRate: {}, seed: 1 } });
    await driver.stop('m2');
    await driver.stop('m3');
    await driver.close();
    const child = background(['repair', '--force-new-cluster', '--auto-approve', '-f', file], { cwd: dir, env: { CLUSTER_SIM_LATENCY_MS: '1500' } });
    try {
      await child.waitFor(/start +~ start machine m2/, 60_000);
      expect(await child.stop('SIGINT')).toBe(130);
      expect(child.output()).toContain('m1: forced a new swarm cluster');
      expect(child.output()).not.toMatch(/start +\+ swarm join/);
    } finally {
      await child.stop('SIGKILL');
    }
    expect(readdirSync(join(dir, '.cluster')).filter((f) => /lock/.test(f))).toEqual([]);
    const apply = await run('apply', '--auto-approve');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const status = JSON.parse((await run('status', '--json')).stdout);
    expect(status.swarm).toMatchObject({ leader: 'm1', hasQuorum: true, managers: { raft: 3, reachable: 3, quorum: 2 } });
  }, 120_000);
});
