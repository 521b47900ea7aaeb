// Images on machines: what a container needs is there, pulled, or copied from the host engine —
// and a compose `build:` image is built there once, before any machine gets it.
import type { Desired, DesiredService } from '../model/desired.js';
import { pinnedImage } from '../model/image-ref.js';
import type { Observed } from '../model/observed.js';
import type { ActionList } from './builder.js';
import type { MachineSteps } from './machines.js';
import { normalizeImage } from '../model/naming.js';

export type ImagePresent = (machine: string, ref: string) => boolean;

/**
 * The image a service's containers are made from: its tag, or, once `pull_policy: always` resolved
 * it, `<repository>@<digest>` (as `docker stack deploy` pins a service), so every machine runs the
 * content the plan saw even if the tag moves again during the apply.
 */
export function serviceImage(service: DesiredService): string {
  return service.imageDigest ? pinnedImage(service.spec.image, service.imageDigest) : normalizeImage(service.spec.image);
}

/** One warning per `pull_policy: always` image whose digest could not be resolved: its replicas stay as they are. */
export function digestWarnings(desired: Desired, observed: Observed): string[] {
  const out: string[] = [];
  for (const [ref, r] of Object.entries(observed.imageDigests ?? {})) {
    if (!('error' in r)) continue;
    const users = desired.services.filter((s) => s.pullPolicy === 'always' && normalizeImage(s.spec.image) === ref).map((s) => s.name);
    out.push(`image ${ref} (pull_policy always, ${users.join(', ')}): its digest could not be resolved, so its replicas are kept as they are: ${r.error}`);
  }
  return out;
}

/** The action that puts `service`'s image on `machine`, or undefined when it is there already. */
export function imageStep(present: ImagePresent, machines: MachineSteps, list: ActionList, machine: string, service: DesiredService): string | undefined {
  const ref = serviceImage(service);
  if (!machines.leaving.has(machine) && present(machine, ref)) return undefined;
  const build = service.spec.build
    ? list.add(ref, { kind: 'image.build', machine: '', service: service.name, image: ref, context: service.spec.build.context, after: [], cause: 'missing', reason: `compose build of ${service.name}` })
    : undefined;
  return list.add(`${machine}:${ref}`, { kind: 'image.ensure', machine, image: ref, after: [machines.ready(machine), build], cause: 'missing', reason: build ? 'the built image is copied to the machine' : service.imageDigest ? 'image digest missing on machine' : 'image missing on machine' });
}
