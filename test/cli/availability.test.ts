// A drain through the real binary on the sim driver, slowed (simulation latency on container.remove:
// the old container of a moving replica goes after the new one runs) to answer for it: kill -9
// half-way (the next apply converges: every replica exactly once, none on the drained machine),
// Ctrl-C (the running moves finish, exit 130), two applies at once (the apply lock: one drains, the
// other is refused naming it or finds nothing to do). A machine removed from the manifest is drained
// the same way before it leaves the swarm.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { background, type Background } from '../support/background.js';
import { cluster } from '../support/cli.js';
import { judge, race } from '../support/race.js';

const manifest = (w1: string, latency = '0ms') => `name: avail15
machines:
  m1: { driver: sim, role: manager }
  w1: { driver: sim, role: worker${w1} }
  w2: { driver: sim, role: worker }
simulation:
  latency: { container.remove: ${latency} }
services:
  web:
    image: busybox
    scale: 6
`;

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-avail-'));
  const file = join(dir, 'cluster.yml');
  const write = (w1: string, latency?: string) => writeFileSync(file, manifest(w1, latency));
  const run = (...args: string[]) => cluster([...args, '-f', file], { cwd: dir });
  const start = (...args: string[]) => background([...args, '-f', file], { cwd: dir });
  /** Machine of each replica of web, in replica order (a replica found twice shows twice). */
  const where = () =>
    (JSON.parse(run('status', '--json').stdout) as { containers: { replica: number; machine: string }[] }).containers
      .sort((a, b) => a.replica - b.replica || (a.machine < b.machine ? -1 : 1))
      .map((c) => `${c.replica}@${c.machine}`);
  return { dir, file, write, run, start, where };
}

/** Every replica 1..6 exactly once, none on w1. */
function drained(where: string[]): void {
  expect(where.map((w) => Number(w.split('@')[0]))).toEqual([1, 2, 3, 4, 5, 6]);
  expect(where.filter((w) => w.endsWith('@w1'))).toEqual([]);
}

let child: Background | undefined;
afterEach(async () => {
  await child?.stop('SIGKILL');
  child = undefined;
});

describe('availability: drain on the sim driver', () => {
  test('drain moves w1’s replicas, pause keeps them, active again moves nothing back', () => {
    const t = fresh();
    t.write('');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    expect(t.where().filter((w) => w.endsWith('@w1'))).toHaveLength(2);
    t.write(', availability: pause');
    const paused = t.run('plan');
    expect(paused.stdout).toContain('~   machine w1: availability active → pause (takes no new replicas)');
    expect(paused.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    t.write(', availability: drain');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    drained(t.where());
    expect(t.run('status').stdout).toMatch(/w1 +worker +ready +drain/);
    t.write('');
    const back = t.run('plan');
    expect(back.stdout).toContain('~   machine w1: availability drain → active (takes replicas again)');
    expect(back.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
  }, 60_000);

  test('kill -9 half-way through a drain: the next apply converges, every replica once, none on w1', async () => {
    const t = fresh();
    t.write('');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    t.write(', availability: drain', '5s');
    child = t.start('apply', '--auto-approve');
    await child.waitFor(/start {4}-\/\+ web #\d+/, 30_000);
    expect(await child.stop('SIGKILL')).toBeNull();
    child = undefined;
    // Killed between a move's create and its remove, a replica runs twice (new and old), never zero times.
    expect([...new Set(t.where().map((w) => Number(w.split('@')[0])))]).toEqual([1, 2, 3, 4, 5, 6]);
    t.write(', availability: drain');
    const again = t.run('apply', '--auto-approve');
    expect(again.code, again.stderr).toBe(0);
    drained(t.where());
    expect(t.run('plan', '--detailed-exitcode').code).toBe(0);
  }, 90_000);

  test('Ctrl-C during a drain: the running moves finish, exit 130; the next apply completes it', async () => {
    const t = fresh();
    t.write('');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    t.write(', availability: drain', '2s');
    child = t.start('apply', '--auto-approve');
    await child.waitFor(/start {4}-\/\+ web #\d+/, 30_000);
    expect(await child.stop('SIGINT')).toBe(130);
    expect(child.output()).toMatch(/done {5}-\/\+ web #\d+ \S+ on \S+ \(moves from w1: availability drain\)/);
    child = undefined;
    // Nothing lost, nothing twice: a moved replica is on its new machine, the others still on w1.
    expect(t.where().map((w) => Number(w.split('@')[0]))).toEqual([1, 2, 3, 4, 5, 6]);
    t.write(', availability: drain');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    drained(t.where());
  }, 90_000);

  test('two applies at once: one drains, the other is refused naming it or finds nothing to do', async () => {
    const t = fresh();
    t.write('');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    t.write(', availability: drain', '1s');
    const runs = await race([0, 1].map(() => ['apply', '--auto-approve', '-f', t.file]), { cwd: t.dir });
    const { winner } = judge(runs);
    expect(winner.output).toMatch(/availability active → drain/);
    drained(t.where());
  }, 90_000);

  test('a worker removed from the manifest: drained, its replicas moved, then it leaves and goes', () => {
    const t = fresh();
    t.write('');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    writeFileSync(t.file, manifest('').replace('  w1: { driver: sim, role: worker }\n', ''));
    const plan = t.run('plan', '--json');
    const actions = (JSON.parse(plan.stdout) as { actions: { id: string; after: string[] }[] }).actions;
    const leave = actions.find((a) => a.id === 'swarm.leave:w1')!;
    const moves = actions.filter((a) => a.id.startsWith('container.replace:web:')).map((a) => a.id);
    expect(moves).toHaveLength(2);
    expect(leave.after).toEqual(['machine.availability:w1', ...moves]);
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    drained(t.where());
    expect(JSON.parse(t.run('status', '--json').stdout).machines.map((m: { name: string }) => m.name)).toEqual(['m1', 'w2']);
  }, 60_000);
});
