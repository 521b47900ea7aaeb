// The image docker-driver machines run. The official `docker:dind` by default; where it cannot be
// pulled (no registry, as on air-gapped hosts) an equivalent node image is built once, offline, from
// the host's own engine binaries.
import type Dockerode from 'dockerode';
import { buildNodeImage, NODE_ENTRYPOINT, nodeRecipeVersion } from './node-image.js';
import { tolerate } from '../../engine/errors.js';

export const DEFAULT_NODE_IMAGE = 'docker:dind';

export interface NodeImage {
  image: string;
  /** Command for the official image's entrypoint; our own image's entrypoint needs none. */
  cmd?: string[];
}

const ENGINE_ARGS = ['--host=unix:///engine/docker.sock', '--config-file=/engine/daemon.json'];

export async function ensureNodeImage(host: Dockerode, wanted: string | undefined, log: (line: string) => void): Promise<NodeImage> {
  const image = wanted ?? DEFAULT_NODE_IMAGE;
  const official = { image, cmd: ['dockerd', ...ENGINE_ARGS] };
  if ((await present(host, image)) || (await pull(host, image))) {
    // One of our own node images under a name the manifest gives (`image: my-node:2`): its entrypoint starts dockerd itself.
    return (await entrypointOf(host, image))?.[0] === NODE_ENTRYPOINT ? { image } : official;
  }
  if (wanted) throw new Error(`machine image ${wanted} is not on the host engine and cannot be pulled; load it (docker load) or drop the image: option to use a node image built from the host's engine`);
  const version = (await host.version()).Version.replace(/[^\w.-]/g, '_');
  const tag = `cluster-node:${version}-${nodeRecipeVersion()}`;
  if (!(await present(host, tag))) {
    log(`${image} cannot be pulled; building ${tag} offline from the host's engine binaries (once)`);
    await buildNodeImage(host, tag, log);
  }
  return { image: tag };
}

async function entrypointOf(host: Dockerode, image: string): Promise<string[] | undefined> {
  const entrypoint = (await host.getImage(image).inspect()).Config?.Entrypoint;
  return typeof entrypoint === 'string' ? [entrypoint] : (entrypoint ?? undefined);
}

async function present(host: Dockerode, image: string): Promise<boolean> {
  return host
    .getImage(image)
    .inspect()
    .then(() => true, (err: unknown) => tolerate('notFound')(err) ?? false);
}

async function pull(host: Dockerode, image: string): Promise<boolean> {
  try {
    const stream = await host.pull(image);
    const events = await new Promise<{ error?: string }[]>((resolve, reject) => host.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => (err ? reject(err) : resolve(out))));
    // A failed pull ends without an error; the error is in the last event.
    return !events.some((e) => e.error) && (await present(host, image));
  } catch {
    return false;
  }
}
