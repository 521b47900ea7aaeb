// Ctrl-C and SIGTERM through the real binary on the sim driver, with real signals and simulated
// latency so the runs are long enough to interrupt: the first signal starts nothing new, lets what
// runs finish, reports what was done and what was not, releases the lock and exits 130 (SIGINT) or
// 143 (SIGTERM); a second SIGINT quits at once, still releasing the lock; the next apply converges.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { background, type Background } from '../support/background.js';
import { cluster } from '../support/cli.js';

const REPLICAS = 120;
const manifest = `name: sig
machines:
  m: { driver: sim, count: 4, cpus: 64, memory: 64GiB }
services:
  web:
    image: busybox
    scale: ${REPLICAS}
`;

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-signals-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, manifest);
  const run = (args: string[]) => cluster([...args, '-f', file], { cwd: dir });
  const start = (args: string[], latencyMs: number) => background([...args, '-f', file], { cwd: dir, env: { CLUSTER_SIM_LATENCY_MS: String(latencyMs) } });
  const lockFiles = () => readdirSync(join(dir, '.cluster')).filter((f) => /lock/.test(f));
  /** Released: the file is gone, and an apply that does not wait for locks converges. */
  const convergesAfter = () => {
    expect(lockFiles()).toEqual([]);
    const again = run(['apply', '--auto-approve']);
    expect(again.stderr).not.toMatch(/locked/);
    expect(again.code).toBe(0);
    const status = JSON.parse(run(['status', '--json']).stdout) as { containers: { state: string }[] };
    expect(status.containers.filter((c) => c.state === 'running')).toHaveLength(REPLICAS);
    expect(run(['plan', '--detailed-exitcode']).code).toBe(0);
  };
  return { dir, run, start, convergesAfter };
}

let child: Background | undefined;
afterEach(async () => {
  await child?.stop('SIGKILL');
  child = undefined;
});

const lines = (text: string) => text.split('\n');

describe('apply: the first signal', () => {
  test('SIGINT: nothing starts after it, running actions finish, the report counts done and not started, exit 130, lock released', async () => {
    const t = fresh();
    child = t.start(['apply', '--auto-approve'], 150);
    await child.waitFor(/done .* web #/, 30_000, 8);
    const code = await child.stop('SIGINT');
    const out = child.output();
    expect(code).toBe(130);

    const all = lines(out);
    const signalAt = all.findIndex((l) => l.startsWith('SIGINT: stopping'));
    expect(signalAt).toBeGreaterThan(0);
    // stderr is written synchronously, so line order is event order: no start after the signal.
    expect(all.slice(signalAt).filter((l) => / start {4}/.test(l))).toEqual([]);
    // every action that started also finished: the running ones were let finish
    const started = all.filter((l) => / start {4}/.test(l)).length;
    expect(all.filter((l) => / done {5}/.test(l)).length).toBe(started);
    expect(out).toMatch(/stopping: nothing new starts; \d+ running actions? may take up to 60\.0 s to finish/);
    const summary = /Apply stopped \(SIGINT\): (\d+) done, 0 failed, 0 skipped because of a failure, (\d+) not started/.exec(out);
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBe(started);
    expect(Number(summary![2])).toBeGreaterThan(0);
    expect(out).toMatch(/ {2}not started: container\.create:web:\d+/);
    expect(out).not.toMatch(/Apply complete/);

    t.convergesAfter();
  }, 90_000);

  test('SIGTERM with --json: a stopping event, no start event after it, a summary naming what was not started, exit 143', async () => {
    const t = fresh();
    child = t.start(['apply', '--auto-approve', '--json'], 150);
    await child.waitFor(/"type":"done","ms":\d+,"action":"container\.create/, 30_000, 8);
    expect(await child.stop('SIGTERM')).toBe(143);

    const events = lines(child.output())
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; action?: string; running?: string[]; not_started?: string[]; done?: string[]; stopped_by?: string; result?: string });
    const stopAt = events.findIndex((e) => e.type === 'stopping');
    expect(stopAt).toBeGreaterThan(0);
    expect(events.slice(stopAt).filter((e) => e.type === 'start')).toEqual([]);
    const running = new Set(events[stopAt]!.running);
    expect([...running].every((id) => events.slice(stopAt).some((e) => e.type === 'done' && e.action === id))).toBe(true);
    const summary = events.find((e) => e.type === 'summary')!;
    expect(summary).toMatchObject({ result: 'stopped', stopped_by: 'SIGTERM' });
    expect(summary.not_started!.length).toBeGreaterThan(0);
    expect(summary.done!.length).toBe(events.filter((e) => e.type === 'start').length);
    expect(child.output()).toContain('SIGTERM: stopping');

    t.convergesAfter();
  }, 90_000);
});

