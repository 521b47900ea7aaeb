// The sim at capacity-planning size: 10,000 machines, 1,000,000 containers. Correctness is asserted;
// the timings are printed only (speed goals and comparisons live in bench/). The load runs in a child
// process (scale-load.ts) that this test awaits: seconds of CPU inside vitest's worker would block
// its event loop, and on a busy machine its RPC to the main process times out.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { loadAtScale } from './scale-load.js';
import { manifestDir } from './support.js';

const MACHINES = 10_000;
const CONTAINERS = 1_000_000;
const ROOT = join(import.meta.dirname, '../..');

describe('sim at scale', () => {
  it('loads 10k machines with 1M containers and observes them all', { timeout: 120_000 }, async () => {
    const dir = await manifestDir();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'scale-load.ts'), dir], { cwd: ROOT, maxBuffer: 1 << 20, timeout: 115_000 });
    const r = JSON.parse(stdout) as Awaited<ReturnType<typeof loadAtScale>>;
    const ms = (n: number) => `${Math.round(n)} ms`;
    console.log(
      `sim scale: ${r.records} machines, ${r.containers} containers — seed ${ms(r.ms.seeded)}, write ${ms(r.ms.written)} (${(r.bytes / 1e6).toFixed(1)} MB, ` +
        `${Math.round(r.bytes / r.containers)} B/container), load+list ${ms(r.ms.loaded)}, load+list+facts of all ${ms(r.ms.observed)}; save after one change ${ms(r.ms.saved)}`,
    );
    expect(r.records).toBe(MACHINES);
    expect(r.containers).toBe(CONTAINERS);
    expect(r.owned).toBe(r.containers);
    expect(r.managers).toBe(3);
    expect(r.swarms).toBe(1);
    expect(r.first).toMatchObject({ name: 'demo-svc-0-1', state: 'running', ports: [{ published: 80, protocol: 'tcp' }], owner: { service: 'svc-0', replica: 1, configHash: 'hash-0' } });
    expect(r.firstMachineImages).toBe(20);
    // Still a working cluster at that size: one more replica, saved, seen by the next process.
    expect(r.firstMachineContainersAfterOneMore).toBe(101);
  });
});
