// Integration tests run against a real dockerd: start the private one (scripts/docker-env.sh) unless
// it already answers, and stop it afterwards if this run started it. Before and after, the machines
// networks that tests' clusters left (made from a temporary folder, nothing attached) are removed.
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { ensureNodeImage } from '../../src/providers/docker/node.js';
import { DOCKER_HOST } from './env.js';

const script = join(import.meta.dirname, '../../scripts/docker-env.sh');

async function answers(): Promise<boolean> {
  return dockerodeFor(DOCKER_HOST, undefined, 3000)
    .ping()
    .then(() => true, () => false);
}

/**
 * A docker-driver cluster's machines network outlives a test that failed before its destroy. Only
 * networks of that kind made from a folder under the temporary directory (where the tests make their
 * clusters) with no container on them (running or not) go: never a user's, never one in use.
 */
async function sweepMachinesNetworks(): Promise<void> {
  const host = dockerodeFor(DOCKER_HOST);
  const networks = await host.listNetworks({ filters: { label: ['io.cluster.kind=machines-network'] } }).catch(() => []);
  for (const n of networks) {
    if (!(n.Labels?.['io.cluster.folder'] ?? '').startsWith(join(tmpdir(), 'cl-'))) continue;
    const attached = await host.listContainers({ all: true, filters: { network: [n.Id, n.Name] } });
    if (attached.length === 0) await host.getNetwork(n.Id).remove().catch(() => undefined);
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const wasUp = await answers();
  if (!process.env.CLUSTER_TEST_DOCKER_HOST) execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
  if (!(await answers())) throw new Error(`no Docker engine answers at ${DOCKER_HOST}: run \`bash scripts/docker-env.sh install\` (Debian, root) first`);
  process.env.DOCKER_HOST = DOCKER_HOST;
  await sweepMachinesNetworks();
  // The files run side by side: on a fresh engine each would build the offline node image at once.
  await ensureNodeImage(dockerodeFor(DOCKER_HOST), undefined, (line) => process.stderr.write(`global-setup: ${line}\n`));
  return async () => {
    await sweepMachinesNetworks();
    if (!wasUp && !process.env.CLUSTER_TEST_DOCKER_HOST) execFileSync('bash', [script, 'stop'], { stdio: 'inherit' });
  };
}
