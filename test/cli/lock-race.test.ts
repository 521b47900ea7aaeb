// Two applies started at the same instant on the sim driver (file lock in .cluster/), slowed down
// with CLUSTER_SIM_LATENCY_MS so the runs overlap: exactly one acts, every time. A lock file an
// earlier version's crash left empty neither blocks forever nor hides from `unlock`.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cluster } from '../support/cli.js';
import { judge, race } from '../support/race.js';

const manifest = (scale: number) => `name: simrace\nmachines:\n  solo: { driver: sim }\nservices:\n  bird:\n    image: busybox:latest\n    scale: ${scale}\n`;

test('two applies at once, 10 times: one acts, the other is refused naming it or waits and finds nothing to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-lock-race-'));
  const file = join(dir, 'cluster.yml');
  const env = { CLUSTER_SIM_LATENCY_MS: '150' };
  writeFileSync(file, manifest(1));
  expect(cluster(['apply', '--auto-approve', '-f', file], { cwd: dir }).code).toBe(0);
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const scale = i % 2 ? 2 : 4;
    writeFileSync(file, manifest(scale));
    const wait = i >= 5 ? ['--lock-timeout', '1m'] : [];
    const runs = await race([0, 1].map(() => ['apply', '--auto-approve', ...wait, '-f', file]), { cwd: dir, env });
    const { how } = judge(runs);
    seen.push(how);
    if (wait.length) expect(how).not.toBe('refused');
    expect(existsSync(join(dir, '.cluster/simrace.lock.json'))).toBe(false);
    const status = JSON.parse(cluster(['status', '--json', '-f', file], { cwd: dir }).stdout) as { containers: { name: string }[] };
    expect(status.containers.map((c) => c.name).sort()).toEqual(Array.from({ length: scale }, (_, n) => `simrace-bird-${n + 1}`).sort());
  }
  // The runs really overlapped: refusals without --lock-timeout, waits with it.
  expect(seen.slice(0, 5)).toContain('refused');
  expect(seen.slice(5)).toContain('waited');
  expect(readdirSync(join(dir, '.cluster')).filter((f) => f.startsWith('simrace.lock.json'))).toEqual([]);
}, 120_000);

test('an empty lock file (crash of an earlier version): unlock shows and removes it; apply replaces it, saying so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-lock-empty-'));
  const file = join(dir, 'cluster.yml');
  const lock = join(dir, '.cluster/simrace.lock.json');
  writeFileSync(file, manifest(1));
  const run = (...args: string[]) => cluster([...args, '-f', file], { cwd: dir });
  const crashed = () => {
    mkdirSync(join(dir, '.cluster'), { recursive: true });
    writeFileSync(lock, '');
    const then = new Date(Date.now() - 60_000);
    utimesSync(lock, then, then);
  };
  crashed();
  const shown = run('unlock');
  expect(shown.code).toBe(1);
  expect(shown.stderr).toMatch(/unreadable lock .*stale: it is empty or unreadable \(left by a crash\)/);
  const forced = run('unlock', '--force');
  expect(forced.code, forced.stderr).toBe(0);
  expect(existsSync(lock)).toBe(false);
  expect(run('unlock').stderr).toContain('is not locked');

  crashed();
  const r = run('apply', '--auto-approve');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/replaced the stale unreadable lock .*: it is empty or unreadable/);
  expect(existsSync(lock)).toBe(false);
});
