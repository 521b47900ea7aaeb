// Machine specs are state, through the real binary on the sim driver: a size changed in the manifest
// is planned as a resize (status shows the size the machine has until it has run), applied in place,
// and then no change. The resize is slowed (simulation latency) to answer for it: kill -9 half-way
// (a re-run compares again and resizes), Ctrl-C (the running resize finishes), two applies at once
// (the apply lock: one resizes, the other is refused or finds nothing to do).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { background, type Background } from '../support/background.js';
import { cluster } from '../support/cli.js';
import { judge, race } from '../support/race.js';

const GiB = 1024 ** 3;
const manifest = (size: string, resizeLatency = '0ms') => `name: specs15
machines:
  w: { driver: sim, count: 2, ${size} }
simulation:
  latency: { machine.resize: ${resizeLatency} }
services:
  web:
    image: busybox
    scale: 2
`;

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-specs-'));
  const file = join(dir, 'cluster.yml');
  const write = (size: string, latency?: string) => writeFileSync(file, manifest(size, latency));
  const run = (...args: string[]) => cluster([...args, '-f', file], { cwd: dir });
  const sizes = () => (JSON.parse(run('status', '--json').stdout) as { machines: { name: string; cpus: number; memory: number }[] }).machines.map((m) => [m.name, m.cpus, m.memory]);
  const start = (...args: string[]) => background([...args, '-f', file], { cwd: dir });
  return { dir, file, write, run, sizes, start };
}

let child: Background | undefined;
afterEach(async () => {
  await child?.stop('SIGKILL');
  child = undefined;
});

describe('machine specs on the sim driver', () => {
  test('a bigger size plans a resize, status keeps the real size until apply, then no changes', () => {
    const t = fresh();
    t.write('cpus: 1, memory: 1GiB');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    t.write('cpus: 4, memory: 8GiB');
    const plan = t.run('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('~   machine w-1: cpus 1 → 4, memory 1 GiB → 8 GiB');
    expect(plan.stdout).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');
    const json = JSON.parse(t.run('plan', '--json').stdout) as { actions: { id: string; kind: string; patch: unknown }[] };
    expect(json.actions.map((a) => a.id)).toEqual(['machine.resize:w-1', 'machine.resize:w-2']);
    expect(t.sizes()).toEqual([['w-1', 1, GiB], ['w-2', 1, GiB]]);
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    expect(t.sizes()).toEqual([['w-1', 4, 8 * GiB], ['w-2', 4, 8 * GiB]]);
    expect(t.run('plan', '--detailed-exitcode').code).toBe(0);
  }, 60_000);

  test('kill -9 during a resize: the next apply takes the lock over, compares again and resizes; then no changes', async () => {
    const t = fresh();
    t.write('cpus: 1, memory: 1GiB');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    t.write('cpus: 2, memory: 2GiB', '5s');
    child = t.start('apply', '--auto-approve');
    await child.waitFor(/start {4}~ machine w-/, 30_000);
    expect(await child.stop('SIGKILL')).toBeNull();
    child = undefined;
    expect(t.sizes()).toEqual([['w-1', 1, GiB], ['w-2', 1, GiB]]); // killed before it acted
    t.write('cpus: 2, memory: 2GiB');
    const again = t.run('apply', '--auto-approve');
    expect(again.code, again.stderr).toBe(0);
    expect(t.sizes()).toEqual([['w-1', 2, 2 * GiB], ['w-2', 2, 2 * GiB]]);
    expect(t.run('plan', '--detailed-exitcode').code).toBe(0);
  }, 90_000);

  test('Ctrl-C during a resize: the running resize finishes, exit 130, and the size is the new one', async () => {
    const t = fresh();
    t.write('cpus: 1, memory: 1GiB');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    t.write('cpus: 3, memory: 3GiB', '2s');
    child = t.start('apply', '--auto-approve');
    await child.waitFor(/start {4}~ machine w-/, 30_000, 2);
    expect(await child.stop('SIGINT')).toBe(130);
    expect(child.output()).toMatch(/done {5}~ machine w-1: cpus 1 → 3, memory 1 GiB → 3 GiB/);
    child = undefined;
    expect(t.sizes()).toEqual([['w-1', 3, 3 * GiB], ['w-2', 3, 3 * GiB]]);
    expect(t.run('plan', '--detailed-exitcode').code).toBe(0);
  }, 90_000);

  test('two applies at once: one resizes, the other is refused naming it or finds nothing to do', async () => {
    const t = fresh();
    t.write('cpus: 1, memory: 1GiB');
    expect(t.run('apply', '--auto-approve').code).toBe(0);
    t.write('cpus: 2, memory: 1GiB', '1s');
    const runs = await race([0, 1].map(() => ['apply', '--auto-approve', '-f', t.file]), { cwd: t.dir });
    const { winner } = judge(runs);
    expect(winner.output).toMatch(/done {5}~ machine w-2: cpus 1 → 2/);
    expect(t.sizes()).toEqual([['w-1', 2, GiB], ['w-2', 2, GiB]]);
  }, 90_000);
});
