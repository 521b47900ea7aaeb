// The apply lock as a labelled network on an engine every run reaches (the docker driver's host,
// or a generic cluster's first machine): creating a name twice is refused (409), so exactly one
// run holds it, whichever computer it runs on.
import type Dockerode from 'dockerode';
import { LABEL } from '../model/observed.js';
import type { LockInfo, LockStore } from '../reconcile/lock.js';

const KIND = 'io.cluster.kind';

export class NetworkLockStore implements LockStore {
  readonly where: string;
  constructor(
    private readonly docker: Dockerode,
    private readonly name: string,
    private readonly cluster: string,
    hostUrl: string,
  ) {
    this.where = `network ${name} on ${hostUrl}`;
  }

  async tryCreate(info: LockInfo): Promise<LockInfo | undefined> {
    try {
      await this.docker.createNetwork({
        Name: this.name,
        CheckDuplicate: true,
        Internal: true,
        Labels: { [LABEL.cluster]: this.cluster, [KIND]: 'lock', 'io.cluster.lock': JSON.stringify(info) },
      });
      return undefined;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
      return (await this.read()) ?? { id: '?', holder: 'unknown', since: '?' };
    }
  }

  async read(): Promise<LockInfo | undefined> {
    const info = await this.docker.getNetwork(this.name).inspect().catch(ignore(404));
    const raw = (info as { Labels?: Record<string, string> } | undefined)?.Labels?.['io.cluster.lock'];
    return raw ? (JSON.parse(raw) as LockInfo) : undefined;
  }

  async remove(): Promise<void> {
    await this.docker.getNetwork(this.name).remove().catch(ignore(404));
  }
}

function ignore(...codes: number[]) {
  return (err: unknown): undefined => {
    if (codes.includes((err as { statusCode?: number }).statusCode ?? -1)) return undefined;
    throw err;
  };
}
