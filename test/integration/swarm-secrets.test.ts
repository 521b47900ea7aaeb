// A stack file's secrets and configs on a swarm-mode service, as `docker stack deploy` makes them:
// swarm objects the tasks mount; a changed secret is a new object the service rolls onto; the
// objects go with the service.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { execIn } from '../support/exec.js';
import { DOCKER_HOST, IDLE } from './env.js';

const NAME = `ss${process.pid}`;
const MANIFEST = `name: ${NAME}
machines:
  manager: { driver: docker, role: manager }
compose: { files: [stack.yml], mode: swarm }
`;
const STACK = (withApp = true) => `services:
${withApp ? `  app:
    image: busybox:latest
    command: ${IDLE}
    secrets: [db_password, { source: api_token, target: /etc/api-token, mode: 0400 }]
    configs: [{ source: motd, target: /etc/motd }]
` : `  other:\n    image: busybox:latest\n    command: ${IDLE}\n`}secrets:
  db_password: { file: ./db_password.txt }
  api_token: { environment: API_TOKEN }
configs:
  motd: { content: "welcome to \${STACK_NAME}" }
`;

describe('secrets and configs of swarm-mode services', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const sock = () => join(dir, '.cluster/machines/manager/docker.sock');
  const manager = () => dockerodeFor(`unix://${sock()}`);
  const task = async () => {
    const found = (await manager().listContainers({ filters: { label: [`com.docker.swarm.service.name=${NAME}_app`] } }))[0];
    if (!found) throw new Error('no running task container of the app service');
    return found.Id;
  };
  const ours = async () => {
    const filters = { label: [`io.cluster.swarm-service=${NAME}_app`] };
    const [secrets, configs] = await Promise.all([manager().listSecrets({ filters }), manager().listConfigs({ filters })]);
    return [...(secrets as { Spec: { Name: string } }[]), ...(configs as { Spec: { Name: string } }[])].map((x) => x.Spec.Name).sort();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cl-swsec-'));
    file = join(dir, 'cluster.yml');
    writeFileSync(file, MANIFEST);
    writeFileSync(join(dir, 'stack.yml'), STACK());
    writeFileSync(join(dir, 'db_password.txt'), 'first-password\n');
    // API_TOKEN is secret-named: every CLI run of this test is scanned for its value.
    writeFileSync(join(dir, '.env'), 'API_TOKEN=token-from-env-42\nSTACK_NAME=shop\n');
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
  });

  test('apply: the task mounts the secrets (from a file, from a variable) and the config where the stack says', async () => {
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const id = await task();
    expect(await execIn(sock(), id, ['cat', '/run/secrets/db_password'])).toBe('first-password\n');
    expect(await execIn(sock(), id, ['cat', '/etc/api-token'])).toBe('token-from-env-42');
    expect(await execIn(sock(), id, ['stat', '-c', '%a', '/etc/api-token'])).toBe('400\n');
    expect(await execIn(sock(), id, ['cat', '/etc/motd'])).toBe('welcome to shop');
    expect(await ours()).toHaveLength(3);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('a changed secret file updates the service: its new task reads the new content, the old object goes', async () => {
    writeFileSync(join(dir, 'db_password.txt'), 'second-password\n');
    const p = await run('plan');
    expect(p.stdout).toMatch(/~\s+swarm service .*_app/);
    expect(p.stdout + p.stderr).not.toContain('second-password');
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    await expect.poll(async () => execIn(sock(), await task(), ['cat', '/run/secrets/db_password']), { timeout: 30_000 }).toBe('second-password\n');
    await expect.poll(ours, { timeout: 30_000 }).toHaveLength(3);
  });

  test('a service gone from the stack takes its secrets and configs with it', async () => {
    writeFileSync(join(dir, 'stack.yml'), STACK(false));
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(await ours()).toEqual([]);
  });
});
