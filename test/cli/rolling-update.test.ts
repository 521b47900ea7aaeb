// Rolling updates of container services (deploy.update_config) through the real binary on the sim
// driver: batches, failure_action pause / continue / rollback, max_failure_ratio, start-first, and
// kill -9 / Ctrl-C half-way, two applies at once. The sim's image tag `:unhealthy` makes its containers report unhealthy
// (src/providers/sim/engine.ts), as a broken release would. Rules (moby/swarmkit manager/orchestrator/update/
// updater.go): failures / replicas to update > max_failure_ratio triggers failure_action
// (failureTriggersAction); parallelism 0 is every replica at once (Run); a rollback that fails pauses.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { background, type Background } from '../support/background.js';
import { cluster } from '../support/cli.js';
import { judge, race } from '../support/race.js';

const manifest = (image: string, update: string, scale = 3, rollback = '{ monitor: 10ms }', more = '') => `name: roll
machines:
  m: { driver: sim, count: 2, cpus: 8, memory: 8GiB }
services:
  web:
    image: ${image}
    scale: ${scale}${more}
    deploy:
      update_config: ${update}
      rollback_config: ${rollback}
`;

interface Container {
  name: string;
  replica: number;
  machine: string;
  state: string;
  image: string;
}

function fresh(update: string, scale = 3, more = '', rollback?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-roll-'));
  const file = join(dir, 'cluster.yml');
  const write = (image: string) => writeFileSync(file, manifest(image, update, scale, rollback, more));
  const run = (...args: string[]) => cluster([...args, '-f', file], { cwd: dir });
  const containers = () => (JSON.parse(run('status', '--json').stdout) as { containers: Container[] }).containers.sort((a, b) => a.replica - b.replica || a.name.localeCompare(b.name));
  const images = () => containers().map((c) => `${c.replica}:${c.image}`);
  write('web:1');
  expect(run('apply', '--auto-approve').code).toBe(0);
  return { dir, file, write, run, containers, images };
}

let child: Background | undefined;
afterEach(async () => {
  await child?.stop('SIGKILL');
  child = undefined;
});

