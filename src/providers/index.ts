// The driver registry: one line per driver. Drivers load lazily so a sim run never loads dockerode.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Desired, DriverName } from '../model/desired.js';
import { dockerTraits } from './docker/traits.js';
import { genericTraits } from './generic/traits.js';
import { simTraits } from './sim/traits.js';
import { sshTraits } from './ssh/traits.js';
import type { DriverTraits } from './traits.js';
import type { Driver, DriverContext } from './types.js';

/** Each driver is a folder of src/providers/ and one line here: its traits, and how to open it. */
const REGISTRY: Record<DriverName, { traits: DriverTraits; open: (ctx: DriverContext) => Promise<Driver> }> = {
  sim: { traits: simTraits, open: async (ctx) => new (await import('./sim/driver.js')).SimDriver(ctx) },
  docker: { traits: dockerTraits, open: async (ctx) => new (await import('./docker/driver.js')).DockerDriver(ctx) },
  generic: { traits: genericTraits, open: async (ctx) => new (await import('./generic/driver.js')).GenericDriver(ctx) },
  ssh: { traits: sshTraits, open: async (ctx) => new (await import('./ssh/driver.js')).SshDriver(ctx) },
};

export const DRIVER_NAMES = Object.keys(REGISTRY) as DriverName[];

export function traitsOf(driver: DriverName): DriverTraits {
  return REGISTRY[driver].traits;
}

export type Drivers = Map<DriverName, Driver>;

/**
 * Drivers to ask about this cluster: those the manifest uses, plus those that still hold machines
 * of it (a sim state file, docker machine folders), so machines dropped from the manifest are found.
 */
export async function openDrivers(desired: Desired, opts: { purge?: boolean } = {}): Promise<Drivers> {
  const dir = stateDir(desired);
  const names = new Set<DriverName>(desired.machines.map((m) => m.driver));
  for (const name of DRIVER_NAMES) {
    const marker = REGISTRY[name].traits.stateMarker?.(desired.name);
    if (marker !== undefined && existsSync(join(dir, marker))) names.add(name);
  }
  const drivers: Drivers = new Map();
  for (const name of [...names].sort()) {
    const ctx: DriverContext = {
      cluster: desired.name,
      dir: dirOf(desired.file),
      machines: desired.machines.filter((m) => m.driver === name),
      simulation: desired.simulation,
      ...(opts.purge ? { purge: true } : {}),
    };
    drivers.set(name, await REGISTRY[name].open(ctx));
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
