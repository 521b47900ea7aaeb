// `deploy.mode: global` on a container service, on real Docker-in-Docker machines: one replica on each
// machine meeting its constraints, following machines that join or leave (swarmkit's global
// orchestrator, manager/orchestrator/global/global.go reconcileServices: a node that joins gets a task,
// a node that stops meeting the constraints loses its own, which is not placed elsewhere).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `global${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);
const machinesOf = async () => host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`, 'io.cluster.kind=machine'] } });

const manifest = (machines: string[], constraint = '') =>
  `name: ${NAME}\nmachines:\n${machines.map((m) => `  ${m}: { driver: docker, labels: { tier: ${m === 'm3' ? 'edge' : 'core'} } }\n`).join('')}` +
  `services:\n  agent:\n    image: busybox:latest\n    command: [sleep, "86400"]\n    deploy:\n      mode: global\n${constraint ? `      placement: { constraints: ["${constraint}"] }\n` : ''}`;

interface Status {
  containers: { service: string; replica: number; machine: string; state: string }[];
}

describe('a global container service follows the machines', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const where = async () => {
    const s = JSON.parse((await run('status', '--json')).stdout) as Status;
    return Object.fromEntries(s.containers.filter((c) => c.service === 'agent' && c.state === 'running').map((c) => [c.machine, c.replica]));
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cl-global-'));
    file = join(dir, 'cluster.yml');
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
    for (const c of await machinesOf()) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  }, 300_000);

  test('one replica per machine; a machine that joins gets one; a constraint it stops meeting takes it away', async () => {
    writeFileSync(file, manifest(['m1', 'm2']));
    const made = await run('apply', '--auto-approve');
    expect(made.code, made.stdout + made.stderr).toBe(0);
    expect(await where()).toEqual({ m1: 1, m2: 2 });

    // A machine joins: the plan is that machine and its one replica, nothing on the others.
    writeFileSync(file, manifest(['m1', 'm2', 'm3']));
    const plan = await run('plan', '--json');
    const actions = (JSON.parse(plan.stdout) as { actions: { kind: string; machine: string; replica?: number }[] }).actions;
    expect(actions.filter((a) => a.kind.startsWith('container.')).map((a) => [a.kind, a.machine, a.replica])).toEqual([['container.create', 'm3', 3]]);
    const grown = await run('apply', '--auto-approve');
    expect(grown.code, grown.stdout + grown.stderr).toBe(0);
    expect(await where()).toEqual({ m1: 1, m2: 2, m3: 3 });

    // m3 no longer meets the constraint: its replica goes and is not placed elsewhere.
    writeFileSync(file, manifest(['m1', 'm2', 'm3'], 'node.labels.tier==core'));
    const narrowed = await run('apply', '--auto-approve');
    expect(narrowed.code, narrowed.stdout + narrowed.stderr).toBe(0);
    expect(narrowed.stdout).toMatch(/global: one replica per machine meeting its constraints/);
    expect(await where()).toEqual({ m1: 1, m2: 2 });
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 600_000);
});
