// The trust boundary of the docker driver (issue 13, F1 and F9): labels on the host engine are claims
// anyone who can `docker run` there can make. A planted container labelled as one of this cluster's
// machines, or a machine another checkout (same `name:`, other folder) made, is reported and left
// alone: never planned for removal, never started, and no path or URL is ever taken from its labels.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `tb${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);
const victim = mkdtempSync(join(tmpdir(), 'cl-victim-'));
const folderA = mkdtempSync(join(tmpdir(), 'cl-trust-a-'));
const folderB = mkdtempSync(join(tmpdir(), 'cl-trust-b-'));
const runIn = (dir: string) => (...args: string[]) => clusterAsync([...args, '-f', join(dir, 'cluster.yml')], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
const manifest = (machine: string) => `name: ${NAME}\nmachines:\n  ${machine}: { driver: docker }\n`;
let planted = '';

beforeAll(async () => {
  writeFileSync(join(victim, 'precious.txt'), 'keep me\n');
  mkdirSync(join(victim, 'sub'));
  // What the issue's attacker ran: `docker run -d --label io.cluster.name=... --label io.cluster.kind=machine
  // --label io.cluster.machine=zz --label io.cluster.folder=/victim ... sleep 86400`.
  const c = await host.createContainer({
    name: `${NAME}-planted`,
    Image: 'busybox:latest',
    Cmd: ['sleep', '86400'],
    Labels: { 'io.cluster.name': NAME, 'io.cluster.kind': 'machine', 'io.cluster.machine': 'zz', 'io.cluster.folder': victim },
  });
  await c.start();
  planted = c.id;
  writeFileSync(join(folderA, 'cluster.yml'), manifest('solo'));
  writeFileSync(join(folderB, 'cluster.yml'), manifest('other'));
});

afterAll(async () => {
  await runIn(folderA)('destroy', '--auto-approve');
  await runIn(folderB)('destroy', '--auto-approve');
  for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  for (const v of (await host.listVolumes()).Volumes ?? []) if (v.Name.startsWith(`${NAME}-`)) await host.getVolume(v.Name).remove().catch(() => undefined);
});

test('a planted "machine" container is reported, not adopted: apply and destroy leave it and the folder its label names alone', async () => {
  const run = runIn(folderA);
  const plan = await run('plan');
  expect(plan.code, plan.stderr).toBe(0);
  expect(plan.stdout + plan.stderr).toMatch(new RegExp(`${NAME}-planted .*claims to be machine "zz".*not made from this folder`));
  expect(plan.stdout).not.toMatch(/- +machine zz/);
  const apply = await run('apply', '--auto-approve');
  expect(apply.code, apply.stderr).toBe(0);
  const destroy = await run('destroy', '--auto-approve');
  expect(destroy.code, destroy.stderr).toBe(0);
  expect(destroy.stdout).not.toMatch(/machine zz/);
  // The rule followed: nothing read from an engine decides a local path (issue 13, Deliver 1).
  expect(existsSync(join(victim, 'precious.txt'))).toBe(true);
  expect((await host.getContainer(planted).inspect()).State.Running).toBe(true);
});

test('two checkouts with the same cluster name: each sees only the machines its own folder made', async () => {
  const a = runIn(folderA);
  const b = runIn(folderB);
  expect((await a('apply', '--auto-approve')).code).toBe(0);
  const plan = await b('plan');
  expect(plan.code, plan.stderr).toBe(0);
  expect(plan.stdout).toMatch(/\+ +machine other/);
  expect(plan.stdout).not.toMatch(/- +machine solo/);
  expect(plan.stdout + plan.stderr).toMatch(new RegExp(`${NAME}-solo .*claims to be machine "solo"`));
  // B's destroy removes nothing of A's: A's next plan has no changes.
  expect((await b('destroy', '--auto-approve')).code).toBe(0);
  const again = await a('plan', '--detailed-exitcode');
  expect(again.code, again.stdout + again.stderr).toBe(0);
  // B cannot take A's machine by name either: its create is refused, naming why.
  writeFileSync(join(folderB, 'cluster.yml'), manifest('solo'));
  const clash = await b('apply', '--auto-approve');
  expect(clash.code).toBe(1);
  expect(clash.stdout + clash.stderr).toMatch(/already has a (volume|container) named \S*-solo\S* that this folder did not make/);
  expect((await a('plan', '--detailed-exitcode')).code).toBe(0);
});

test('an impostor with a replica\'s copied labels (F10) is reported and left alone; the real replica stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-trust-c-'));
  const run = runIn(dir);
  writeFileSync(join(dir, 'cluster.yml'), `name: ${NAME}c\nmachines:\n  m: { driver: docker }\nservices:\n  web:\n    image: busybox:latest\n    command: [sleep, "3600"]\n    scale: 2\n`);
  try {
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    const engine = dockerodeFor(`unix://${join(dir, '.cluster/machines/m/docker.sock')}`);
    const real = (await engine.listContainers({ all: true, filters: { name: [`^/${NAME}c-web-2$`] } }))[0]!;
    // What the attacker did inside the machine: the same image and labels, another name.
    const fake = await engine.createContainer({ name: 'advs-impostor', Image: 'busybox:latest', Cmd: ['sleep', '3600'], Labels: real.Labels });
    await fake.start();
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout).toBe(0); // the real replica is the replica: nothing to change
    expect(plan.stdout).toMatch(/container advs-impostor carries the labels of web replica 2 but not its name; the replica is the one named so, this one is left alone/);
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    const after = await engine.listContainers({ all: true });
    expect(after.find((c) => c.Id === real.Id)?.State).toBe('running');
    expect(after.find((c) => c.Id === fake.id)?.State).toBe('running');
  } finally {
    await run('destroy', '--auto-approve');
  }
});
