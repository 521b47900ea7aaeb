// Watch mode on real engines: a container removed and a machine killed behind the tool's back are
// noticed through engine events (not the periodic re-observe, set to 10 minutes here) and repaired.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { connect } from '../../src/providers/docker/engine.js';
import { background, type Background } from '../support/background.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `wd${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'cl-wd-'));
const file = join(dir, 'cluster.yml');
const host = dockerodeFor(DOCKER_HOST);
let watcher: Background | undefined;

afterAll(async () => {
  await watcher?.stop('SIGKILL');
  await clusterAsync(['destroy', '--auto-approve', '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 120_000 });
});

test('drift is repaired on engine events', async () => {
  writeFileSync(file, `name: ${NAME}\nmachines:\n  solo: { driver: docker }\nservices:\n  bird:\n    image: busybox:latest\n    command: [sleep, "3600"]\n    scale: 2\n`);
  watcher = background(['watch', '-f', file, '--interval', '600'], { cwd: dir, env: { DOCKER_HOST } });
  await watcher.waitFor(/converged in/, 120_000);
  const engine = connect(`unix://${join(dir, '.cluster/machines/solo/docker.sock')}`);
  const running = async () => (await engine.facts()).containers.filter((c) => c.state === 'running').map((c) => c.name).sort();
  expect(await running()).toEqual([`${NAME}-bird-1`, `${NAME}-bird-2`]);

  // Three times: the `die` of a `docker rm -f` starts a run while the engine still holds the name
  // (the run must wait for the removal, not fail on the name), and its `destroy` may come during the run
  // (then one more run follows). Repaired means seen on the engine: a new bird-2 runs beside bird-1.
  for (let round = 1; round <= 3; round++) {
    const victim = (await engine.facts()).containers.find((c) => c.name === `${NAME}-bird-2`)!;
    const removedAt = Date.now();
    await engine.removeContainer(victim.id);
    await watcher.waitFor(/drift: .*bird-2/, 20_000, round);
    await until(async () => {
      const birds = (await engine.facts()).containers.filter((c) => c.state === 'running');
      return birds.length === 2 && birds.some((c) => c.name === `${NAME}-bird-2` && c.id !== victim.id);
    }, 60_000);
    console.log(`container removed → repaired in ${Date.now() - removedAt} ms`);
  }
  expect(watcher.output()).not.toMatch(/FAILED|failed/);

  // Whichever event's run comes first after the kill (the machine's own, or a late one of the rounds
  // above) finds the machine stopped and starts it, well before the 600 s re-observe.
  const killedAt = Date.now();
  const seen = watcher.output().length;
  await host.getContainer(`${NAME}-solo`).kill();
  await until(async () => (await host.getContainer(`${NAME}-solo`).inspect()).State.Running && (await running().catch(() => [])).length === 2, 120_000);
  expect(await running()).toEqual([`${NAME}-bird-1`, `${NAME}-bird-2`]);
  await watcher.waitFor(/start machine solo/, 30_000);
  expect(watcher.output().slice(seen)).toMatch(/start machine solo \(machine is stopped\)/);
  console.log(`machine killed → repaired in ${Date.now() - killedAt} ms`);
  expect(await watcher.stop('SIGINT')).toBe(130);
});

/** Polls `check` every 100 ms until it holds; fails after `ms`. */
async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error(`not within ${ms / 1000} s`);
  }
}
