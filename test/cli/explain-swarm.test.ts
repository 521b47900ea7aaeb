// `cluster explain` of a swarm-mode service: the swarm places it, so say that and show its rules.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

test('explain names the swarm as the scheduler of a swarm-mode service, with its constraints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'explain-swarm-'));
  writeFileSync(
    join(dir, 'cluster.yml'),
    'name: t\nmachines:\n  mgr: { driver: sim, role: manager, cpus: 2, memory: 2g }\nservices:\n  api:\n    mode: swarm\n    image: nginx\n    scale: 3\n    deploy: { placement: { constraints: ["node.labels.size == xxl"] } }\n',
  );
  const r = cluster(['explain', 'api'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('service api runs in swarm mode (3 replicas): the swarm places its tasks');
  expect(r.stdout).toContain('constraints: node.labels.size == xxl');
});
