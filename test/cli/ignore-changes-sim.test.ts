// x-cluster.ignore_changes on the sim driver end to end: its containers are lazy views whose id and
// labels are getters (src/providers/sim/facts.ts), and the plan's copy of a kept container must keep
// them (model/observed.ts copyContainer). A scale-down beside an ignored change removed nothing:
// the container.remove had no container id, and the sim took "no such container" for "already gone".
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

const manifest = (scale: number, a: string) =>
  `name: igsim\nmachines:\n  m: { driver: sim, count: 2, cpus: 2, memory: 4GiB }\nservices:\n  web:\n    image: busybox\n    scale: ${scale}\n    environment: { A: "${a}" }\n    x-cluster:\n      ignore_changes: [environment]\n`;

test('a scale-down beside an ignored environment change removes the replica, by its container id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-igsim-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, manifest(2, '1'));
  expect(cluster(['apply', '--auto-approve'], { cwd: dir }).code).toBe(0);

  writeFileSync(file, manifest(1, '2'));
  const plan = cluster(['plan', '--json'], { cwd: dir });
  const actions = JSON.parse(plan.stdout).actions as { kind: string; name?: string; containerId?: string }[];
  expect(actions).toEqual([expect.objectContaining({ kind: 'container.remove', name: 'igsim-web-2', containerId: expect.stringMatching(/^[0-9a-f]{64}$/) })]);

  const applied = cluster(['apply', '--auto-approve'], { cwd: dir });
  expect(applied.code, applied.stderr).toBe(0);
  const again = cluster(['plan', '--detailed-exitcode'], { cwd: dir });
  expect(again.code, again.stdout).toBe(0);
  expect(again.stdout).toMatch(/replica 1 differs from the manifest only in environment/);
  expect(readFileSync(join(dir, '.cluster', 'igsim.sim.json'), 'utf8')).not.toContain('igsim-web-2');
  expect(readFileSync(join(dir, '.cluster', 'igsim.sim.json'), 'utf8')).toContain('igsim-web-1');
});
