// Machine drivers: one small interface, one file per driver, registry in ./index.ts.
// Every method is idempotent (create of an existing machine, remove of a missing one succeed) so a
// re-run after a crash converges.
import type { DesiredMachine, DriverName, Role, SimulationConfig } from '../model/desired.js';
import type { EngineFacts, MachineSpec, MachineState } from '../model/observed.js';
import type { Engine } from '../engine/types.js';
import type { LockStore } from './lock-store.js';

export interface MachineRecord {
  name: string;
  driver: DriverName;
  state: MachineState;
  /** Address other machines reach it at (swarm advertise address), when running. */
  address?: string;
  /** URL of its engine, when known. */
  engineUrl?: string;
  /** What it was made with (or last resized to), where the driver records it. */
  spec?: MachineSpec;
  /**
   * Made just now by this process from nothing (a new container on a new volume): its engine holds no
   * swarm state, so swarm steps need not read it first. Never set on a record listed or adopted.
   */
  blank?: true;
}

export interface DriverContext {
  cluster: string;
  /** Folder of the manifest: drivers keep files under `<dir>/.cluster/`. */
  dir: string;
  /** The desired machines of this driver (generic adopts exactly these; docker reads host options). */
  machines: DesiredMachine[];
  simulation: SimulationConfig;
  /** destroy --purge: drivers that installed software on a host (ssh) uninstall it on removal. */
  purge?: boolean;
}

export interface Driver {
  readonly name: DriverName;
  /** This cluster's machines of this driver, found by ownership labels; nothing else. */
  list(): Promise<MachineRecord[]>;
  /** `identity`: the checkout's id, labelled on what the driver makes (io.cluster.id), when it has one. */
  create(machine: DesiredMachine, identity?: string): Promise<MachineRecord>;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  /**
   * Give a running or stopped machine this many cpus and this much memory, in place (absent =
   * unlimited). Idempotent: the same size twice is one change. Absent: the driver cannot resize.
   */
  resize?(name: string, size: { cpus?: number; memory?: number }): Promise<void>;
  /** Replace the engine labels of a machine (live where the driver can). */
  setEngineLabels(name: string, labels: Record<string, string>): Promise<void>;
  /**
   * Write the manifest's `engine:` options into the machine's engine configuration and make the
   * engine take them: reload (SIGHUP) or restart (its containers come back). Absent: the driver does
   * not set engine options (the plan says so).
   */
  setEngineOptions?(name: string, options: Record<string, unknown>, how: 'reload' | 'restart'): Promise<void>;
  /** False when labels can only be read (generic driver): the plan says so. */
  readonly canSetEngineLabels: boolean;
  engine(record: MachineRecord): Engine;
  /**
   * The facts of a running machine's engine when the driver has them at once, without asking
   * (a simulated engine with no latency and no faults: its state is in memory); undefined: ask
   * engine(record).facts(). Observe reads these without a promise, a timer and retries per machine.
   */
  factsNow?(record: MachineRecord): EngineFacts | undefined;
  /** The engine the machines run on (docker driver): images are copied from it when a machine cannot pull. */
  hostEngine?(): Engine;
  /** Like Engine.subscribe, for this cluster's machines (a machine stopped or removed behind our back). */
  subscribe?(onEvent: (what: string) => void): () => void;
  /** Where this driver keeps the cluster's apply lock, if it has a shared place for it (docker: the host engine). */
  lockStore?(): LockStore;
  /**
   * The swarm role in the certificate the machine's engine holds, where the driver can read it
   * (docker: from the machine's disk). The engine API does not show it, and an engine restarted
   * with a stale manager certificate after a demotion can unseat the swarm's leader.
   */
  swarmCertificateRole?(name: string): Promise<Role | undefined>;
  /** Objects that claim to be this cluster's machines but that this folder did not make: reported, never touched. */
  foreign?(): string[];
  /**
   * Machines of this cluster that left something behind (`what`); observe keeps those list() did not
   * find. A `shared` leftover is no machine's but all of them (docker: the machines' network), under
   * a name no machine can have: kept while the manifest wants a machine of the driver, and `reason`
   * says why it goes otherwise.
   */
  leftovers?(): Promise<{ name: string; what: string; shared?: { reason: string } }[]>;
  /** `cluster regenerate-certs`: new TLS certificates for the machine's engine (ssh). */
  regenerateCerts?(name: string): Promise<void>;
  /** `cluster ssh`: the ssh(1) arguments that log in to the machine (ssh: its user, port, identity, and its pinned host key as the only known host). */
  loginArgv?(name: string, command: string[]): string[];
  /** `cluster upgrade`: the machine's engine to the newest version its package source has (ssh). */
  upgradeEngine?(name: string): Promise<{ before: string; after: string }>;
  /** The docker CLI's variables for the machine's engine (`cluster env`), where the driver knows them (ssh: TLS from the cluster CA). */
  dockerEnv?(name: string): Record<string, string>;
  /** Persist and release resources (sim writes its state file). */
  close(): Promise<void>;
}
