// `cluster validate|plan -c docker-compose.yml` in a folder without cluster.yml (the README's "Compose
// files" section): the compose app runs on default machines, and the output says so instead of calling
// a cluster.yml that does not exist valid (seen in the newcomer tmux session).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

const COMPOSE = 'services:\n  web:\n    image: busybox:latest\n    command: httpd -f -p 80\n  cache:\n    image: busybox:latest\n    profiles: [debug]\n';
const NOTE = 'note: no cluster.yml: the compose app runs on the default machines (manager, worker-1, worker-2 on the docker driver); write cluster.yml to choose them\n';

test('validate names the compose files it read and says the machines are the default ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-compose-only-'));
  writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
  writeFileSync(join(dir, 'prod.yml'), 'services:\n  web:\n    environment: [MODE=prod]\n');
  const name = JSON.stringify(dir.split('/').pop()!.toLowerCase());
  const one = cluster(['validate', '-c', 'docker-compose.yml'], { cwd: dir });
  expect([one.code, one.stdout, one.stderr]).toEqual([0, `docker-compose.yml is valid: cluster ${name}, 3 machines, 1 service (1 replica).\n`, NOTE]);
  const two = cluster(['validate', '-c', 'docker-compose.yml', '-c', 'prod.yml', '--profile', 'debug'], { cwd: dir });
  expect(two.stdout).toBe(`docker-compose.yml, prod.yml are valid: cluster ${name}, 3 machines, 2 services (2 replicas).\n`);
  // --json keeps stdout a document; the note is on stderr only
  const json = cluster(['validate', '-c', 'docker-compose.yml', '--json'], { cwd: dir });
  expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, machines: 3 });

  // beside a manifest, both are named and nothing is said about default machines
  writeFileSync(join(dir, 'cluster.yml'), 'name: own\nmachines:\n  m: { driver: sim }\n');
  const both = cluster(['validate', '-c', 'docker-compose.yml'], { cwd: dir });
  expect([both.stdout, both.stderr]).toEqual(['cluster.yml, docker-compose.yml are valid: cluster "own", 1 machine, 1 service (1 replica).\n', '']);
});
