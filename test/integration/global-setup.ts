// Integration tests run against a real dockerd: start the private one (scripts/docker-env.sh) unless
// it already answers, and stop it afterwards if this run started it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { dockerodeFor } from '../../src/engine/docker-connection.js';
import { DOCKER_HOST } from './env.js';

const script = join(import.meta.dirname, '../../scripts/docker-env.sh');

async function answers(): Promise<boolean> {
  return dockerodeFor(DOCKER_HOST, undefined, 3000)
    .ping()
    .then(() => true, () => false);
}

export default async function setup(): Promise<() => void> {
  const wasUp = await answers();
  if (!process.env.CLUSTER_TEST_DOCKER_HOST) execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
  if (!(await answers())) throw new Error(`no Docker engine answers at ${DOCKER_HOST}: run \`bash scripts/docker-env.sh install\` (Debian, root) first`);
  process.env.DOCKER_HOST = DOCKER_HOST;
  return () => {
    if (!wasUp && !process.env.CLUSTER_TEST_DOCKER_HOST) execFileSync('bash', [script, 'stop'], { stdio: 'inherit' });
  };
}
