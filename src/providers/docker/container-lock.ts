// The apply lock as a created, never-started container named after the cluster, on an engine every
// run reaches (the docker driver's host, a generic cluster's first machine). The daemon reserves
// container names atomically — the second create gets 409 — whereas network names are not unique
// (two racing creates both succeed: the lock of earlier versions). The lease is a file `/lease`
// written into the container (PUT archive) whose mtime is the last renewal; removal goes by
// container id, so a run never removes a newer lock that took the name.
//
// A container needs an image, and a generic engine may have none and no registry: `cluster-lock:1`
// is imported from an empty tar (`docker import`, ~0.1 s, once per engine), only when missing.
import type Dockerode from 'dockerode';
import { pack } from 'tar-stream';
import { LABEL } from '../../model/observed.js';
import { LOCK_IMAGE as IMAGE, LOCK_KIND, lockObjectName, parseLockInfo, type LockInfo, type LockLeftover, type LockRecord, type LockStore } from '../lock-store.js';
import { progressError, toEngineError, tolerate } from '../../engine/errors.js';

const KIND = 'io.cluster.kind';
const INFO = 'io.cluster.lock';
const LEASE_FILE = 'lease';
/** The lock went away while it was being read. */
const GONE: unique symbol = Symbol('gone');

export class ContainerLockStore implements LockStore {
  readonly where: string;
  private readonly name: string;

  constructor(
    private readonly docker: Dockerode,
    private readonly cluster: string,
    engineUrl: string,
  ) {
    this.name = lockObjectName(cluster);
    this.where = `container ${this.name} on ${engineUrl}`;
  }

  async tryCreate(info: LockInfo): Promise<{ created: LockRecord } | { held: LockRecord | undefined }> {
    const spec = {
      name: this.name,
      Image: IMAGE,
      Cmd: ['lock'], // never run; the daemon wants a command for an image without one
      Labels: { [LABEL.cluster]: this.cluster, [KIND]: LOCK_KIND, [INFO]: JSON.stringify(info) },
      HostConfig: { NetworkMode: 'none' },
    };
    try {
      const c = await this.docker.createContainer(spec).catch(async (err: unknown) => {
        if (toEngineError(err).kind !== 'notFound') throw err; // 404: no such image
        await importLockImage(this.docker);
        return this.docker.createContainer(spec);
      });
      return { created: { ref: c.id, info, renewedAt: Date.parse(info.since) } };
    } catch (err) {
      if (toEngineError(err).kind !== 'conflict') throw err;
      return { held: await this.read() };
    }
  }

  async read(): Promise<LockRecord | undefined> {
    const c = await this.docker
      .getContainer(this.name)
      .inspect()
      .catch(tolerate('notFound'));
    if (!c) return undefined;
    const labels = c.Config.Labels ?? {};
    if (labels[KIND] !== LOCK_KIND || labels[LABEL.cluster] !== this.cluster) {
      throw new Error(`a container named ${this.name} that is not this cluster's lock is in the way (${this.where}): rename or remove it`);
    }
    const info = parseLockInfo(labels[INFO]);
    const lease = await this.leaseTime(c.Id).catch(async (err: unknown): Promise<typeof GONE> => {
      // Its holder released it between the inspect and this read: the daemon answers the archive's HEAD
      // of a container being removed with a bare 500 ("server error"; seen in two applies racing). A lock
      // that is gone, or going, is not held: the caller tries to take it again.
      const now = await this.docker.getContainer(c.Id).inspect().catch(tolerate('notFound'));
      if (!now || now.State.Status === 'removing' || now.State.Dead) return GONE;
      throw err;
    });
    if (lease === GONE) return undefined;
    return { ref: c.Id, ...(info ? { info } : {}), renewedAt: lease ?? (info ? Date.parse(info.since) : Date.parse(c.Created)) };
  }

  async renew(mine: LockRecord): Promise<boolean> {
    const tar = pack();
    tar.entry({ name: LEASE_FILE, mtime: new Date(), mode: 0o644 }, `${mine.info?.id ?? ''}\n`);
    tar.finalize();
    try {
      await this.docker.getContainer(mine.ref).putArchive(tar as unknown as NodeJS.ReadableStream, { path: '/' });
      return true;
    } catch (err) {
      if (toEngineError(err).kind === 'notFound') return false;
      throw err;
    }
  }

  async remove(record: LockRecord): Promise<boolean> {
    try {
      await this.docker.getContainer(record.ref).remove({ force: true });
      return true;
    } catch (err) {
      if (toEngineError(err).kind === 'notFound') return false;
      throw err;
    }
  }

  /** Lock networks of earlier versions (possibly duplicated: same name, several ids) and any lock container not at the lock's name. */
  async leftovers(): Promise<LockLeftover[]> {
    const label = [`${LABEL.cluster}=${this.cluster}`, `${KIND}=${LOCK_KIND}`];
    const [networks, containers] = await Promise.all([this.docker.listNetworks({ filters: { label } }), this.docker.listContainers({ all: true, filters: { label } })]);
    const gone = tolerate('notFound');
    return [
      ...networks.map((n) => ({
        what: `the lock network ${n.Name} (${n.Id.slice(0, 12)}) of an earlier version of cluster`,
        remove: async () => void (await this.docker.getNetwork(n.Id).remove().catch(gone)),
      })),
      ...containers
        .filter((c) => !c.Names.includes(`/${this.name}`))
        .map((c) => ({
          what: `the stray lock container ${c.Names[0]?.slice(1) ?? ''} (${c.Id.slice(0, 12)})`,
          remove: async () => void (await this.docker.getContainer(c.Id).remove({ force: true }).catch(gone)),
        })),
    ];
  }

  /** The mtime of /lease (HEAD archive: a header, no body), or undefined before the first renewal. */
  private async leaseTime(id: string): Promise<number | undefined> {
    const res = (await this.docker
      .getContainer(id)
      .infoArchive({ path: `/${LEASE_FILE}` })
      .catch(tolerate('notFound'))) as { headers?: Record<string, string> } | undefined;
    const stat = res?.headers?.['x-docker-container-path-stat'];
    if (!stat) return undefined;
    const mtime = Date.parse((JSON.parse(Buffer.from(stat, 'base64').toString('utf8')) as { mtime?: string }).mtime ?? '');
    return Number.isNaN(mtime) ? undefined : mtime;
  }
}

async function importLockImage(docker: Dockerode): Promise<void> {
  const empty = pack();
  empty.finalize();
  const stream = await docker.importImage(empty as unknown as string, { repo: IMAGE.split(':')[0], tag: IMAGE.split(':')[1], changes: [`LABEL ${KIND}=lock-image`] } as object);
  const events = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, out: { error?: string; errorDetail?: { message?: string } }[]) => (err ? reject(err) : resolve(out))));
  const failed = progressError(events);
  if (failed) throw new Error(`making the lock image ${IMAGE} failed: ${failed}`);
}

