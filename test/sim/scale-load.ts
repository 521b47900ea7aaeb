// The 1M-container sim load of scale.test.ts, run in its own process (`node --import tsx`): seeding,
// writing and loading a million containers holds the CPU for seconds, and inside vitest's worker that
// starves its RPC on a busy machine (`Timeout calling "onTaskUpdate"` with every test passing).
// Usage: scale-load.ts DIR — prints one JSON line: what the test asserts, and the timings.
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { DesiredMachine } from '../../src/model/desired.js';
import { seedSimState, SimDriver, simStatePath, writeSimState, type SeedContainer } from '../../src/providers/sim/driver.js';
import { context, machine, replicaRequest, spec } from './builders.js';

export const MACHINES = 10_000;
export const SERVICES = 20;
export const REPLICAS = 50_000; // per service: 1,000,000 containers, 100 per machine

function* placement(): Generator<SeedContainer> {
  for (let s = 0; s < SERVICES; s++) {
    const svc = spec({
      image: `registry.example.com/team/svc-${s}:1.${s}`,
      labels: { tier: s % 2 ? 'back' : 'front' },
      ports: s === 0 ? [{ target: 80, published: 80, protocol: 'tcp' }] : [],
      reservations: { cpus: 0.01, memory: 16 * 1024 ** 2 },
      environment: { SERVICE: `svc-${s}` },
    });
    for (let r = 1; r <= REPLICAS; r++) yield { machine: `node-${(r - 1) % MACHINES}`, request: replicaRequest(`svc-${s}`, r, svc, `hash-${s}`) };
  }
}

/** Seeds and saves in its own scope, so the seeded state is garbage before the timed load. */
async function seedConverged(dir: string, machines: DesiredMachine[]): Promise<{ seeded: number; written: number; bytes: number }> {
  let t = performance.now();
  const state = seedSimState('demo', machines, placement());
  const seeded = performance.now() - t;
  t = performance.now();
  await writeSimState(simStatePath(dir, 'demo'), state);
  const written = performance.now() - t;
  return { seeded, written, bytes: (await stat(simStatePath(dir, 'demo'))).size };
}

export async function loadAtScale(dir: string) {
  const machines = Array.from({ length: MACHINES }, (_, i) => machine(`node-${i}`, { role: i < 3 ? 'manager' : 'worker', labels: { zone: `z${i % 3}` } }));
  const { seeded, written, bytes } = await seedConverged(dir, machines);
  // A new driver: load lazily, list, then the facts of every machine, as observe does.
  let t = performance.now();
  const driver = new SimDriver(context(dir));
  const records = await driver.list();
  const loaded = performance.now() - t;
  const all = await Promise.all(records.map((r) => driver.engine(r).facts()));
  const observed = performance.now() - t;
  let containers = 0;
  let owned = 0;
  for (const f of all) {
    containers += f.containers.length;
    for (const c of f.containers) if (c.owner) owned++;
  }

  // Still a working cluster at that size: one more replica, saved, seen by the next driver.
  const engine = driver.engine(records[0]!);
  await engine.startContainer(await engine.createContainer(replicaRequest('svc-0', REPLICAS + 1, spec({ image: 'registry.example.com/team/svc-0:1.0' }))));
  t = performance.now();
  await driver.close();
  const saved = performance.now() - t;
  const again = new SimDriver(context(dir));
  const after = await again.engine((await again.list())[0]!).facts();
  return {
    records: records.length,
    containers,
    owned,
    managers: all.filter((f) => f.swarm.role === 'manager').length,
    swarms: new Set(all.map((f) => f.swarm.clusterId)).size,
    first: all[0]!.containers[0]!,
    firstMachineImages: all[0]!.images.length,
    firstMachineContainersAfterOneMore: after.containers.length,
    ms: { seeded, written, loaded, observed, saved },
    bytes,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(await loadAtScale(process.argv[2]!)) + '\n');
}
