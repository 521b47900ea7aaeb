// Issue 18 point 3: apply at the engines' limit. The engines' floor (bench/throughput.ts) is one
// create and one start per container; the walk must ask nothing more per replica: no inspect after a
// start (the observe after the walk shows a replica that died at once), no image or network look, no
// name check the plan already made. Counted on a real engine, the private dockerd adopted by the
// generic driver (no machine to boot), with every HTTP request the CLI sends logged in order with its
// CLUSTER_TRACE phases.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST, IDLE } from './env.js';

const NAME = `walkreq${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);
const REPLICAS = 6;

afterAll(async () => {
  for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true });
});

test('the walk of N new replicas sends exactly N creates and N starts, the engines\' own floor', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-walkreq-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, `name: ${NAME}\nmachines:\n  host1: { driver: generic, url: ${DOCKER_HOST} }\nservices:\n  bird: { image: busybox:latest, command: ${IDLE}, scale: ${REPLICAS} }\n`);
  const hook = join(import.meta.dirname, '../support/http-requests.cjs');
  const r = await clusterAsync(['apply', '--auto-approve', '-f', file], { cwd: dir, env: { DOCKER_HOST: undefined, CLUSTER_TRACE: '1', NODE_OPTIONS: `--require ${hook}` }, timeoutMs: 120_000 });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  const lines = r.stderr.split('\n');
  const from = lines.findIndex((l) => / ms {2}planned$/.test(l));
  const to = lines.findIndex((l) => / ms {2}walked$/.test(l));
  expect(from, r.stderr).toBeGreaterThanOrEqual(0);
  expect(to, r.stderr).toBeGreaterThan(from);
  const walk = lines
    .slice(from + 1, to)
    .filter((l) => l.startsWith('http '))
    .map((l) => l.replace(/\/containers\/[0-9a-f]{64}\//, '/containers/ID/'))
    // The lock's lease renewal (every 5 s) takes no slot of the walk: not a replica's request.
    .filter((l) => !/\/archive$/.test(l));
  expect(walk.filter((l) => l === 'http POST /containers/create')).toHaveLength(REPLICAS);
  expect(walk.filter((l) => l === 'http POST /containers/ID/start')).toHaveLength(REPLICAS);
  expect(walk).toHaveLength(2 * REPLICAS); // nothing else
  // ...and the state shown after is read, not assumed: the observe after the walk asks the engine.
  const after = lines.slice(to + 1).filter((l) => l.startsWith('http GET /containers/json'));
  expect(after.length).toBeGreaterThan(0);
  const running = await host.listContainers({ filters: { label: [`io.cluster.name=${NAME}`], status: ['running'] } });
  expect(running).toHaveLength(REPLICAS);
});
