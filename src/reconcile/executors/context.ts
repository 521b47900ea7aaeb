// What every executor shares during one apply: the manifest, what was observed, the open drivers, the
// machine records (create/start update them so later actions reach the new engine), and the lookups
// built on them. One per apply (src/reconcile/actions.ts makes it).
import { isTransient } from '../../engine/errors.js';
import type { Engine } from '../../engine/types.js';
import type { Desired, DesiredMachine, DesiredService, DriverName } from '../../model/desired.js';
import { LABEL, type Observed, type ObservedSwarmService } from '../../model/observed.js';
import { maskText } from '../../model/secrets.js';
import { normalizeImage } from '../../model/naming.js';
import { withResolvedImages } from '../../model/image-ref.js';
import type { Drivers } from '../../providers/index.js';
import type { Driver, MachineRecord } from '../../providers/types.js';

export class ActionContext {
  readonly machines: Map<string, DesiredMachine>;
  readonly services: Map<string, DesiredService>;
  /** Containers this apply started, by name (depends_on conditions wait on them). */
  readonly started = new Map<string, { machine: string; id: string; service: string }>();
  /** The apply's stop signal: long waits (a rolling update's monitor) end early on it. */
  signal?: AbortSignal;
  private images?: Map<string, string>;
  private tokens?: Promise<{ worker: string; manager: string; leader: string }>;

  constructor(
    readonly desired: Desired,
    readonly observed: Observed,
    readonly drivers: Drivers,
    /** Machine name → record; create/start update it so later actions reach the new engine. */
    readonly records: Map<string, MachineRecord>,
  ) {
    this.machines = new Map(desired.machines.map((m) => [m.name, m]));
    // With the digests `pull_policy: always` resolved when observing: what the plan pinned is what is made.
    this.services = new Map(withResolvedImages(desired, observed, normalizeImage).services.map((s) => [s.name, s]));
  }

  /** Whose objects are ours: this cluster's name and the checkout's identity (another checkout's objects are never touched). */
  get viewer(): { cluster: string; identity?: string } {
    return { cluster: this.desired.name, identity: this.observed.identity };
  }

  idLabel(): Record<string, string> {
    return this.observed.identity === undefined ? {} : { [LABEL.id]: this.observed.identity };
  }

  /** A plan names images masked (a tag may come from a secret variable): the engine needs the real reference. */
  realImage(shown: string): string {
    this.images ??= new Map(this.desired.services.map((s) => [maskText(normalizeImage(s.spec.image)), normalizeImage(s.spec.image)]));
    return this.images.get(shown) ?? shown;
  }

  driverName(machine: string): DriverName {
    const name =
      this.machines.get(machine)?.driver ??
      this.records.get(machine)?.driver ??
      this.observed.machines.find((m) => m.name === machine)?.driver ??
      this.observed.leftovers?.find((l) => l.name === machine)?.driver;
    if (!name) throw new Error(`unknown machine ${machine}`);
    return name;
  }

  driver(machine: string): Driver {
    const name = this.driverName(machine);
    const d = this.drivers.get(name);
    if (!d) throw new Error(`driver ${name} is not open`);
    return d;
  }

  engine(machine: string): Engine {
    const record = this.records.get(machine);
    if (!record) throw new Error(`machine ${machine} does not exist`);
    return this.driver(machine).engine(record);
  }

  address(machine: string): string {
    const address = this.records.get(machine)?.address;
    if (!address) throw new Error(`machine ${machine} has no address yet`);
    return address;
  }

  async refresh(machine: string): Promise<void> {
    const record = (await this.driver(machine).list()).find((r) => r.name === machine);
    if (record) this.records.set(machine, record);
  }

  /**
   * A swarm `leader` has just made (swarm.init): it is the swarm's only manager, so the joins waiting
   * for the init ask it for the tokens at once, without looking for a manager first (joinTokens).
   */
  tokensFrom(leader: string): void {
    const tokens = (async () => ({ ...(await this.engine(leader).swarmJoinTokens()), leader }))();
    this.tokens = tokens;
    tokens.catch(() => this.tokens === tokens && (this.tokens = undefined));
  }

  /** Join tokens from the first desired manager that is an active swarm manager, asked once per apply. */
  joinTokens(except: string): Promise<{ worker: string; manager: string; leader: string }> {
    this.tokens ??= (async () => {
      const leader = await this.leaderName(except);
      const t = await this.engine(leader).swarmJoinTokens();
      return { ...t, leader };
    })();
    this.tokens.catch(() => (this.tokens = undefined));
    return this.tokens;
  }

  async leaderName(except: string): Promise<string> {
    // A manager that did not answer for a transient reason may be the one: its error is rethrown so the
    // walk retries the join, rather than failing it for good as "no manager" (seen with sim faults).
    let transient: unknown;
    for (const m of this.desired.machines) {
      if (m.role !== 'manager' || m.name === except || !this.records.has(m.name)) continue;
      const facts = await this.engine(m.name)
        .facts()
        .catch((err: unknown) => void (isTransient(err) && (transient ??= err)));
      if (facts?.swarm.state === 'active' && facts.swarm.role === 'manager') return m.name;
    }
    if (transient) throw transient;
    throw new Error('no reachable swarm manager among the manifest’s managers');
  }

  async leader(except: string): Promise<Engine> {
    return this.engine(await this.leaderName(except));
  }

  async nodeId(machine: string): Promise<string> {
    const id = (await this.engine(machine).facts()).swarm.nodeId ?? this.observedNodeId(machine);
    if (!id) throw new Error(`${machine} is not in the swarm`);
    return id;
  }

  observedNodeId(machine: string): string | undefined {
    return this.observed.machines.find((m) => m.name === machine)?.engine?.swarm.nodeId;
  }

  observedService(id: string): ObservedSwarmService | undefined {
    for (const m of this.observed.machines) for (const s of m.engine?.swarmServices ?? []) if (s.id === id) return s;
    return undefined;
  }

  /** Engine labels are mirrored as swarm node labels, so swarm-mode constraints can use them. */
  async mirrorNodeLabels(machine: string): Promise<void> {
    const m = this.machines.get(machine);
    if (!m?.role) return;
    const facts = await this.engine(machine).facts();
    if (facts.swarm.state !== 'active' || !facts.swarm.nodeId) return;
    // Ask the machine itself only if the manifest makes it a manager: a node's own claim to be one
    // lags behind a demotion (and outlives it across a restart).
    const leader = m.role === 'manager' && facts.swarm.role === 'manager' ? this.engine(machine) : await this.leader(machine);
    await leader.swarmNodeUpdate(facts.swarm.nodeId, { labels: m.labels });
  }
}
