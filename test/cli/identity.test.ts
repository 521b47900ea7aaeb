// The checkout's identity through the CLI on the sim driver: plan writes nothing; the first apply
// makes .cluster/<cluster>.identity and labels what it makes with it; later runs keep it.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

test('plan makes no identity; apply makes one, labels its containers with it, and keeps it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-identity-cli-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, `name: simid\nmachines:\n  solo: { driver: sim }\nservices:\n  bird:\n    image: busybox:latest\n    scale: 2\n`);
  const idFile = join(dir, '.cluster', 'simid.identity');
  expect(cluster(['plan', '-f', file], { cwd: dir }).code).toBe(0);
  expect(existsSync(idFile)).toBe(false);
  const applied = cluster(['apply', '--auto-approve', '-f', file], { cwd: dir });
  expect(applied.code, applied.stderr).toBe(0);
  const id = readFileSync(idFile, 'utf8').trim();
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  expect(readFileSync(join(dir, '.cluster', 'simid.sim.json'), 'utf8')).toContain(`"io.cluster.id":"${id}"`);
  writeFileSync(file, `name: simid\nmachines:\n  solo: { driver: sim }\nservices:\n  bird:\n    image: busybox:latest\n    scale: 3\n`);
  expect(cluster(['apply', '--auto-approve', '-f', file], { cwd: dir }).code).toBe(0);
  expect(readFileSync(idFile, 'utf8').trim()).toBe(id);
  expect(cluster(['plan', '--detailed-exitcode', '-f', file], { cwd: dir }).code).toBe(0); // its own containers: no change
  // Nothing of another checkout here: --adopt says so instead of pretending.
  const adopt = cluster(['plan', '--adopt', '-f', file], { cwd: dir });
  expect(adopt.code).toBe(1);
  expect(adopt.stderr).toMatch(/--adopt: no object of cluster "simid" carries another checkout's identity/);
});

test('a saved plan applied as another checkout is refused, nothing changed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-identity-saved-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, `name: simsaved\nmachines:\n  solo: { driver: sim }\nservices:\n  bird:\n    image: busybox:latest\n    scale: 1\n`);
  expect(cluster(['apply', '--auto-approve', '-f', file], { cwd: dir }).code).toBe(0);
  const idFile = join(dir, '.cluster', 'simsaved.identity');
  const id = readFileSync(idFile, 'utf8').trim();
  writeFileSync(file, `name: simsaved\nmachines:\n  solo: { driver: sim }\nservices:\n  bird:\n    image: busybox:latest\n    scale: 2\n`);
  const saved = join(dir, 'saved.plan');
  expect(cluster(['plan', '-o', saved, '-f', file], { cwd: dir }).code).toBe(0);
  expect(JSON.parse(readFileSync(saved, 'utf8')).identity).toEqual({ id, adopted: false });
  const other = 'e'.repeat(32);
  writeFileSync(idFile, `${other}\n`); // this folder is now another checkout (as after an --adopt)
  const r = cluster(['apply', saved], { cwd: dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`is stale: it was made as checkout ${id} of cluster "simsaved", and this folder is now checkout ${other}`);
  writeFileSync(idFile, `${id}\n`);
  const count = () => (JSON.parse(cluster(['status', '--json', '-f', file], { cwd: dir }).stdout) as { containers: unknown[] }).containers.length;
  expect(count()).toBe(1);
  expect(cluster(['apply', saved], { cwd: dir }).code).toBe(0);
  expect(count()).toBe(2);
});
