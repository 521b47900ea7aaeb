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

/**
 * The image a new machine runs. Pulled only when it is not on the host engine: `docker run`'s default
 * (docker/cli cli/command/container/create.go, createContainer: a pull on ContainerCreate's not-found
 * with PullImageMissing), so an image present locally costs one inspect. Where the default cannot be
 * pulled (no registry), the offline node image: its name and presence are asked beside the first look,
 * since on such a host every machine's create ends there.
 */
export async function ensureNodeImage(host: Dockerode, wanted: string | undefined, log: (line: string) => void): Promise<NodeImage> {
  const image = wanted ?? DEFAULT_NODE_IMAGE;
  const official = { image, cmd: ['dockerd', ...ENGINE_ARGS] };
  const offline = wanted ? undefined : offlineNodeImage(host);
  offline?.catch(() => undefined); // awaited below only when the default is missing
  const info = (await inspect(host, image)) ?? ((await pull(host, image)) ? await inspect(host, image) : undefined);
  // One of our own node images under a name the manifest gives (`image: my-node:2`): its entrypoint starts dockerd itself.
  if (info) return entrypointOf(info)?.[0] === NODE_ENTRYPOINT ? { image } : official;
  if (wanted) throw new Error(`machine image ${wanted} is not on the host engine and cannot be pulled; load it (docker load) or drop the image: option to use a node image built from the host's engine`);
  const { tag, present } = await offline!;
  if (!present) {
    log(`${image} cannot be pulled; building ${tag} offline from the host's engine binaries (once)`);
    await buildNodeImage(host, tag, log);
  }
  return { image: tag };
}

/** The offline node image for this host engine's version, and whether it is built already. */
async function offlineNodeImage(host: Dockerode): Promise<{ tag: string; present: boolean }> {
  const version = (await host.version()).Version.replace(/[^\w.-]/g, '_');
  const tag = `cluster-node:${version}-${nodeRecipeVersion()}`;
  return { tag, present: (await inspect(host, tag)) !== undefined };
}

function entrypointOf(info: Dockerode.ImageInspectInfo): string[] | undefined {
  const entrypoint = info.Config?.Entrypoint as string | string[] | null | undefined;
  return typeof entrypoint === 'string' ? [entrypoint] : (entrypoint ?? undefined);
}

/** The image's inspect, or undefined when the host engine does not have it. */
async function inspect(host: Dockerode, image: string): Promise<Dockerode.ImageInspectInfo | undefined> {
  return host
    .getImage(image)
    .inspect()
    .catch(tolerate('notFound'));
}

async function pull(host: Dockerode, image: string): Promise<boolean> {
  try {
    const stream = await host.pull(image);
    const events = await new Promise<{ error?: string }[]>((resolve, reject) => host.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => (err ? reject(err) : resolve(out))));
    // A failed pull ends without an error; the error is in the last event.
    return !events.some((e) => e.error);
  } catch {
    return false;
  }
}
