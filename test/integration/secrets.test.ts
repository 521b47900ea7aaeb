// On a real engine: a password and a token interpolated into a command, an environment value, a
// label and an image tag reach the container as they are (it runs with them, from the right image),
// while no label on it, no plan and no output carries them; a rotation is named, never shown.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `sec${process.pid}`;
const PW = 'real-engine-pw-6142';
const TOKEN = `tok${process.pid}x`; // an image tag, so lower-case
const MANIFEST = `name: ${NAME}
machines:
  host1: { driver: generic, url: ${DOCKER_HOST} }
services:
  app:
    image: busybox:\${API_TOKEN}
    command: ["sh", "-c", "echo connecting as app:\${DB_PASSWORD} > /tmp/seen && exec sleep 600"]
    labels:
      dsn: postgres://app:\${DB_PASSWORD}@db/app
    environment:
      DATABASE_URL: postgres://app:\${DB_PASSWORD}@db/app
      MODE: plain-visible
`;

describe('secrets on a real engine', () => {
  const docker = dockerodeFor(DOCKER_HOST);
  let dir: string;
  let file: string;
  // DB_PASSWORD (from .env) and API_TOKEN: every run below is scanned for both (test/support/cli.ts).
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST, API_TOKEN: TOKEN }, timeoutMs: 180_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cl-secrets-'));
    file = join(dir, 'cluster.yml');
    writeFileSync(file, MANIFEST);
    writeFileSync(join(dir, '.env'), `DB_PASSWORD=${PW}\n`);
    await docker.getImage('busybox:latest').tag({ repo: 'busybox', tag: TOKEN }); // the image tag a variable names
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
    await docker.getImage(`busybox:${TOKEN}`).remove().catch(() => undefined);
  });

  test('the container gets the real values; no label on it has them', async () => {
    const applied = await run('apply', '--auto-approve');
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const c = await docker.getContainer(`${NAME}-app-1`).inspect();
    expect(c.Config.Env).toContain(`DATABASE_URL=postgres://app:${PW}@db/app`);
    expect(c.Config.Image).toBe(`busybox:${TOKEN}`);
    expect(c.Config.Cmd!.join(' ')).toContain(`app:${PW}`);
    expect(c.State.Running).toBe(true);
    const labels = c.Config.Labels ?? {};
    for (const [k, v] of Object.entries(labels)) {
      expect(`${k}=${v}`).not.toContain(PW);
      expect(`${k}=${v}`).not.toContain(TOKEN);
    }
    expect(labels.dsn).toBe('postgres://app:(sensitive)@db/app');
    expect(JSON.parse(labels['io.cluster.spec']!)).toMatchObject({ image: 'busybox:(sensitive)', environment: { DATABASE_URL: 'postgres://app:(sensitive)@db/app', MODE: 'plain-visible' } });
    expect(Object.keys(JSON.parse(labels['io.cluster.sensitive']!) as object).sort()).toEqual(['/command/2', '/environment/DATABASE_URL', '/image', '/labels/dsn']);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('a rotated password is named at each field it reaches, and the container is replaced with the new one', async () => {
    const rotated = 'rotated-engine-pw-9051';
    writeFileSync(join(dir, '.env'), `DB_PASSWORD=${rotated}\n`);
    const p = await run('plan');
    expect(p.stdout).toContain('~ labels.dsn: (sensitive value changed)');
    expect(p.stdout).toContain('~ environment.DATABASE_URL: (sensitive value changed)');
    expect(p.stdout + p.stderr).not.toContain(PW);
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    const c = await docker.getContainer(`${NAME}-app-1`).inspect();
    expect(c.Config.Env).toContain(`DATABASE_URL=postgres://app:${rotated}@db/app`);
    expect(JSON.stringify(c.Config.Labels)).not.toContain(rotated);
  });
});
