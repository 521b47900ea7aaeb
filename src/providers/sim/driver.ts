// The `sim` driver: simulated machines and engines for capacity planning at thousands of machines,
// benchmarks and fault tests. Nothing real is touched; state lives in `<dir>/.cluster/<cluster>.sim.json`
// (see sim-format.ts), so `apply` then `plan` in a new process sees exactly what was applied.
//
// Machines have the capacity their manifest entry gives (2 cpus, 2 GiB when absent), engine labels
// and a running/stopped state. Latency and faults come from `simulation:` (sim-conditions.ts); each
// driver call serves the plan action kind in SIM_DRIVER_KINDS. Every call is idempotent: creating an
// existing machine returns it as it is (stopped stays stopped: start() starts), removing a missing
// one succeeds, so a re-run after a crash converges.
import { SIM_DEFAULT_CPUS, SIM_DEFAULT_MEMORY, type DesiredMachine } from '../../model/desired.js';
import { SIM_KINDS, SimEngine } from './engine.js';
import { engineFacts } from './facts.js';
import { existingMachine } from './errors.js';
import type { Driver, DriverContext, MachineRecord } from '../types.js';
import { SimConditions } from './conditions.js';
import { SimStateFile, simStatePath } from './file.js';
import type { SimMachine, SimState } from './state.js';
import type { EngineFacts } from '../../model/observed.js';
import { SimWorld, simEngineUrl } from './world.js';

export { SimEngine } from './engine.js';
export { seedSimState, type SeedContainer, type SeedMachine } from './seed.js';
export { simStatePath, writeSimState } from './file.js';

export const SIM_DRIVER_KINDS = {
  list: 'observe',
  create: 'machine.create',
  start: 'machine.start',
  stop: 'machine.stop',
  remove: 'machine.remove',
  resize: 'machine.resize',
  setEngineLabels: 'engine.labels',
} as const;

/** Containers that come back by themselves when their stopped machine starts again. */
const RESTARTING_POLICIES = new Set(['always', 'unless-stopped']);

export class SimDriver implements Driver {
  readonly name = 'sim' as const;
  readonly canSetEngineLabels = true;
  private readonly world: SimWorld;
  private readonly engines = new Map<string, SimEngine>();

  constructor(ctx: DriverContext) {
    const file = new SimStateFile(simStatePath(ctx.dir, ctx.cluster), ctx.cluster);
    this.world = new SimWorld(ctx.cluster, file, new SimConditions(ctx.simulation));
  }

  /** The state file this driver reads and writes. */
  get stateFile(): string {
    return this.world.file.path;
  }

  async list(): Promise<MachineRecord[]> {
    await this.world.file.refresh(); // another process may have changed the simulated cluster
    const state = await this.world.enter(SIM_DRIVER_KINDS.list, '(all machines)', (s) => s);
    return [...state.machines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((m) => this.record(state, m));
  }

  async create(desired: DesiredMachine): Promise<MachineRecord> {
    const state = await this.world.enter(SIM_DRIVER_KINDS.create, desired.name, (s) => s);
    const existing = state.machines.get(desired.name);
    if (existing) return this.record(state, existing);
    const machine = state.addMachine(desired);
    this.world.changed();
    return this.record(state, machine);
  }

  async start(name: string): Promise<void> {
    const { state, machine } = await this.machine(SIM_DRIVER_KINDS.start, name);
    if (machine.state === 'running') return;
    machine.state = 'running';
    for (const c of machine.containers) {
      if (c.state === 'exited' && RESTARTING_POLICIES.has(state.templates[c.template]!.restart ?? '')) c.state = 'running';
    }
    this.world.changed();
  }

  /** Like stopping a Docker-in-Docker machine: its daemon stops, and every container with it. */
  async stop(name: string): Promise<void> {
    const { machine } = await this.machine(SIM_DRIVER_KINDS.stop, name);
    if (machine.state === 'stopped') return;
    machine.state = 'stopped';
    for (const c of machine.containers) if (c.state !== 'created' && c.state !== 'exited' && c.state !== 'dead') c.state = 'exited';
    this.world.changed();
  }

  async remove(name: string): Promise<void> {
    const state = await this.world.enter(SIM_DRIVER_KINDS.remove, name, (s) => s);
    if (!state.machines.has(name)) return;
    state.removeMachine(name);
    this.engines.delete(name);
    this.world.changed();
  }

  /** A simulated machine always has a size: an absent one is the sim default, as at create. */
  async resize(name: string, size: { cpus?: number; memory?: number }): Promise<void> {
    const { machine } = await this.machine(SIM_DRIVER_KINDS.resize, name);
    machine.cpus = size.cpus ?? SIM_DEFAULT_CPUS;
    machine.memory = size.memory ?? SIM_DEFAULT_MEMORY;
    this.world.changed();
  }

  async setEngineLabels(name: string, labels: Record<string, string>): Promise<void> {
    const { machine } = await this.machine(SIM_DRIVER_KINDS.setEngineLabels, name);
    machine.labels = { ...labels };
    this.world.changed();
  }

  engine(record: MachineRecord): SimEngine {
    let engine = this.engines.get(record.name);
    if (!engine) this.engines.set(record.name, (engine = new SimEngine(this.world, record.name)));
    return engine;
  }

  /** What engine(record).facts() gives, when it answers at once (SimWorld.now) and the machine runs; undefined otherwise (facts() then says why). */
  factsNow(record: MachineRecord): EngineFacts | undefined {
    const state = this.world.now(SIM_KINDS.facts);
    const machine = state?.machines.get(record.name);
    return state && machine?.state === 'running' ? engineFacts(state, machine, simEngineUrl(this.world.cluster, record.name)) : undefined;
  }

  async close(): Promise<void> {
    await this.world.file.close();
  }

  private machine(kind: (typeof SIM_DRIVER_KINDS)[keyof typeof SIM_DRIVER_KINDS], name: string): Promise<{ state: SimState; machine: SimMachine }> {
    return this.world.enter(kind, name, (state) => ({ state, machine: existingMachine(state, name) }));
  }

  private record(state: SimState, m: SimMachine): MachineRecord {
    const record: MachineRecord = { name: m.name, driver: 'sim', state: m.state, engineUrl: simEngineUrl(this.world.cluster, m.name), spec: { cpus: m.cpus, memory: m.memory } };
    if (m.state === 'running') record.address = state.address(m);
    return record;
  }
}
