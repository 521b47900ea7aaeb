// The knobs README.md documents under "Knobs": `count:`, `simulation:` (a misspelt kind is an error,
// without a sim machine a warning), CLUSTER_SIM_* (out of range: an error), CLUSTER_DEBUG (a stack trace
// for an unexpected error only). Through the binary, on the sim driver.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

function folder(manifest: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-knobs-'));
  writeFileSync(join(dir, 'cluster.yml'), manifest);
  return dir;
}
const STACK = /\n\s+at .*\(.*:\d+:\d+\)/;

test('count: N makes machines <key>-1 .. <key>-N', () => {
  const dir = folder('name: k\nmachines:\n  w: { driver: sim, count: 3 }\n');
  const plan = JSON.parse(cluster(['plan', '--json'], { cwd: dir }).stdout) as { actions: { kind: string; machine?: string }[] };
  expect(plan.actions.filter((a) => a.kind === 'machine.create').map((a) => a.machine)).toEqual(['w-1', 'w-2', 'w-3']);
});

test('simulation: a misspelt action kind is an error at its key with the closest kind; the right one is taken', () => {
  const bad = cluster(['validate'], { cwd: folder('name: k\nmachines:\n  w: { driver: sim }\nsimulation:\n  latency: { default: 1ms }\n  failure_rate:\n    swarm.jion: 0.5\n') });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/cluster\.yml:7:5: error: unknown action kind swarm\.jion under simulation\.failure_rate/);
  expect(bad.stderr).toContain('did you mean `swarm.join`?');
  const good = cluster(['validate'], { cwd: folder('name: k\nmachines:\n  w: { driver: sim }\nsimulation:\n  latency: { default: 1ms, observe: 2ms }\n  failure_rate: { swarm.join: 0.5, machine.stop: 0 }\n  seed: 3\n') });
  expect([good.code, good.stderr]).toEqual([0, '']);
});

test('simulation: without a sim machine it has no effect, and validate says so', () => {
  const r = cluster(['validate'], { cwd: folder('name: k\nmachines:\n  w: { driver: generic, url: "tcp://192.0.2.1:2376" }\nsimulation:\n  latency: { default: 1ms }\n') });
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/cluster\.yml:4:1: warning: `simulation:` has no effect: no machine uses the sim driver/);
});

test('CLUSTER_SIM_LATENCY_MS / CLUSTER_SIM_FAILURE_RATE out of range are errors naming the variable; in range they run', () => {
  const dir = folder('name: k\nmachines:\n  w: { driver: sim }\n');
  for (const [name, value] of [['CLUSTER_SIM_LATENCY_MS', 'fast'], ['CLUSTER_SIM_FAILURE_RATE', '1.5']] as const) {
    const r = cluster(['plan'], { cwd: dir, env: { [name]: value } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${name}=${value} is not a number`);
    expect(r.stderr).not.toMatch(STACK);
  }
  expect(cluster(['plan'], { cwd: dir, env: { CLUSTER_SIM_LATENCY_MS: '1', CLUSTER_SIM_FAILURE_RATE: '0' } }).code).toBe(0);
});

test('CLUSTER_DEBUG=1 adds the stack trace to an unexpected error, not to a mistake in the manifest', () => {
  const dir = folder('name: k\nmachines:\n  w: { driver: sim }\n');
  const plain = cluster(['ip', 'nope'], { cwd: dir });
  expect(plain.stderr).toContain('no machine named nope');
  expect(plain.stderr).not.toMatch(STACK);
  expect(cluster(['ip', 'nope'], { cwd: dir, env: { CLUSTER_DEBUG: '1' } }).stderr).toMatch(STACK);
  const bad = folder('name: k\nmachines:\n  w: { driver: sim, cpus: lots }\n');
  const manifest = cluster(['validate'], { cwd: bad, env: { CLUSTER_DEBUG: '1' } });
  expect(manifest.code).toBe(1);
  expect(manifest.stderr).not.toMatch(STACK);
});
