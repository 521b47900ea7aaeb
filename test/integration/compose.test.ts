// A compose app as people write it, run across machines: the manifest names the machines and
// imports docker-compose.yml; web and db land on different machines (compose's placement
// constraints), talk over the project's default network by service name, and web waits for db's
// real healthcheck (depends_on: service_healthy).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { execIn } from '../support/exec.js';
import { DOCKER_HOST } from './env.js';

const NAME = `cp${process.pid}`;
const MANIFEST = `name: ${NAME}
machines:
  manager: { driver: docker, role: manager }
  worker: { driver: docker, role: worker }
compose: docker-compose.yml
`;
const COMPOSE = `x-base: &base
  image: busybox:latest
  restart: unless-stopped
services:
  db:
    <<: *base
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
    command: [sh, -c, "mkdir -p /www && echo \${GREETING} > /www/index.html && sleep 3 && date +%s > /www/up && exec httpd -f -p 80 -h /www"]
    healthcheck:
      test: [CMD, wget, -q, -O, /dev/null, "http://localhost/"]
      interval: 1s
      retries: 60
    deploy:
      placement:
        constraints: [node.hostname == manager]
  web:
    <<: *base
    command: [sleep, "3600"]
    secrets: [token, api_token]
    configs: [{ source: settings, target: /etc/app.conf }, { source: banner, target: /etc/banner }]
    depends_on:
      db:
        condition: service_healthy
    deploy:
      placement:
        constraints: [node.hostname == worker]
  tools:
    image: busybox:latest
    profiles: [debug]
  built:
    build: ./app
    deploy:
      placement:
        constraints: [node.hostname == worker]
`;
const TOP_LEVEL = `secrets:
  token: { file: ./token.txt }
  api_token: { environment: API_TOKEN }
configs:
  settings: { file: ./app.conf }
  banner: { content: "banner for \${GREETING}" }
`;
const DOCKERFILE = 'FROM busybox:latest\nRUN echo built-by-cluster > /built.txt\nCMD ["sleep", "3600"]\n';

describe('a compose app across machines', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const socket = (m: string) => join(dir, '.cluster/machines', m, 'docker.sock');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cl-compose-'));
    file = join(dir, 'cluster.yml');
    writeFileSync(file, MANIFEST);
    writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE + TOP_LEVEL);
    writeFileSync(join(dir, 'token.txt'), 's3cr3t-token\n');
    writeFileSync(join(dir, 'app.conf'), 'mode=cluster\n');
    // DB_PASSWORD: every CLI run of this file is scanned for its value (test/support/secret-scan.ts).
    // API_TOKEN too: a secret read from a variable reaches the container and no output.
    writeFileSync(join(dir, '.env'), 'GREETING=hello-over-the-overlay\nDB_PASSWORD=correct-horse-battery\nAPI_TOKEN=tok-from-the-environment\n');
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'Dockerfile'), DOCKERFILE);
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
    await dockerodeFor(DOCKER_HOST).getImage(`${NAME}-built:latest`).remove().catch(() => undefined);
  });

  test('plan: the default network as an overlay, db and web on different machines, the profiled service left out', async () => {
    const p = await run('plan');
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain(`+   network ${NAME}_default (overlay) on manager`);
    expect(p.stdout).toContain(`+   db #1 ${NAME}-db-1 on manager`);
    expect(p.stdout).toContain(`+   web #1 ${NAME}-web-1 on worker`);
    expect(p.stdout).not.toContain('tools');
    expect(p.stdout).toContain(`+   build image ${NAME}-built:latest from ${join(dir, 'app')} on the host engine`);
  });

  test('apply: web on the worker reaches db on the manager by name, after db turned healthy', async () => {
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(await execIn(socket('worker'), `${NAME}-web-1`, ['wget', '-q', '-O-', 'http://db/'])).toContain('hello-over-the-overlay');
    const up = Number(await execIn(socket('manager'), `${NAME}-db-1`, ['cat', '/www/up']));
    const web = await dockerodeFor(`unix://${socket('worker')}`).getContainer(`${NAME}-web-1`).inspect();
    expect(Date.parse(web.State.StartedAt) / 1000).toBeGreaterThanOrEqual(up);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('secrets and configs (from a file, a variable, inline content) are files in the container before it starts', async () => {
    expect(await execIn(socket('worker'), `${NAME}-web-1`, ['cat', '/run/secrets/token'])).toBe('s3cr3t-token\n');
    expect(await execIn(socket('worker'), `${NAME}-web-1`, ['cat', '/run/secrets/api_token'])).toBe('tok-from-the-environment');
    expect(await execIn(socket('worker'), `${NAME}-web-1`, ['cat', '/etc/app.conf'])).toBe('mode=cluster\n');
    expect(await execIn(socket('worker'), `${NAME}-web-1`, ['cat', '/etc/banner'])).toBe('banner for hello-over-the-overlay');
  });

  test('a changed secret replaces the container that holds it, without showing the content', async () => {
    writeFileSync(join(dir, 'token.txt'), 'rotated\n');
    const p = await run('plan');
    expect(p.stdout).toMatch(new RegExp(`-/\\+ web #1 ${NAME}-web-1`));
    expect(p.stdout + p.stderr).not.toContain('rotated');
  });

  test('the service with build: runs the image built on the host engine and copied to its machine', async () => {
    expect(await execIn(socket('worker'), `${NAME}-built-1`, ['cat', '/built.txt'])).toContain('built-by-cluster');
  });

  test('--profile debug adds the profiled service', async () => {
    const p = await clusterAsync(['plan', '-f', file, '--profile', 'debug'], { cwd: dir, env: { DOCKER_HOST } });
    expect(p.stdout).toMatch(new RegExp(`\\+   tools #1 ${NAME}-tools-1 on`));
  });
});
