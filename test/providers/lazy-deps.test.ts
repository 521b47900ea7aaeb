// src/providers/docker/lazy-deps.ts: dockerode's gRPC/protobuf and docker-modem's ssh2 are not
// loaded with dockerode (start-up cost), and still load when used. In a child process: a vitest
// worker's require cache is shared with whatever other files loaded.
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';

const script = `
import { createRequire } from 'node:module';
const { dockerodeFor } = await import('./src/providers/docker/connection.ts');
const loaded = (pkg) => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/node_modules/' + pkg + '/'));
const before = { ssh2: loaded('ssh2'), grpc: loaded('@grpc/grpc-js'), dockerode: loaded('dockerode') };
const error = await dockerodeFor('ssh://nobody@127.0.0.1:1', undefined, 5000).ping().then(() => 'answered', (e) => e.code ?? e.message);
console.log(JSON.stringify({ before, error, after: { ssh2: loaded('ssh2') } }));
`;

test('ssh2 and gRPC load on first use, not with dockerode; an ssh:// engine still connects through ssh2', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  expect(out.before).toEqual({ ssh2: false, grpc: false, dockerode: true });
  // Refused by the port, i.e. ssh2 was loaded and tried: the deferred require works.
  expect(out.error).toBe('ECONNREFUSED');
  expect(out.after.ssh2).toBe(true);
});
