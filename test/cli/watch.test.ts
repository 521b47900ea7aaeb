// Watch mode through the real binary on the sim driver: real file edits (valid, invalid, valid
// again) re-converge the cluster; an invalid edit keeps the last good manifest in force; Ctrl-C
// stops cleanly.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { background, type Background } from '../support/background.js';
import { cluster } from '../support/cli.js';

const manifest = (scale: string | number) => `name: w
machines:
  m: { driver: sim, count: 3, cpus: 2, memory: 4GiB }
services:
  bird:
    image: busybox
    scale: ${scale}
`;

let watcher: Background | undefined;
afterEach(async () => {
  await watcher?.stop('SIGKILL');
});

test('edits re-converge; an invalid edit is reported and the last good state stays; Ctrl-C stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-watch-'));
  const file = join(dir, 'cluster.yml');
  const birds = () => (JSON.parse(statusJson()) as { containers: { service: string; state: string }[] }).containers.filter((c) => c.service === 'bird' && c.state === 'running').length;
  const statusJson = () => {
    // status reads the cluster's state beside a manifest of the same name (the watched one may be invalid)
    writeFileSync(join(dir, 'status.yml'), manifest(0));
    const r = cluster(['status', '--json', '-f', join(dir, 'status.yml')], { cwd: dir });
    if (r.code !== 0) throw new Error(`status failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  writeFileSync(file, manifest(2));
  watcher = background(['watch', '-f', file, '--interval', '60'], { cwd: dir });
  await watcher.waitFor(/converged in/);
  expect(birds()).toBe(2);

  writeFileSync(file, manifest(5));
  await watcher.waitFor(/converged in/, 30_000, 2);
  expect(birds()).toBe(5);
  expect(watcher.output()).toMatch(/MACHINE\s+bird\n/); // the machines × services panel

  writeFileSync(file, manifest('lots'));
  await watcher.waitFor(/cluster\.yml:7:12: error: scale must be a whole number/);
  await watcher.waitFor(/keeping the last good one in force/);
  expect(birds()).toBe(5);

  writeFileSync(file, manifest(1));
  await watcher.waitFor(/converged in/, 30_000, 3);
  expect(birds()).toBe(1);

  expect(await watcher.stop('SIGINT')).toBe(130);
  expect(watcher.output()).toContain('stopping');
});
