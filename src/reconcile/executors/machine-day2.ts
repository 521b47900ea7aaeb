// Issue 15's machine actions: a swarm node's availability, and a machine re-created with another node
// image (its replicas were moved by the plan before this runs; re-joining is the swarm.join after it).
//
// Interruptions: each step is idempotent and the plan is made from what is observed, so a run killed
// half-way (kill -9) converges on the next apply: an availability update is one node update; a
// replacement killed after the leave plans the replacement again (the node image still differs), one
// killed after the removal finds the machine missing and creates it (machine.create, then swarm.join).
// Ctrl-C starts nothing new and lets a running step finish; two runs at once are kept apart by the
// apply lock (src/reconcile/lock.ts).
import { leave } from './swarm.js';
import type { Executors } from './types.js';

export const machineDay2Executors = {
  // `docker node update --availability`, asked of any manager (itself too): only managers change node specs.
  'machine.availability': async (ctx, a) => {
    await (await ctx.leader('')).swarmNodeUpdate(await ctx.nodeId(a.machine), { availability: a.availability });
  },
  // Leaves the swarm first (a manager is demoted while another leads), then is removed and made again.
  'machine.replace': async (ctx, a) => {
    const m = ctx.machines.get(a.machine)!;
    if (ctx.records.has(a.machine)) await leave(ctx, a.machine);
    await ctx.driver(a.machine).remove(a.machine);
    ctx.records.delete(a.machine);
    ctx.records.set(a.machine, await ctx.driver(a.machine).create(m, ctx.observed.identity));
  },
} satisfies Partial<Executors>;
