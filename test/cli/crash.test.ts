// Pipelines and bad hands on the sim driver (with latency, so runs take long enough to interrupt):
// kill -9 at several points of an apply, then a new apply takes the crashed run's stale lock over
// (naming it) and converges with no duplicates; a second apply waits for the first.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { background } from '../support/background.js';
import { cluster, clusterAsync } from '../support/cli.js';

const example = readFileSync(join(import.meta.dirname, '../../cluster.example.yml'), 'utf8').replaceAll('driver: docker', 'driver: sim');

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-crash-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, example);
  const run = (args: string[], env: Record<string, string> = {}) => cluster([...args, '-f', file], { cwd: dir, env });
  return { dir, file, run };
}

describe('crash safety and locking', () => {
  for (const killAfterMs of [0, 400, 900, 1700]) {
    test(`kill -9 ${killAfterMs} ms into the run, apply again: the stale lock is taken over, converged, nothing duplicated`, async () => {
      const { dir, file, run } = fresh();
      const a = background(['apply', '--auto-approve', '-f', file], { cwd: dir, env: { CLUSTER_SIM_LATENCY_MS: '250' } });
      await a.waitFor(/start /, 20_000);
      await new Promise((r) => setTimeout(r, killAfterMs));
      await a.stop('SIGKILL');

      // No person needed: the dead run's lock is stale, the next apply replaces it and says whose it was.
      const again = run(['apply', '--auto-approve']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(new RegExp(`replaced the stale lock \\w+ of .* pid ${a.child.pid} \\(apply\\) .*: its process ${a.child.pid} on this host is gone`));
      expect(run(['plan', '--detailed-exitcode']).code).toBe(0);
      const status = JSON.parse(run(['status', '--json']).stdout) as { machines: unknown[]; containers: { name: string; state: string }[] };
      expect(status.machines).toHaveLength(3);
      const names = status.containers.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toHaveLength(13);
      expect(status.containers.every((c) => c.state === 'running')).toBe(true);
    }, 60_000);
  }

  test('a second apply fails at once while the first runs, or waits with --lock-timeout', async () => {
    const { dir, file, run } = fresh();
    // Slow enough that the first apply still runs after the refused apply and the plan below.
    const a = background(['apply', '--auto-approve', '-f', file], { cwd: dir, env: { CLUSTER_SIM_LATENCY_MS: '600' } });
    await a.waitFor(/start /, 20_000);
    const now = run(['apply', '--auto-approve']);
    expect(now.code).toBe(1);
    expect(now.stderr).toMatch(/the cluster is locked by .* since /);
    expect(run(['plan']).code).not.toBe(1); // plan takes no lock
    const waited = await clusterAsync(['apply', '--auto-approve', '--lock-timeout', '60s', '-f', file], { cwd: dir }); // waits seconds
    expect(waited.stderr).toContain('waiting for the lock');
    expect(waited.code).toBe(0);
    expect(await a.stop()).toBe(0);
    expect(run(['plan', '--detailed-exitcode']).code).toBe(0);
  }, 90_000);
});
