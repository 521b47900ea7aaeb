// ps, show, logs and exec through the binary on the sim driver: ps lists the replicas and the swarm
// services' task counts; show prints a saved plan (as terraform show) or the status; logs and exec
// say why simulated containers have nothing to show or run, and every bad input is one clear line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { clusterAsync } from '../support/cli.js';

const MANIFEST = `name: appsim
machines:
  mgr: { driver: sim, role: manager }
  w: { driver: sim, role: worker, count: 2 }
services:
  web: { image: nginx:1.25, scale: 3, ports: ["8080:80"] }
  api: { image: nginx:1.25, mode: swarm, scale: 2 }
`;

describe('ps, show, logs, exec on the sim driver', () => {
  let dir: string;
  const run = (command: string, ...args: string[]) => clusterAsync([command, command === 'logs' ? '--file' : '-f', join(dir, 'cluster.yml'), ...args], { cwd: dir });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cluster-app-'));
    writeFileSync(join(dir, 'cluster.yml'), MANIFEST);
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
  });

  test('ps: one row per replica with machine, state and published port; swarm task counts; --json', async () => {
    const text = await run('ps');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('simulated');
    expect(text.stdout).toMatch(/^appsim-web-3\s+web\s+3\s+\S+\s+running\s+0\.0\.0\.0:8080->80\/tcp$/m);
    expect(text.stdout).toMatch(/^api\s+appsim_api\s+2\/2$/m);
    const doc = JSON.parse((await run('ps', '--json')).stdout);
    expect(doc.format_version).toBe('1.0');
    expect(doc.containers.map((c: { replica: number }) => c.replica)).toEqual([1, 2, 3]);
    expect(new Set(doc.containers.map((c: { machine: string }) => c.machine)).size).toBe(3);
  });

  test('show FILE prints the saved plan as text, --json the saved document; show without a file is the status', async () => {
    writeFileSync(join(dir, 'cluster.yml'), `${MANIFEST}  extra: { image: nginx:1.25 }\n`);
    try {
      expect((await run('plan', '-o', join(dir, 'more.plan'))).code).toBe(0);
      const text = await run('show', join(dir, 'more.plan'));
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain('+   extra #1 appsim-extra-1 on mgr');
      expect(text.stdout).toMatch(/Plan: 1 to add, 0 to change, 0 to destroy\./);
      const json = await run('show', join(dir, 'more.plan'), '--json');
      expect(JSON.parse(json.stdout)).toEqual(JSON.parse(readFileSync(join(dir, 'more.plan'), 'utf8')));
      const status = await run('show');
      expect(status.stdout).toMatch(/^MACHINE\s+DRIVER/m);
    } finally {
      writeFileSync(join(dir, 'cluster.yml'), MANIFEST);
    }
  });

  test('a cluster made by a version without compose/stack labels plans no change for them (they are outside every hash)', async () => {
    const stateFile = join(dir, '.cluster/appsim.sim.json');
    const state = readFileSync(stateFile, 'utf8');
    expect(state).toContain('"com.docker.compose.project":"appsim"');
    expect(state).toContain('"com.docker.stack.namespace":"appsim"');
    // What an earlier version left: the same objects without any com.docker.* label.
    const strip = (x: unknown): unknown =>
      Array.isArray(x) ? x.map(strip) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).filter(([k]) => !k.startsWith('com.docker.')).map(([k, v]) => [k, strip(v)])) : x;
    writeFileSync(stateFile, JSON.stringify(strip(JSON.parse(state))));
    try {
      const plan = await run('plan', '--detailed-exitcode');
      expect([plan.code, plan.stdout]).toEqual([0, expect.stringContaining('No changes.')]);
    } finally {
      writeFileSync(stateFile, state);
    }
  });

  test('show refuses a file that is not a saved plan, in one line', async () => {
    writeFileSync(join(dir, 'not.plan'), '{"hello": 1}');
    const r = await run('show', join(dir, 'not.plan'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a saved plan of cluster');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('logs and exec on simulated containers say why there is nothing; unknown service and bad options are errors', async () => {
    const logs = await run('logs', 'web');
    expect([logs.code, logs.stdout]).toEqual([1, '']);
    expect(logs.stderr).toContain('simulated (sim driver): its containers run no processes');
    const exec = await run('exec', 'web#2', '--', 'ls');
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain('simulated');
    const unknown = await run('logs', 'nope');
    expect(unknown.stderr).toBe(`error: no service named nope in ${join(dir, 'cluster.yml')}; services: web, api\n`);
    const since = await run('logs', 'web', '--since', 'yesterday-ish');
    expect(since.code).toBe(1);
    expect(since.stderr).toContain('a duration like 10m or 2h, or a time like');
    const ref = await run('exec', 'web#0', '--', 'ls');
    expect(ref.stderr).toContain('write SERVICE or SERVICE#N');
  });
});
