// `cluster status --html/--svg` through the binary on a sim cluster: the files it writes, the
// unschedulable replicas it calls out (those `cluster plan` lists), and its errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { compactRanges } from '../../src/ui/status.js';
import { cluster } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cluster-picture-'));
const file = join(dir, 'cluster.yml');
const run = (...args: string[]) => cluster([...args, '-f', file], { cwd: dir });

beforeAll(() => {
  writeFileSync(
    file,
    `name: picture
machines:
  boss: { driver: sim, role: manager, cpus: 2, memory: 4GiB }
  m: { driver: sim, count: 3, role: worker, labels: { zone: "<eu>" }, cpus: 2, memory: 4GiB }
services:
  web: { image: busybox, scale: 4 }
  huge: { image: busybox, scale: 2, deploy: { resources: { reservations: { cpus: "8" } } } }
`,
  );
  // huge cannot be placed: apply does the rest and exits 1
  const applied = run('apply', '--auto-approve');
  expect(applied.code).toBe(1);
  expect(applied.stderr).toMatch(/Apply complete[^]*2 replica\(s\) could not be placed/);
  // one more web replica than runs: the picture shows it as one the plan would create
  writeFileSync(file, readFileSync(file, 'utf8').replace('scale: 4', 'scale: 5'));
});

test('--html and --svg write the picture, say so on stderr, and print no table', () => {
  const r = run('status', '--html', 'c.html', '--svg', 'c.svg');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    ['c.html', 'c.svg'].map((f) => `Wrote the picture of cluster "picture" (4 machines, 4 replicas, 2 unschedulable) to ${f}\n`).join(''),
  );
  const html = readFileSync(join(dir, 'c.html'), 'utf8');
  const svg = readFileSync(join(dir, 'c.svg'), 'utf8');
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain(svg.trim());
  expect(svg.match(/<g class="machine" data-machine="(boss|m-\d)">/g)).toHaveLength(4);
  expect(svg).toContain('zone=&lt;eu&gt;');
  expect(svg.match(/<title>web #\d: running<\/title>/g)).toHaveLength(4);
  expect(svg).toMatch(/<title>web #5: to create<\/title>/);
});

test('the unschedulable replicas called out are those `cluster plan` lists, with its sentence', () => {
  const plan = JSON.parse(run('plan', '--json').stdout) as { unschedulable: { service: string; replicas: number[]; summary: string }[] };
  expect(plan.unschedulable.map((u) => u.service)).toEqual(['huge']);
  run('status', '--svg', 'u.svg');
  const svg = readFileSync(join(dir, 'u.svg'), 'utf8');
  for (const u of plan.unschedulable) expect(svg).toContain(`${u.service} ${compactRanges(u.replicas)}: ${u.summary}`);
});

test('--json with --html prints the status JSON as well', () => {
  const r = run('status', '--json', '--html', 'j.html');
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ format_version: '1.0', cluster: 'picture' });
});

test('a file that cannot be written is a clear error, exit 1', () => {
  const r = run('status', '--html', join(dir, 'no-such-folder', 'c.html'));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`error: cannot write the picture to ${join(dir, 'no-such-folder', 'c.html')}: its folder does not exist`);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const folder = run('status', '--svg', dir);
  expect(folder.code).toBe(1);
  expect(folder.stderr).toContain('it is a folder');
});
