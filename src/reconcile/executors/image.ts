// Images: copied or pulled onto a machine, or built on the docker driver's host engine.
import { errorMessage } from '../../engine/errors.js';
import { dockerConfigFile, registryCredentials } from '../../engine/registry-auth.js';
import type { ImageFetch } from '../../engine/types.js';
import { registryOf } from '../../model/image-ref.js';
import { serviceImage } from '../../plan/images.js';
import { normalizeImage } from '../../model/naming.js';
import type { ActionContext } from './context.js';
import type { Executors } from './types.js';
import { traitsOf } from '../../providers/index.js';

export const imageExecutors = {
  'image.ensure': async (ctx, a) => {
    const image = ctx.realImage(a.image);
    const fetch = imageFetch(ctx, image);
    await ctx.engine(a.machine).ensureImage(image, ctx.driver(a.machine).hostEngine?.(), fetch).catch((err: unknown) => {
      const message = errorMessage(err);
      if (!/unauthorized|authentication required|no basic auth|denied/i.test(message)) throw err;
      const registry = registryOf(image);
      throw new Error(`${message}; the registry ${registry} refused ${fetch.auth ? 'the credentials' : 'a pull without credentials'} from the docker config (${dockerConfigFile()}): \`docker login ${registry}\` with an account that may pull it`, { cause: err });
    });
  },
  'image.build': (ctx, a) => build(ctx, a.service),
} satisfies Partial<Executors>;

/**
 * How a machine may fetch `image`: with the user's registry credentials (X-Registry-Auth), and not
 * at all for a `pull_policy: never` service (then only copied from the host engine, or an error).
 */
export function imageFetch(ctx: ActionContext, image: string): ImageFetch {
  const users = [...ctx.services.values()].filter((s) => serviceImage(s) === image);
  if (users.length && users.every((s) => s.pullPolicy === 'never' || s.pullPolicy === 'build')) return { pull: false };
  const creds = registryCredentials(registryOf(image));
  return creds.auth ? { auth: creds.auth } : {};
}

/** On the docker driver's host engine, where image.ensure copies from; simulated clusters only pretend. */
async function build(ctx: ActionContext, serviceName: string): Promise<void> {
  const spec = ctx.services.get(serviceName)?.spec;
  const recipe = spec?.build;
  if (!recipe) throw new Error(`service ${serviceName} has no build in the manifest any more`);
  const image = normalizeImage(spec.image);
  const host = [...ctx.drivers.values()].map((d) => d.hostEngine?.()).find((e) => e?.buildImage);
  if (host) return host.buildImage!(image, recipe);
  if (ctx.desired.machines.every((m) => traitsOf(m.driver).simulated)) return;
  throw new Error(`cannot build ${image}: building needs a machine on the docker driver (its host engine builds, then copies the image)`);
}
