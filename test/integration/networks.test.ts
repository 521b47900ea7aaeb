// Service discovery across machines: two Docker-in-Docker machines in a swarm, a network that becomes
// an attachable overlay, web on one machine reaching db on the other by name; depends_on
// service_healthy holds web back until db's real healthcheck passes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { execIn } from '../support/exec.js';
import { DOCKER_HOST } from './env.js';

const NAME = `nt${process.pid}`;
const MANIFEST = `name: ${NAME}
machines:
  manager: { driver: docker, role: manager }
  worker: { driver: docker, role: worker }
networks:
  back: {}
services:
  db:
    image: busybox:latest
    command: [sh, -c, "mkdir -p /www && echo hello-from-db > /www/index.html && sleep 3 && date +%s > /www/up && exec httpd -f -p 80 -h /www"]
    networks: [back]
    environment: ["constraint:node==manager"]
    healthcheck: { test: [CMD, wget, -q, -O, /dev/null, "http://localhost/"], interval: 1s, retries: 60 }
  web:
    image: busybox:latest
    command: [sleep, "3600"]
    networks: { back: { aliases: [frontend] } }
    environment: ["constraint:node==worker"]
    depends_on: { db: { condition: service_healthy } }
`;

describe('networks across machines on the docker driver', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const socket = (m: string) => join(dir, '.cluster/machines', m, 'docker.sock');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cl-net-'));
    file = join(dir, 'cluster.yml');
    writeFileSync(file, MANIFEST);
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
  });

  test('the plan makes one overlay on the manager; apply converges', async () => {
    const p = await run('plan');
    expect(p.stdout).toContain(`+   network ${NAME}_back (overlay) on manager`);
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
  });

  test('web on the worker reaches db on the manager by service name; db reaches web by its alias', async () => {
    expect(await execIn(socket('worker'), `${NAME}-web-1`, ['wget', '-q', '-O-', 'http://db/'])).toContain('hello-from-db');
    expect(await execIn(socket('manager'), `${NAME}-db-1`, ['ping', '-c', '1', '-W', '5', 'frontend'])).toMatch(/1 packets received/);
  });

  test('web started only after db passed its healthcheck', async () => {
    // db serves (and so turns healthy) 3 s after it starts, and notes when; web must start after that.
    const up = Number(await execIn(socket('manager'), `${NAME}-db-1`, ['cat', '/www/up']));
    const web = await dockerodeFor(`unix://${socket('worker')}`).getContainer(`${NAME}-web-1`).inspect();
    expect(up).toBeGreaterThan(0);
    expect(Date.parse(web.State.StartedAt) / 1000).toBeGreaterThanOrEqual(up);
  });

  test('a network nothing uses any more is removed', async () => {
    writeFileSync(file, MANIFEST.replace('    networks: [back]\n', '').replace('    networks: { back: { aliases: [frontend] } }\n', ''));
    const p = await run('plan');
    expect(p.stdout).toContain(`-   network ${NAME}_back on manager`);
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });
});
