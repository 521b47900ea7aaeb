import type { Desired } from '../model/desired.js';
import { groupByName, type MachineGroupOf } from '../plan/render-compact.js';

/** Machine → its manifest key (`count: N` under `worker` makes worker-1..worker-N); a machine the manifest no longer names, by its name. */
export function machineGroups(desired: Desired): MachineGroupOf {
  const groups = new Map(desired.machines.map((m) => [m.name, m.group]));
  return (machine) => groups.get(machine) ?? groupByName(machine);
}
