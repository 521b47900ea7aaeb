// The generic driver adopts engines that already exist (docker-machine's `generic`): a machine is
// a URL (unix://, tcp:// with TLS client certificates, ssh://). The tool never provisions, stops or
// deletes such a host: "create" checks that it answers, "remove" only forgets it (the plan has
// already removed this cluster's containers from it), and its engine labels are read-only. The
// apply lock lives on the first machine's engine.
import { connect } from '../docker/engine.js';
import { EngineError } from '../../engine/errors.js';
import type { Engine } from '../../engine/types.js';
import type { DesiredMachine } from '../../model/desired.js';
import { dockerodeFor, type TlsFiles } from '../docker/connection.js';
import type { LockStore } from '../lock-store.js';
import { ContainerLockStore } from '../docker/container-lock.js';
import type { Driver, DriverContext, MachineRecord } from '../types.js';

export class GenericDriver implements Driver {
  readonly name = 'generic' as const;
  readonly canSetEngineLabels = false;
  private readonly engines = new Map<string, Engine>();

  constructor(private readonly ctx: DriverContext) {}

  async list(): Promise<MachineRecord[]> {
    return Promise.all(this.ctx.machines.map((m) => this.probe(m)));
  }

  async create(machine: DesiredMachine): Promise<MachineRecord> {
    const record = await this.probe(machine);
    if (record.state !== 'running') throw new EngineError('unavailable', `generic machine ${machine.name}: no engine answers at ${urlOf(machine)}`);
    return record;
  }

  async start(name: string): Promise<void> {
    throw new EngineError('refused', `generic machine ${name} is not managed by this tool: start its engine on the host itself`);
  }

  async stop(): Promise<void> {}

  async remove(): Promise<void> {}

  async setEngineLabels(name: string): Promise<void> {
    throw new EngineError('refused', `generic machine ${name}: engine labels are set in the host's daemon.json, not from here`);
  }

  engine(record: MachineRecord): Engine {
    const machine = this.ctx.machines.find((m) => m.name === record.name);
    const url = record.engineUrl!;
    let e = this.engines.get(url);
    if (!e) this.engines.set(url, (e = connect(url, machine?.options.tls as TlsFiles | undefined)));
    return e;
  }

  /** The first machine's engine holds the lock: every run that can manage this cluster reaches it. */
  lockStore(): LockStore {
    const first = this.ctx.machines[0]!; // the driver is opened only for a manifest with generic machines
    return new ContainerLockStore(dockerodeFor(urlOf(first), first.options.tls as TlsFiles | undefined), this.ctx.cluster, urlOf(first));
  }

  async close(): Promise<void> {}

  private async probe(machine: DesiredMachine): Promise<MachineRecord> {
    const url = urlOf(machine);
    const record: MachineRecord = { name: machine.name, driver: 'generic', state: 'error', engineUrl: url };
    const up = await this.engine(record).ping();
    const host = /^(tcp|ssh|https?):\/\/(?:[^@/]*@)?([^:/]+)/.exec(url)?.[2];
    return { ...record, state: up ? 'running' : 'error', ...(host ? { address: host } : {}) };
  }
}

function urlOf(machine: DesiredMachine): string {
  return String(machine.options.url);
}