describe('apply: a second SIGINT', () => {
  test('quits at once without waiting for running actions, still releasing the lock; the next apply converges', async () => {
    const t = fresh();
    // Every call takes 2.5 s: the first signal alone would wait seconds for the running ones.
    child = t.start(['apply', '--auto-approve'], 2_500);
    await child.waitFor(/ start /, 30_000);
    child.child.kill('SIGINT');
    await child.waitFor(/SIGINT: stopping/, 5_000);
    const second = performance.now();
    expect(await child.stop('SIGINT')).toBe(130);
    expect(performance.now() - second).toBeLessThan(2_500);
    expect(child.output()).toContain('SIGINT again: quitting now, releasing the lock');
    expect(child.output()).not.toMatch(/Apply stopped/);

    t.convergesAfter();
  }, 90_000);
});

describe('apply: bounds', () => {
  test('running actions that outlast --grace-period are named as still running; exit 130, lock released', async () => {
    const t = fresh();
    child = t.start(['apply', '--auto-approve', '--grace-period', '1s'], 2_500);
    await child.waitFor(/ start /, 30_000);
    const stopped = performance.now();
    expect(await child.stop('SIGINT')).toBe(130);
    expect(performance.now() - stopped).toBeLessThan(3_500);
    expect(child.output()).toMatch(/Apply stopped \(SIGINT\): 0 done, 0 failed, 0 skipped because of a failure, \d+ not started, [1-4] still running when the grace period ended/);
    expect(child.output()).toMatch(/ {2}still running \(outcome unknown\): machine\.create:m-\d/);
    t.convergesAfter();
  }, 60_000);

  test('Ctrl-C while waiting for another apply\'s lock stops at once and leaves the holder alone', async () => {
    const t = fresh();
    const holder = t.start(['apply', '--auto-approve'], 400);
    child = holder;
    await holder.waitFor(/ start /, 30_000);
    const waiter = t.start(['apply', '--auto-approve', '--lock-timeout', '5m'], 0);
    try {
      await waiter.waitFor(/waiting for the lock/, 30_000);
      const stopped = performance.now();
      expect(await waiter.stop('SIGINT')).toBe(130);
      // not the 5 minutes: at most the 2 s a lock the wait might still win gets to be released
      expect(performance.now() - stopped).toBeLessThan(4_000);
      expect(waiter.output()).not.toMatch(/ start /);
      expect(holder.child.exitCode).toBeNull(); // the holder still runs, its lock untouched
    } finally {
      await waiter.stop('SIGKILL');
    }
    expect(await holder.stop('SIGINT')).toBe(130);
    t.convergesAfter();
  }, 90_000);
});

describe('apply: its output closed (`cluster apply --json | head -3`)', () => {
  test('stops as on SIGTERM: nothing new starts, the lock is released, exit 141 (SIGPIPE), never a crash', async () => {
    const t = fresh();
    child = t.start(['apply', '--auto-approve', '--json'], 150);
    await child.waitFor(/"type":"done"/, 30_000, 3);
    child.child.stdout!.destroy(); // the reader went away: the next write meets EPIPE
    expect(await child.exited()).toBe(141);
    expect(child.output()).toContain('the output was closed: the run stopped early');
    expect(child.output()).not.toMatch(/Error: write EPIPE|at .*\.js:\d+/);
    t.convergesAfter();
  }, 90_000);
});

describe('watch', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`${signal} stops watch with exit ${code}, never 0, and releases the lock`, async () => {
      const t = fresh();
      child = t.start(['watch', '--interval', '60'], 0);
      await child.waitFor(/converged in/, 30_000);
      expect(await child.stop(signal)).toBe(code);
      expect(child.output()).toContain(`${signal}: stopping`);
      t.convergesAfter();
    }, 60_000);
  }

  test('SIGINT during a run: nothing new starts, the run reports itself stopped, exit 130', async () => {
    const t = fresh();
    child = t.start(['watch', '--interval', '60'], 150);
    await child.waitFor(/done .* web #/, 30_000, 4);
    expect(await child.stop('SIGINT')).toBe(130);
    const all = lines(child.output());
    const signalAt = all.findIndex((l) => l.startsWith('SIGINT: stopping'));
    expect(all.slice(signalAt).filter((l) => / start {4}/.test(l))).toEqual([]);
    expect(child.output()).toMatch(/stopped \(SIGINT\): \d+ done, 0 failed, \d+ not started/);
    t.convergesAfter();
  }, 90_000);
});
