// What the bundled CLI loads at start (scripts/bundle.mjs): ssh2 (35-45 ms of CPU) only when an engine is
// reached over ssh://, never for a unix:// one, although docker-modem requires it at load.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cluster-start-'));
writeFileSync(join(dir, 'cluster.yml'), 'name: startcost\nmachines:\n  m1: { driver: docker }\n');
// Preloaded into the CLI's process: which packages node loaded from node_modules, printed at exit.
writeFileSync(
  join(dir, 'loaded.mjs'),
  `import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(['ssh2', '@grpc/grpc-js'].filter((p) => Object.keys(cache).some((f) => f.includes('/node_modules/' + p + '/')))) + '\\n'));
`,
);

function planOn(host: string): { stderr: string; loaded: string[] } {
  const r = cluster(['plan'], { cwd: dir, env: { DOCKER_HOST: host, NODE_OPTIONS: `--import=${join(dir, 'loaded.mjs')}` } });
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  expect(line, r.stderr).toBeDefined();
  return { stderr: r.stderr, loaded: JSON.parse(line!.slice('LOADED '.length)) as string[] };
}

test('a docker-driver command on a unix:// engine loads neither ssh2 nor gRPC', () => {
  const r = planOn('unix:///nonexistent/cluster-start-cost.sock');
  expect(r.stderr).toContain('does not answer at unix:///nonexistent/cluster-start-cost.sock');
  expect(r.loaded).toEqual([]);
});

test('an ssh:// engine still goes through ssh2, loaded on first use', () => {
  const r = planOn('ssh://nobody@127.0.0.1:1');
  // Refused by the port: ssh2 was loaded and tried to connect.
  expect(r.stderr).toContain('ECONNREFUSED');
  expect(r.loaded).toEqual(['ssh2']);
});
