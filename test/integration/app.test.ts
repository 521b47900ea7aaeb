// Seeing the running app on real engines (issue 17 point 6): `cluster ps`, `logs` (compose's
// prefixes, docker/compose cmd/formatter/logs.go presenter.setPrefix; -f until Ctrl-C exits 130),
// `exec` (exit code of the command), and the docker CLI's own views of what cluster runs:
// `docker-compose -p NAME ps` (compose labels, pkg/api/labels.go) and `docker stack ps NAME`
// (com.docker.stack.namespace, docker/cli cli/command/stack/common.go getStackFilter).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `ops${process.pid}`;
const MANIFEST = `name: ${NAME}
machines:
  manager: { driver: docker, role: manager }
  worker: { driver: docker, role: worker }
services:
  web:
    image: busybox:latest
    command: [sh, -c, 'echo "hello from web"; echo "oops" >&2; exec sleep 3600']
    scale: 2
  api:
    mode: swarm
    image: busybox:latest
    command: [sh, -c, 'echo "api up"; exec sleep 3600']
    scale: 2
`;

describe('ps, logs, exec and the docker CLI views on the docker driver', () => {
  let dir: string;
  let file: string;
  // The manifest option right after the command: exec passes everything after `--` to its command.
  const run = (command: string, ...args: string[]) => clusterAsync([command, command === 'logs' ? '--file' : '-f', file, ...args], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const socketOf = (machine: string) => `unix://${join(dir, `.cluster/machines/${machine}/docker.sock`)}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cl-ops-'));
    file = join(dir, 'cluster.yml');
    writeFileSync(file, MANIFEST);
    const r = await run('apply', '--auto-approve');
    expect(r.code, r.stderr + r.stdout).toBe(0);
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
  });

  test('ps lists every replica and swarm task with service, replica, machine, state; --json carries format_version', async () => {
    const r = await run('ps', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { format_version: string; containers: { name: string; service: string; replica: number; machine: string; mode: string; state: string }[]; swarm_services: { service: string; running: number; desired: number }[] };
    expect(doc.format_version).toBe('1.0');
    const web = doc.containers.filter((c) => c.service === 'web');
    expect(web.map((c) => [c.name, c.replica, c.state, c.mode])).toEqual([
      [`${NAME}-web-1`, 1, 'running', 'containers'],
      [`${NAME}-web-2`, 2, 'running', 'containers'],
    ]);
    expect(new Set(web.map((c) => c.machine))).toEqual(new Set(['manager', 'worker']));
    const api = doc.containers.filter((c) => c.service === 'api');
    expect(api.map((c) => [c.replica, c.mode, c.state])).toEqual([
      [1, 'swarm', 'running'],
      [2, 'swarm', 'running'],
    ]);
    expect(doc.swarm_services).toEqual([{ service: 'api', name: `${NAME}_api`, running: 2, desired: 2 }]);
    const text = await run('ps');
    expect(text.stdout).toMatch(/^NAME\s+SERVICE\s+REPLICA\s+MACHINE\s+STATE\s+PORTS$/m);
    expect(text.stdout).toMatch(new RegExp(`^${NAME}-web-2\\s+web\\s+2\\s+(manager|worker)\\s+running`, 'm'));
  });

  test('logs merges the replicas with compose prefixes (`web-1  | `), stderr to stderr, no colour without a terminal', async () => {
    const r = await run('logs', 'web');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['web-1  | hello from web', 'web-2  | hello from web']);
    expect(r.stderr.split('\n').filter(Boolean).sort()).toEqual(['web-1  | oops', 'web-2  | oops']);
    expect(r.stdout).not.toContain('\u001b[');
    const stamped = await run('logs', 'web', '--timestamps', '--since', '1h');
    expect(stamped.stdout).toMatch(/^web-1 {2}\| \d{4}-\d\d-\d\dT\S+Z hello from web$/m);
    // --tail 1: each replica's last line, whichever stream it was on. The two lines are written
    // microseconds apart on two pipes, so which one the engine logged last differs between runs.
    const last = await run('logs', 'web', '--tail', '1');
    const lines = [...last.stdout.split('\n'), ...last.stderr.split('\n')].filter(Boolean).sort();
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.slice(0, 8))).toEqual(['web-1  |', 'web-2  |']);
    for (const l of lines) expect(l).toMatch(/\| (hello from web|oops)$/);
    const none = await run('logs', 'web', '--since', '2999-01-01T00:00:00Z');
    expect(none.stdout).toBe('');
  });

  test('logs of a swarm service come through the service logs API, named by task slot', async () => {
    const r = await run('logs', 'api');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['api-1  | api up', 'api-2  | api up']);
  });

  test('logs -f follows until Ctrl-C, then exits 130 without a stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'logs', 'web', '-f', '--file', file], { cwd: dir, env: { ...process.env, DOCKER_HOST, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if ((stdout.match(/hello from web/g) ?? []).length === 2) resolve();
      }),
    );
    expect(child.exitCode).toBe(null); // still following
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr.replace(/^web-\d {2}\| oops\n/gm, '')).toBe('');
  });

  test('exec runs in replica 1 by default, SERVICE#N in that one, and exits with the command\'s code', async () => {
    const hostnames = JSON.parse((await run('ps', '--json')).stdout).containers as { id: string; replica: number; service: string }[];
    const one = await run('exec', 'web', '--', 'hostname');
    expect(one.code, one.stderr).toBe(0);
    expect(hostnames.find((c) => c.service === 'web' && c.replica === 1)!.id).toContain(one.stdout.trim());
    const two = await run('exec', 'web#2', '--', 'hostname');
    expect(hostnames.find((c) => c.service === 'web' && c.replica === 2)!.id).toContain(two.stdout.trim());
    expect((await run('exec', 'web#2', '--', 'sh', '-c', 'exit 7')).code).toBe(7);
    const task = await run('exec', 'api#2', '--', 'echo', 'in a task');
    expect([task.code, task.stdout]).toEqual([0, 'in a task\n']);
    const missing = await run('exec', 'web#9', '--', 'true');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('web has no replica 9; replicas: 1, 2');
  });

  test('exec gets a terminal (-it) when run at one, as docker compose exec; -T and a pipe do not', async () => {
    const atTerminal = (...args: string[]) =>
      spawnSync('script', ['-qec', [process.execPath, BIN, 'exec', '-f', file, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { cwd: dir, env: { ...process.env, DOCKER_HOST }, encoding: 'utf8', timeout: 120_000 });
    // script(1) may echo the end of its empty stdin (^@) around the output.
    const tty = atTerminal('web', '--', 'tty').stdout;
    expect(tty).toMatch(/\/dev\/pts\/\d+\r?\n/);
    expect(tty).not.toMatch(/not a tty/);
    expect(atTerminal('-T', 'web', '--', 'tty').stdout).toMatch(/not a tty/);
    expect((await run('exec', 'web', '--', 'tty')).stdout).toMatch(/not a tty/);
  });

  test('docker-compose -p NAME ps on a machine lists its replica (compose labels)', async () => {
    // Debian's docker-compose is 1.29: it lists the project's containers of the services its file names.
    const composeDir = mkdtempSync(join(tmpdir(), 'cl-ops-compose-'));
    writeFileSync(join(composeDir, 'docker-compose.yml'), 'version: "3"\nservices:\n  web: { image: busybox:latest }\n');
    const listed = ['manager', 'worker'].flatMap((m) => {
      const r = spawnSync('docker-compose', ['-p', NAME, 'ps'], { cwd: composeDir, env: { ...process.env, DOCKER_HOST: socketOf(m) }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n').filter((l) => l.startsWith(`${NAME}-web-`)).map((l) => l.split(/\s+/)[0]);
    });
    expect(listed.sort()).toEqual([`${NAME}-web-1`, `${NAME}-web-2`]);
  });

  test('docker stack ps NAME on the manager lists the swarm service\'s tasks (stack namespace label)', async () => {
    const r = spawnSync('docker', ['stack', 'ps', NAME, '--format', '{{.Name}} {{.CurrentState}}'], { env: { ...process.env, DOCKER_HOST: socketOf('manager') }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const names = r.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[0]).sort();
    expect(names).toEqual([`${NAME}_api.1`, `${NAME}_api.2`]);
    expect(r.stdout).toMatch(/Running/);
  });
});
