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

test('each re-plan prints as `cluster plan` does by default: compact above COMPACT_ABOVE actions, every action below; a long state is summed up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-watch-compact-'));
  const file = join(dir, 'cluster.yml');
  const big = (scale: number) => `name: wcompact\nmachines:\n  m: { driver: sim, count: 50 }\nservices:\n  bird:\n    image: busybox\n    scale: ${scale}\n`;
  writeFileSync(file, big(400));
  watcher = background(['watch', '-f', file, '--interval', '60'], { cwd: dir });
  await watcher.waitFor(/converged in/, 60_000);
  // 50 machines + 50 images + 400 replicas: one line per kind of change, not 500 action lines
  expect(watcher.output()).toMatch(/^\s+\+\s+bird: 400 replicas on 50 machines of m$/m);
  // the state after it: 50 machines are summed up per machine group, as apply does past 40 lines
  // (written after the "converged in" line, possibly in a later chunk: waited for, not read at once)
  await watcher.waitFor(/^MACHINE GROUP\s+MACHINES RUNNING/m, 30_000);
  expect(watcher.output()).not.toMatch(/^MACHINE\s+bird$/m);

  writeFileSync(file, big(800)); // a re-plan of 400 actions: compact again
  await watcher.waitFor(/converged in/, 60_000, 2);
  expect(watcher.output()).toMatch(/# service bird \(800 replicas on 50 machines after apply\)\n\s+\+\s+bird: 400 replicas on 50 machines of m\n/);

  writeFileSync(file, big(801)); // one action: listed in full
  await watcher.waitFor(/converged in/, 60_000, 3);
  expect(watcher.output()).toMatch(/^\s+\+\s+bird #801 wcompact-bird-801 on m-\d+ \(replica 801 of 801\)$/m);
  // no plan (as opposed to progress lines, which start with a time) ever listed replicas one by one before
  expect(watcher.output().match(/^\s+\+\s+bird #\d+ /gm)).toHaveLength(1);
  expect(await watcher.stop('SIGINT')).toBe(130);
}, 180_000);

test('watch takes apply\'s flags where they mean the same (--rebalance), and refuses --adopt rather than ignoring it', () => {
  expect(cluster(['watch', '--help']).stdout).toMatch(/--rebalance/);
  const dir = mkdtempSync(join(tmpdir(), 'cluster-watch-adopt-'));
  writeFileSync(join(dir, 'cluster.yml'), manifest(1));
  const r = cluster(['apply', '--watch', '--adopt'], { cwd: dir });
  expect([r.code, r.stdout]).toEqual([1, '']);
  expect(r.stderr).toBe('error: apply --watch does not adopt: --adopt takes another checkout over once\n  hint: run `cluster apply --adopt` once, then `cluster watch`\n');
});
