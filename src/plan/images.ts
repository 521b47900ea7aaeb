// Images on machines: what a container needs is there, pulled, or copied from the host engine —
// and a compose `build:` image is built there once, before any machine gets it.
import type { DesiredService } from '../model/desired.js';
import type { ActionList } from './builder.js';
import type { MachineSteps } from './machines.js';
import { normalizeImage } from '../model/naming.js';

export type ImagePresent = (machine: string, ref: string) => boolean;

/** The action that puts `service`'s image on `machine`, or undefined when it is there already. */
export function imageStep(present: ImagePresent, machines: MachineSteps, list: ActionList, machine: string, service: DesiredService): string | undefined {
  const ref = normalizeImage(service.spec.image);
  if (!machines.leaving.has(machine) && present(machine, ref)) return undefined;
  const build = service.spec.build
    ? list.add(ref, { kind: 'image.build', machine: '', service: service.name, image: ref, context: service.spec.build.context, after: [], cause: 'missing', reason: `compose build of ${service.name}` })
    : undefined;
  return list.add(`${machine}:${ref}`, { kind: 'image.ensure', machine, image: ref, after: [machines.ready(machine), build], cause: 'missing', reason: build ? 'the built image is copied to the machine' : 'image missing on machine' });
}
