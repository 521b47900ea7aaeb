// The live view and plain progress through the binary (issue 17 point 5). Plain mode (piped): every
// progress line carries `[n/N]`, n never goes back and ends at N, retries are lines of their own. At a
// real terminal (a pty from util-linux's `script`, as test/cli/colour.test.ts): the ink view's last
// frame counts exactly what the summary under it says, and no time shown is negative.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BIN, clusterAsync } from '../support/cli.js';

const example = readFileSync(join(import.meta.dirname, '../../cluster.example.yml'), 'utf8').replaceAll('driver: docker', 'driver: sim');

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-live-'));
  writeFileSync(join(dir, 'cluster.yml'), example);
  return dir;
}

/** At a pty 120 columns wide (a pty made by `script` without a terminal above it has none), without CI. */
function atTerminal(dir: string, args: string[], env: Record<string, string>): Promise<string> {
  const base: Record<string, string | undefined> = { ...process.env, TERM: 'xterm', ...env };
  delete base.CI;
  const command = `stty cols 120 rows 40; ${[process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: dir, env: base as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'], timeout: 120_000 });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

// eslint-disable-next-line no-control-regex
const plainText = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
const NEGATIVE_TIME = /-\d+(\.\d+)? (ms|s)\b/;

describe('plain progress through the binary', () => {
  test('[n/N] on every line, n never goes back and ends at N; retries shown', async () => {
    const dir = freshDir();
    // Latency so actions overlap; a seeded failure rate so the walk retries (deterministic per seed).
    const r = await clusterAsync(['apply', '--auto-approve'], { cwd: dir, env: { CLUSTER_SIM_LATENCY_MS: '20', CLUSTER_SIM_FAILURE_RATE: '0.15' } });
    const lines = r.stderr.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{3} \[/.test(l));
    const total = Number(/Plan: (\d+) to add/.exec(r.stdout)![1]);
    const ns = lines.map((l) => {
      const m = /^\d\d:\d\d:\d\d\.\d{3} \[ *(\d+)\/(\d+)\] (start|retry|done|FAILED|skipped) {2,}/.exec(l);
      expect(m, l).not.toBeNull();
      expect(Number(m![2])).toBe(total);
      return Number(m![1]);
    });
    expect(ns.every((n, i) => i === 0 || n >= ns[i - 1]!)).toBe(true);
    const settled = lines.filter((l) => / (done|FAILED|skipped) {2,}/.test(l)).length;
    expect(ns.at(-1)).toBe(settled);
    expect(lines.some((l) => / retry {4}.*attempt \d failed: simulated fault/.test(l))).toBe(true);
    if (r.code === 0) {
      expect(settled).toBe(total);
      expect(r.stderr).toContain(`Apply complete: ${total} actions`);
    }
    expect(r.stderr).not.toMatch(NEGATIVE_TIME);
  });
});

describe('the ink view at a terminal', () => {
  test('its last frame counts what the summary says; no negative time; a bar with ETA while it runs', async () => {
    const dir = freshDir();
    const out = plainText(await atTerminal(dir, ['apply', '--auto-approve'], { CLUSTER_SIM_LATENCY_MS: '30' }));
    const summary = /Apply complete: (\d+) actions in (.+?)\. /.exec(out);
    expect(summary, out.slice(-3000)).not.toBeNull();
    const [, n, took] = summary!;
    const before = out.slice(0, summary!.index).split('\n').map((l) => l.trimEnd()).filter(Boolean);
    expect(before.at(-1)).toBe(`${n} done · 0 failed · 0 skipped · 0 running · 0 pending`);
    expect(before.at(-2)).toMatch(new RegExp(`\\] ${n}/${n} 100% · took ${took!.replace('.', '\\.')}$`));
    expect(out).toMatch(/\] \d+\/\d+ \d+% · .* elapsed · ETA/); // frames while it ran
    expect(out).not.toMatch(NEGATIVE_TIME);
  });
});

describe('a 200-machine cluster through the binary', () => {
  const manifest = `name: flock
machines:
  manager: { driver: sim, role: manager, cpus: 2, memory: 4GiB }
  worker: { driver: sim, count: 199, role: worker, cpus: 2, memory: 4GiB }
services:
  bird: { image: busybox:latest, command: sleep 86400, scale: 400 }
`;

  test('plan is compact by default with a line saying how to see all; --full lists each; --json has every action', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-live-'));
    writeFileSync(join(dir, 'cluster.yml'), manifest);
    const compact = await clusterAsync(['plan'], { cwd: dir });
    expect(compact.code).toBe(0);
    expect(compact.stdout).toContain('+   bird: 400 replicas on 200 machines (worker 398, manager 2)');
    expect(compact.stdout).toMatch(/\(\d[\d,]* actions summarised per service and machine group: `cluster plan --full` lists each/);
    const full = await clusterAsync(['plan', '--full'], { cwd: dir });
    expect(full.stdout.split('\n').filter((l) => /\+ +bird #\d+ flock-bird-\d+ on /.test(l))).toHaveLength(400);
    const json = JSON.parse((await clusterAsync(['plan', '--json', '--compact'], { cwd: dir })).stdout) as { actions: { kind: string }[] };
    expect(json.actions.filter((a) => a.kind === 'container.create')).toHaveLength(400);
    const both = await clusterAsync(['plan', '--compact', '--full'], { cwd: dir });
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--compact and --full contradict each other');
  });

  test('after the apply: the state per machine group and service, and a hint to cluster status', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-live-'));
    writeFileSync(join(dir, 'cluster.yml'), manifest);
    const r = await clusterAsync(['apply', '--auto-approve'], { cwd: dir });
    expect(r.code).toBe(0);
    const after = r.stdout.slice(r.stdout.lastIndexOf('cluster "flock" (simulated: sim driver)'));
    expect(after.split('\n').length).toBeLessThan(20);
    expect(after).toMatch(/^worker +199\/199 +398 /m);
    expect(after).toMatch(/^bird +400\/400 +200$/m);
    expect(after).toContain('200 machines and 400 containers in all: `cluster status` shows every one');
  });
});
