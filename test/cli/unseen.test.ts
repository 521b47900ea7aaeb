// A stopped machine through the real binary on the sim driver (issue 13, F7): apply starts it and,
// in the same run, plans and runs what it holds (its own containers started again, nothing created
// twice); a saved plan runs exactly what it says and tells the user to plan again.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import { closeDrivers, openDrivers } from '../../src/providers/index.js';
import { cluster } from '../support/cli.js';

let dir: string;
const run = (...args: string[]) => cluster(args, { cwd: dir, timeoutMs: 60_000 });
const MANIFEST = `name: seen\nmachines:\n  m1: { driver: sim }\n  m2: { driver: sim }\nservices:\n  web:\n    image: busybox:latest\n    command: sleep 86400\n    scale: 4\n`;

/** Stops m2 as `docker stop` of a machine would: its daemon and every container on it. */
async function stopM2(): Promise<void> {
  const loaded = loadManifest(join(dir, 'cluster.yml'));
  if (!loaded.ok) throw new Error('manifest');
  const drivers = await openDrivers(loaded.desired);
  await drivers.get('sim')!.stop!('m2');
  await closeDrivers(drivers);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cl-seen-'));
  writeFileSync(join(dir, 'cluster.yml'), MANIFEST);
  expect(run('apply', '--auto-approve').code).toBe(0);
});

test('apply starts a stopped machine, then starts its own replicas in the same run: nothing is created again', async () => {
  await stopM2();
  const plan = run('plan', '--json');
  const p = JSON.parse(plan.stdout);
  expect(p.actions.map((a: { kind: string; machine: string }) => `${a.kind} ${a.machine}`)).toEqual(['machine.start m2']);
  expect(p.unseen.replicas).toEqual([{ service: 'web', replicas: [2, 4], machines: ['m2'] }]);

  const apply = run('apply', '--auto-approve', '--json');
  expect(apply.code).toBe(0);
  const events = apply.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const followUp = events.find((e) => e.type === 'plan' && e.follow_up);
  expect(followUp.why).toBe('m2 is up: planned what it holds');
  expect(followUp.plan.actions.map((a: { kind: string; name: string }) => `${a.kind} ${a.name}`)).toEqual(['container.start seen-web-2', 'container.start seen-web-4']);
  expect(events.find((e) => e.type === 'summary').result).toBe('complete');
  expect(run('plan', '--detailed-exitcode').code).toBe(0);
});

test('a saved plan that starts a machine runs only that, and says to plan again', async () => {
  await stopM2();
  expect(run('plan', '-o', 'saved.plan').code).toBe(0);
  const apply = run('apply', 'saved.plan');
  expect(apply.code).toBe(0);
  expect(apply.stderr).toMatch(/Started m2; what it holds was not planned by this saved plan: run `cluster plan` again/);
  const next = run('plan', '--detailed-exitcode');
  expect(next.code).toBe(2);
  expect(next.stdout).toMatch(/~ +start web #2 seen-web-2 on m2 \(container is exited\)/);
});
