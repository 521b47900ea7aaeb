// A docker-driver machine's /var/lib/docker lives on a named volume. It is created explicitly, with
// the cluster's labels and the folder that made it, so that (1) destroy finds it even when the
// machine's container is gone (a removal killed half-way, a container removed by hand) and (2) a new
// machine never boots on a volume it did not make: another checkout's, a planted one, or the leftover
// of a dead swarm (it would come up inside that swarm).
import type Dockerode from 'dockerode';
import { EngineError, tolerate } from '../../engine/errors.js';
import { LABEL } from '../../model/observed.js';
import { machineFolder, machineVolumeName } from './paths.js';

const KIND = 'io.cluster.kind';
const VOLUME_KIND = 'machine-volume';
const FOLDER = 'io.cluster.folder';

export interface VolumeOwner {
  cluster: string;
  /** The manifest's folder: the identity of whoever made the volume. */
  dir: string;
}

/** A new, empty, labelled volume for `machine`; a leftover of ours is removed first, anyone else's refused. */
export async function freshMachineVolume(host: Dockerode, owner: VolumeOwner, machine: string, extraLabels: Record<string, string> = {}): Promise<string> {
  const name = machineVolumeName(owner.cluster, machine);
  const folder = machineFolder(owner.dir, owner.cluster, machine);
  const existing = (await host.getVolume(name).inspect().catch(tolerate('notFound'))) as { Labels?: Record<string, string> | null } | undefined;
  if (existing) {
    const labels = existing.Labels ?? {};
    const ours = labels[LABEL.cluster] === owner.cluster && labels[LABEL.machine] === machine && labels[FOLDER] === folder;
    if (!ours) {
      throw new EngineError('conflict', `the host engine already has a volume named ${name} that this folder did not make (another checkout's, an earlier version's, or a planted one): a new machine never boots on it; remove it yourself (docker volume rm ${name}) if it is stale`);
    }
    await host.getVolume(name).remove().catch(tolerate('notFound'));
  }
  await host.createVolume({ Name: name, Labels: { [LABEL.cluster]: owner.cluster, [LABEL.machine]: machine, [KIND]: VOLUME_KIND, [FOLDER]: folder, ...extraLabels } });
  return name;
}

/** Machines of this folder's cluster that still have a volume, whatever happened to their container. */
export async function machinesWithVolumes(host: Dockerode, owner: VolumeOwner, isMachineName: (name: string) => boolean): Promise<string[]> {
  const { Volumes } = await host.listVolumes({ filters: { label: [`${LABEL.cluster}=${owner.cluster}`, `${KIND}=${VOLUME_KIND}`] } });
  return (Volumes ?? [])
    .map((v) => ({ machine: v.Labels?.[LABEL.machine] ?? '', volume: v }))
    .filter(({ machine, volume }) => isMachineName(machine) && volume.Name === machineVolumeName(owner.cluster, machine) && volume.Labels?.[FOLDER] === machineFolder(owner.dir, owner.cluster, machine))
    .map(({ machine }) => machine)
    .sort();
}
