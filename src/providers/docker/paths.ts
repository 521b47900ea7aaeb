// Where a docker-driver machine keeps its files on the host: `<manifest dir>/.cluster/machines/<name>/`
// holds the engine's unix socket and daemon.json, bind-mounted at /engine inside the machine.
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// sun_path is 108 bytes on Linux; a deep project folder would make the socket unreachable.
const MAX_SOCKET_PATH = 100;

export function machineFolder(dir: string, cluster: string, machine: string): string {
  const folder = join(dir, '.cluster', 'machines', machine);
  if (join(folder, 'docker.sock').length <= MAX_SOCKET_PATH) return folder;
  const key = createHash('sha256').update(`${dir}\0${cluster}\0${machine}`).digest('hex').slice(0, 16);
  return join(tmpdir(), 'cluster-machines', key);
}

export function socketUrl(folder: string): string {
  return `unix://${join(folder, 'docker.sock')}`;
}

/** Host container and volume names: one per machine, prefixed by the cluster so clusters never collide. */
export function machineContainerName(cluster: string, machine: string): string {
  return `${cluster}-${machine}`;
}

export function machineVolumeName(cluster: string, machine: string): string {
  return `${cluster}-${machine}-var-lib-docker`;
}
