// The driver registry: one line per driver. Drivers load lazily so a sim run never loads dockerode.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Desired, DriverName } from '../model/desired.js';
import type { Driver, DriverContext } from './types.js';

const REGISTRY: Record<DriverName, (ctx: DriverContext) => Promise<Driver>> = {
  sim: async (ctx) => new (await import('./sim.js')).SimDriver(ctx),
  docker: async (ctx) => new (await import('./docker.js')).DockerDriver(ctx),
  generic: async (ctx) => new (await import('./generic.js')).GenericDriver(ctx),
  ssh: async (ctx) => new (await import('./ssh/driver.js')).SshDriver(ctx),
};

export type Drivers = Map<DriverName, Driver>;

/**
 * Drivers to ask about this cluster: those the manifest uses, plus those that still hold machines
 * of it (a sim state file, docker machine folders), so machines dropped from the manifest are found.
 */
export async function openDrivers(desired: Desired, opts: { purge?: boolean } = {}): Promise<Drivers> {
  const dir = stateDir(desired);
  const names = new Set<DriverName>(desired.machines.map((m) => m.driver));
  if (existsSync(join(dir, `${desired.name}.sim.json`))) names.add('sim');
  if (existsSync(join(dir, 'machines'))) names.add('docker');
  if (existsSync(join(dir, 'ssh'))) names.add('ssh');
  const drivers: Drivers = new Map();
  for (const name of [...names].sort()) {
    const ctx: DriverContext = {
      cluster: desired.name,
      dir: dirOf(desired.file),
      machines: desired.machines.filter((m) => m.driver === name),
      simulation: desired.simulation,
      ...(opts.purge ? { purge: true } : {}),
    };
    drivers.set(name, await REGISTRY[name](ctx));
  }
  return drivers;
}

export async function closeDrivers(drivers: Drivers): Promise<void> {
  await Promise.all([...drivers.values()].map((d) => d.close()));
}

export function dirOf(file: string): string {
  return file.replace(/[/\\][^/\\]*$/, '') || '.';
}

export function stateDir(desired: Desired): string {
  return join(dirOf(desired.file), '.cluster');
}
