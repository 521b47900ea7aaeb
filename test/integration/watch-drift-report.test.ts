// `watch --drift report` on real engines (Argo CD's auto-sync with self-heal off): a container removed
// by hand is noticed through engine events, said with the plan that would bring it back, and not
// brought back; a manifest edit made afterwards is applied, and still leaves the drift alone.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { connect } from '../../src/providers/docker/engine.js';
import { background, type Background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `wdr${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'cl-wdr-'));
const file = join(dir, 'cluster.yml');
let watcher: Background | undefined;

const manifest = (extra = '') =>
  `name: ${NAME}\nmachines:\n  solo: { driver: docker }\nservices:\n  bird:\n    image: busybox:latest\n    command: [sleep, "3600"]\n    scale: 2\n${extra}`;

afterAll(async () => {
  await watcher?.stop('SIGKILL');
  await clusterAsync(['destroy', '--auto-approve', '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 120_000 });
});

test('a container removed by hand is reported, not re-created; a manifest edit is applied', async () => {
  writeFileSync(file, manifest());
  watcher = background(['watch', '--drift', 'report', '-f', file, '--interval', '600'], { cwd: dir, env: { DOCKER_HOST } });
  await watcher.waitFor(/converged in/, 120_000);
  const engine = connect(`unix://${join(dir, '.cluster/machines/solo/docker.sock')}`);
  const running = async () => (await engine.facts()).containers.filter((c) => c.state === 'running').map((c) => c.name).sort();
  expect(await running()).toEqual([`${NAME}-bird-1`, `${NAME}-bird-2`]);

  const victim = (await engine.facts()).containers.find((c) => c.name === `${NAME}-bird-2`)!;
  await engine.removeContainer(victim.id);
  // Generous: with the other files running beside it, the drift run waits on a busy host engine (its lock
  // lives there); twice no report came within 30 s (the cause is not proven, see the suite report).
  await watcher.waitFor(/drift: .*bird-2.*: drift found, not corrected \(--drift report\); correcting it would take: Plan: 1 to add, 0 to change, 0 to destroy\./, 120_000);
  // The plan of the drift, as `cluster plan` prints it, follows that line (it may come in a later chunk).
  const driftPlan = new RegExp(`\\+ {3}bird #2 ${NAME}-bird-2 on solo \\(replica 2 of 2\\)`);
  const afterFirstRun = () => watcher!.output().slice(watcher!.output().indexOf('converged in'));
  for (const until = Date.now() + 30_000; !driftPlan.test(afterFirstRun()) && Date.now() < until; ) await new Promise((done) => setTimeout(done, 100));
  expect(afterFirstRun()).toMatch(driftPlan);

  writeFileSync(file, manifest('  fish:\n    image: busybox:latest\n    command: [sleep, "3600"]\n'));
  await watcher.waitFor(/converged in/, 120_000, 2);
  expect(await running()).toEqual([`${NAME}-bird-1`, `${NAME}-fish-1`]);
  expect(watcher.output()).toContain('--drift report: 1 correction of drift left undone');
  expect(await watcher.stop('SIGINT')).toBe(130);

  // What was left is still there to correct: a plain apply would bring it back.
  const plan = await clusterAsync(['plan', '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 60_000 });
  expect(plan.stdout).toMatch(new RegExp(`\\+ {3}bird #2 ${NAME}-bird-2 on solo \\(replica 2 of 2\\)`));
});
