// A real container registry for tests: Debian's `docker-registry` (Distribution 2.8) with htpasswd
// (bcrypt) auth, on a free port of every address (machines reach it through their bridge's gateway),
// storing under a temporary folder. Started and stopped by the test that needs it; nothing of it
// outlives the test (the process is killed, the folder removed).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRegistry {
  port: number;
  user: string;
  password: string;
  /** Everything the registry logged (each request with its user, `auth.user.name=...`). */
  log(): string;
  stop(): Promise<void>;
}

const REGISTRY = '/usr/bin/docker-registry';

export async function startRegistry(user = 'tester', password = `pw-${process.pid}-${Date.now()}`): Promise<TestRegistry> {
  for (const tool of [REGISTRY, 'htpasswd']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is not installed: run \`bash scripts/docker-env.sh install\` (Debian packages docker-registry and apache2-utils)`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'cl-registry-'));
  // Distribution's htpasswd auth accepts bcrypt entries only (registry/auth/htpasswd).
  writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', user, password]));
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: info, formatter: text }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: "0.0.0.0:${port}" }`,
      `auth: { htpasswd: { realm: cluster-test, path: ${join(dir, 'htpasswd')} } }`,
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn(REGISTRY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready once /v2/ answers (401 without credentials).
  for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const status = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.status, () => 0);
    if (status === 401) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start on port ${port}: ${output.slice(-1000)}`);
    }
  }
  return { port, user, password, log: () => output, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '0.0.0.0', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
