// Executors of issue 15's machine actions (node availability, a machine re-created with another node
// image), kept out of ActionRunner's switch: it calls these with what each needs.
//
// Interruptions: every step is idempotent and the plan is made from what is observed, so a run
// killed half-way (kill -9) converges on the next apply: an availability update is one node update;
// a replacement killed after the leave plans the replacement again (the node image still differs),
// killed after the removal finds the machine missing and creates it (machine.create, then swarm.join).
// Ctrl-C starts nothing new and lets a running step finish; two runs at once are kept apart by the
// apply lock (src/reconcile/lock.ts).
import type { Engine } from '../engine/types.js';
import type { Availability, DesiredMachine } from '../model/desired.js';
import type { Driver, MachineRecord } from '../providers/types.js';

/** `docker node update --availability`: asked of a manager, since only managers change node specs. */
export async function setAvailability(leader: Engine, nodeId: string, availability: Availability): Promise<void> {
  await leader.swarmNodeUpdate(nodeId, { availability });
}

/**
 * Re-creates `machine` with what the manifest says now (its node image): it leaves the swarm first
 * (a manager is demoted while another leads), then is removed and created again. Its replicas were
 * moved by the plan before this runs; re-joining is the swarm.join the plan orders after it.
 */
export async function replaceMachine(machine: DesiredMachine, driver: Driver, records: Map<string, MachineRecord>, leave: () => Promise<void>, identity: string | undefined): Promise<void> {
  if (records.has(machine.name)) await leave();
  await driver.remove(machine.name);
  records.delete(machine.name);
  records.set(machine.name, await driver.create(machine, identity));
}
