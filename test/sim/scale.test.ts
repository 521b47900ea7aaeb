// The sim at capacity-planning size: 10,000 machines, 1,000,000 containers. Correctness is asserted;
// the timings are printed only (speed goals and comparisons live in bench/).
import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { DesiredMachine } from '../../src/model/desired.js';
import { seedSimState, SimDriver, simStatePath, writeSimState, type SeedContainer } from '../../src/providers/sim.js';
import { context, machine, manifestDir, replicaRequest, spec } from './support.js';

const MACHINES = 10_000;
const SERVICES = 20;
const REPLICAS = 50_000; // per service: 1,000,000 containers, 100 per machine

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

describe('sim at scale', () => {
  it('loads 10k machines with 1M containers and observes them all', { timeout: 120_000 }, async () => {
    const dir = await manifestDir();
    const machines = Array.from({ length: MACHINES }, (_, i) => machine(`node-${i}`, { role: i < 3 ? 'manager' : 'worker', labels: { zone: `z${i % 3}` } }));
    const { seeded, written, bytes } = await seedConverged(dir, machines);
    // A new process: load lazily, list, then the facts of every machine, as observe does.
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
    console.log(
      `sim scale: ${MACHINES} machines, ${containers} containers — seed ${ms(seeded)}, write ${ms(written)} (${(bytes / 1e6).toFixed(1)} MB, ` +
        `${Math.round(bytes / containers)} B/container), load+list ${ms(loaded)}, load+list+facts of all ${ms(observed)}`,
    );
    expect(records).toHaveLength(MACHINES);
    expect(containers).toBe(SERVICES * REPLICAS);
    expect(owned).toBe(containers);
    expect(all.filter((f) => f.swarm.role === 'manager')).toHaveLength(3);
    expect(new Set(all.map((f) => f.swarm.clusterId)).size).toBe(1);
    const first = all[0]!.containers[0]!;
    expect(first).toMatchObject({ name: 'demo-svc-0-1', state: 'running', ports: [{ published: 80, protocol: 'tcp' }], owner: { service: 'svc-0', replica: 1, configHash: 'hash-0' } });
    expect(all[0]!.images).toHaveLength(SERVICES);

    // Still a working cluster at that size: one more replica, saved, seen by the next process.
    const engine = driver.engine(records[0]!);
    await engine.startContainer(await engine.createContainer(replicaRequest('svc-0', REPLICAS + 1, spec({ image: 'registry.example.com/team/svc-0:1.0' }))));
    t = performance.now();
    await driver.close();
    console.log(`sim scale: save after one change ${ms(performance.now() - t)}`);
    const again = new SimDriver(context(dir));
    const after = await again.engine((await again.list())[0]!).facts();
    expect(after.containers).toHaveLength(101);
  });
});

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

function ms(n: number): string {
  return `${Math.round(n)} ms`;
}