describe('rolling update on the sim driver', () => {
  test('replicas are replaced in batches of parallelism; the plan says so; nothing is pending after', () => {
    const t = fresh('{ parallelism: 2, monitor: 10ms }', 5);
    t.write('web:2');
    const plan = t.run('plan', '--json');
    const replaces = (JSON.parse(plan.stdout) as { actions: { id: string; kind: string; replica: number; after: string[]; rollout?: { batch: number } }[] }).actions.filter((a) => a.kind === 'container.replace');
    expect(replaces.map((a) => [a.replica, a.rollout?.batch])).toEqual([[1, 1], [2, 1], [3, 2], [4, 2], [5, 3]]);
    // Every replacement of batch 2 waits for both of batch 1.
    const batch1 = replaces.filter((a) => a.rollout?.batch === 1).map((a) => a.id);
    for (const a of replaces.filter((x) => x.rollout?.batch === 2)) expect(a.after).toEqual(expect.arrayContaining(batch1));
    expect(t.run('plan').stdout).toContain('web: rolling update, 3 batches of 2, stop-first, monitor 10ms, on failure pause');
    const r = t.run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(t.images()).toEqual(['1:web:2', '2:web:2', '3:web:2', '4:web:2', '5:web:2']);
    expect(t.run('plan', '--detailed-exitcode').code).toBe(0);
  });

  test('parallelism 0 is one batch of every replica (swarmkit updater.go Run)', () => {
    const t = fresh('{ parallelism: 0, monitor: 0s }', 4);
    t.write('web:2');
    expect(t.run('plan').stdout).toContain('web: rolling update, 1 batch of 4');
  });

  test('failure_action pause: apply exits 1 naming the replica and why; replicas not reached keep their previous container', () => {
    const t = fresh('{ parallelism: 1, monitor: 10ms, failure_action: pause }');
    const before = t.containers();
    t.write('web:unhealthy');
    const r = t.run('apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/roll-web-1 \(#1 on m-\d\) turned unhealthy .*update paused \(failure_action pause\)/);
    const after = t.containers();
    // stop-first: #1 runs the new (failing) spec, as a paused swarm update leaves it; #2 and #3 are the same containers.
    expect(after.map((c) => `${c.replica}:${c.image}`)).toEqual(['1:web:unhealthy', '2:web:1', '3:web:1']);
    expect(after.slice(1).map((c) => c.name)).toEqual(before.slice(1).map((c) => c.name));
    const plan = t.run('plan');
    expect(plan.stdout).toContain('web: rolling update, 2 batches of 1');
  });

  test('failure_action rollback: the replaced replicas get their previous spec back, the report says so, the next plan shows the update again', () => {
    const t = fresh('{ parallelism: 2, monitor: 10ms, failure_action: rollback }');
    t.write('web:unhealthy');
    const r = t.run('apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('update rolled back (failure_action rollback): #1, #2 back on the previous spec');
    expect(t.images()).toEqual(['1:web:1', '2:web:1', '3:web:1']);
    const plan = t.run('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('web: rolling update, 2 batches of 2');
    expect(plan.stdout).toContain('~ image: "web:1" → "web:unhealthy"');
  });

  test('a rollback with rollback_config start-first and a published host port goes stop-first, as updates do', () => {
    const t = fresh('{ parallelism: 1, monitor: 10ms, failure_action: rollback }', 2, '\n    ports: ["8080:80"]', '{ order: start-first, monitor: 10ms }');
    t.write('web:unhealthy');
    const r = t.run('apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('update rolled back (failure_action rollback): #1 back on the previous spec');
    expect(t.images()).toEqual(['1:web:1', '2:web:1']);
  });

  test('failure_action continue: every replica is replaced, and apply names the failures and exits 1', () => {
    const t = fresh('{ parallelism: 1, monitor: 10ms, failure_action: continue }');
    t.write('web:unhealthy');
    const r = t.run('apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('web: update finished with 3 of 3 replicas failed (failure_action continue');
    expect(t.images()).toEqual(['1:web:unhealthy', '2:web:unhealthy', '3:web:unhealthy']);
  });

  test('max_failure_ratio: failures up to the ratio are tolerated, the one past it triggers failure_action', () => {
    // 1/3 ≤ 0.5 goes on; 2/3 > 0.5 pauses: replica 3 is never reached.
    const t = fresh('{ parallelism: 1, monitor: 10ms, failure_action: pause, max_failure_ratio: 0.5 }');
    t.write('web:unhealthy');
    const r = t.run('apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/roll-web-2 \(#2 on m-\d\) turned unhealthy .*update paused/);
    expect(t.images()).toEqual(['1:web:unhealthy', '2:web:unhealthy', '3:web:1']);
  });

  test('start-first: a failed new container is removed and the old one, kept running, gets its name back', () => {
    const t = fresh('{ parallelism: 1, monitor: 10ms, order: start-first, failure_action: pause }');
    const before = t.containers();
    t.write('web:unhealthy');
    const r = t.run('apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('its previous container kept');
    const after = t.containers();
    expect(after.map((c) => [c.name, c.image, c.state])).toEqual(before.map((c) => [c.name, c.image, c.state]));
    expect(after.map((c) => c.name)).toEqual(['roll-web-1', 'roll-web-2', 'roll-web-3']);
  });

  test('start-first in place with a published host port: those replicas go stop-first, and the plan says why', () => {
    // The old container holds 8080 on its machine until it goes (swarmkit's HostPortFilter would keep the new task pending).
    const t = fresh('{ parallelism: 1, monitor: 10ms, order: start-first }', 2, '\n    ports: ["8080:80"]');
    t.write('web:2');
    expect(t.run('plan').stdout).toContain('web: rolling update, 2 batches of 1, start-first, monitor 10ms, on failure pause; stop-first for #1, #2: 8080/tcp cannot be bound twice on one machine');
    const r = t.run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(t.images()).toEqual(['1:web:2', '2:web:2']);
  });

  test('kill -9 half-way through a start-first update: the parked old container and the new one are both the replica\'s, the next plan retires one, the next apply converges', async () => {
    const t = fresh('{ parallelism: 1, monitor: 5s, order: start-first }', 4);
    t.write('web:2');
    child = background(['apply', '--auto-approve', '-f', t.file], { cwd: t.dir });
    await child.waitFor(/start .* web #2/, 30_000);
    // Killed while replica 2's new container is monitored: its old one is parked beside it (observed, not slept for).
    let mid = t.containers();
    for (const until = Date.now() + 30_000; !mid.some((c) => c.name === 'roll-web-2-prev') && Date.now() < until; ) mid = t.containers();
    await child.stop('SIGKILL');
    child = undefined; // killed: no exit code will ever come
    expect(mid.map((c) => `${c.name}:${c.image}`)).toEqual(['roll-web-1:web:2', 'roll-web-2:web:2', 'roll-web-2-prev:web:1', 'roll-web-3:web:1', 'roll-web-4:web:1']);
    // The 5 s monitor was there for the kill to land in; the apply that converges need not wait it out
    // twice more. A changed monitor replaces nothing (update_config is no container's config).
    writeFileSync(t.file, readFileSync(t.file, 'utf8').replace('monitor: 5s', 'monitor: 10ms'));
    const plan = t.run('plan');
    expect(plan.stdout).toMatch(/- +web #2 roll-web-2-prev on m-\d \(duplicate replica\)/);
    expect(plan.stdout).toContain('web: rolling update, 2 batches of 1');
    const r = t.run('apply', '--auto-approve');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = t.containers();
    expect(after.map((c) => `${c.name}:${c.image}:${c.state}`)).toEqual(['roll-web-1:web:2:running', 'roll-web-2:web:2:running', 'roll-web-3:web:2:running', 'roll-web-4:web:2:running']);
    expect(t.run('plan', '--detailed-exitcode').code).toBe(0);
  }, 120_000);

  test('Ctrl-C during a batch: the running replacement ends cleanly, no replica is left without a container, later batches do not start', async () => {
    const t = fresh('{ parallelism: 1, monitor: 3s, order: start-first }', 3);
    t.write('web:2');
    child = background(['apply', '--auto-approve', '-f', t.file], { cwd: t.dir });
    await child.waitFor(/start .* web #1/, 30_000);
    const code = await child.stop('SIGINT');
    expect(code).toBe(130);
    const after = t.containers();
    // Exactly one container per replica: #1 is new (it ran when the stop came, its wait ended), #2 and #3 never started.
    expect(after.map((c) => `${c.name}:${c.image}`)).toEqual(['roll-web-1:web:2', 'roll-web-2:web:1', 'roll-web-3:web:1']);
  });

  test('two applies at once: one rolls every batch, the other is refused naming it or finds nothing to do; one container per replica after', async () => {
    const t = fresh('{ parallelism: 1, monitor: 1s, order: start-first }', 3);
    t.write('web:2');
    const runs = await race([0, 1].map(() => ['apply', '--auto-approve', '-f', t.file]), { cwd: t.dir });
    const { winner } = judge(runs);
    expect(winner.output).toContain('web: rolling update, 3 batches of 1');
    expect(t.containers().map((c) => `${c.name}:${c.image}:${c.state}`)).toEqual(['roll-web-1:web:2:running', 'roll-web-2:web:2:running', 'roll-web-3:web:2:running']);
    expect(t.run('plan', '--detailed-exitcode').code).toBe(0);
  }, 120_000);
});
