// The image a docker-driver machine runs (src/providers/docker/node.ts, ensureNodeImage), on the real
// private engine, which has no registry: `docker:dind` cannot be pulled there, so the default falls
// back to the offline node image; a present image is used as it is (one inspect, as `docker run` pulls
// only a missing image: docker/cli cli/command/container/create.go, createContainer), and its
// entrypoint says whether it needs dockerd's command line.
import { expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { DEFAULT_NODE_IMAGE, ensureNodeImage } from '../../src/providers/docker/node.js';
import { nodeRecipeVersion } from '../../src/providers/docker/node-image.js';
import { DOCKER_HOST } from './env.js';

const host = dockerodeFor(DOCKER_HOST);
const log: string[] = [];
const offlineTag = async () => `cluster-node:${(await host.version()).Version.replace(/[^\w.-]/g, '_')}-${nodeRecipeVersion()}`;
const present = (image: string) => host.getImage(image).inspect().then(() => true, () => false);

test('the default, where it cannot be pulled: the offline node image of this engine (built by global-setup), without a command', async () => {
  expect(await present(DEFAULT_NODE_IMAGE)).toBe(false); // this sandbox has no registry; elsewhere the test says nothing
  expect(await ensureNodeImage(host, undefined, (l) => log.push(l))).toEqual({ image: await offlineTag() });
  expect(log).toEqual([]); // present already: nothing built
});

test('an image the manifest names that is present: used as it is; ours needs no command, any other gets dockerd', async () => {
  const ours = await offlineTag();
  expect(await ensureNodeImage(host, ours, (l) => log.push(l))).toEqual({ image: ours });
  const other = 'busybox:latest'; // made by scripts/docker-env.sh start; its entrypoint is not ours
  expect(await present(other)).toBe(true);
  expect(await ensureNodeImage(host, other, (l) => log.push(l))).toEqual({ image: other, cmd: ['dockerd', '--host=unix:///engine/docker.sock', '--config-file=/engine/daemon.json'] });
});

test('an image the manifest names that is missing and cannot be pulled: a clear error, no fallback', async () => {
  await expect(ensureNodeImage(host, 'cluster-no-such-node-image:1', (l) => log.push(l))).rejects.toThrow(/machine image cluster-no-such-node-image:1 is not on the host engine and cannot be pulled/);
});
