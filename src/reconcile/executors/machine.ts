// Machines: made, started, removed and resized through their driver; engine labels set live.
import type { Executors } from './types.js';

export const machineExecutors = {
  'machine.create': async (ctx, a) => {
    const m = ctx.machines.get(a.machine)!;
    ctx.records.set(a.machine, await ctx.driver(a.machine).create(m, ctx.observed.identity));
  },
  'machine.start': async (ctx, a) => {
    await ctx.driver(a.machine).start(a.machine);
    await ctx.refresh(a.machine);
  },
  'machine.remove': async (ctx, a) => {
    await ctx.driver(a.machine).remove(a.machine);
    ctx.records.delete(a.machine);
  },
  'machine.resize': async (ctx, a) => {
    // The manifest's size, not the patch's: a plan applied later still gives what the manifest says.
    const m = ctx.machines.get(a.machine)!;
    const driver = ctx.driver(a.machine);
    if (!driver.resize) throw new Error(`machine ${a.machine}: the ${driver.name} driver cannot resize a machine`);
    await driver.resize(a.machine, { ...(m.cpus !== undefined ? { cpus: m.cpus } : {}), ...(m.memory !== undefined ? { memory: m.memory } : {}) });
  },
  'engine.labels': async (ctx, a) => {
    if (a.readOnly) return; // the plan said so: out of reach for this driver
    await ctx.driver(a.machine).setEngineLabels(a.machine, ctx.machines.get(a.machine)?.labels ?? a.labels);
    await ctx.mirrorNodeLabels(a.machine);
  },
  'engine.options': async (ctx, a) => {
    // The manifest's options, not the plan's: a plan applied later still gives what the manifest says.
    const driver = ctx.driver(a.machine);
    if (!driver.setEngineOptions) throw new Error(`machine ${a.machine}: the ${driver.name} driver does not set engine options`);
    await driver.setEngineOptions(a.machine, ctx.machines.get(a.machine)?.engine ?? a.options, a.restart ? 'restart' : 'reload');
  },
} satisfies Partial<Executors>;
