// Images: copied or pulled onto a machine, or built on the docker driver's host engine.
import { normalizeImage } from '../../model/naming.js';
import type { ActionContext } from './context.js';
import type { Executors } from './types.js';
import { traitsOf } from '../../providers/index.js';

export const imageExecutors = {
  'image.ensure': async (ctx, a) => {
    await ctx.engine(a.machine).ensureImage(ctx.realImage(a.image), ctx.driver(a.machine).hostEngine?.());
  },
  'image.build': (ctx, a) => build(ctx, a.service),
} satisfies Partial<Executors>;

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
