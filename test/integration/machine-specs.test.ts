// Machine specs are state, on a real Docker-in-Docker machine: the size it was made with is read back
// from its container (HostConfig NanoCpus/Memory), a changed size is planned as a resize and applied in
// place (`docker update` of the same container, nothing restarts), and the next plan has no changes.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { connect } from '../../src/providers/docker/engine.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `specs${process.pid}`;
const MiB = 1024 ** 2;
const manifest = (size: string) => `name: ${NAME}\nmachines:\n  w1: { driver: docker, ${size} }\n`;

const host = dockerodeFor(DOCKER_HOST);
const ours = async () => host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`, 'io.cluster.kind=machine'] } });

describe('machine specs on the docker driver', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const machine = async () => {
    const [c] = await ours();
    const info = await host.getContainer(c!.Id).inspect();
    return { id: info.Id, pid: info.State.Pid, nanoCpus: info.HostConfig.NanoCpus, memory: info.HostConfig.Memory, swap: info.HostConfig.MemorySwap, started: info.State.StartedAt };
  };
  // The limits the kernel enforces on the machine, as [cfs quota, cfs period, memory bytes], read from
  // the cgroup its init process is in (/proc/<pid>/cgroup), so either driver (cgroupfs: /docker/<id>,
  // systemd: /system.slice/docker-<id>.scope) and either cgroup version is read where it is:
  // - v1: /sys/fs/cgroup/cpu<path>/cpu.cfs_quota_us and cpu.cfs_period_us, memory<path>/memory.limit_in_bytes;
  // - v2 (one unified tree, /sys/fs/cgroup/cgroup.controllers exists): <path>/cpu.max "QUOTA PERIOD", <path>/memory.max.
  // Inside the machine the entrypoint remounts the hierarchies at their root (for nested containers),
  // so the machine itself sees no limit there.
  const cgroup = (pid: number) => {
    const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n').map((l) => l.split(':'));
    const read = (f: string) => readFileSync(`/sys/fs/cgroup/${f}`, 'utf8').trim();
    if (existsSync('/sys/fs/cgroup/cgroup.controllers')) {
      const path = lines.find(([id]) => id === '0')![2];
      const [quota, period] = read(`${path}/cpu.max`).split(' ');
      return [quota === 'max' ? -1 : Number(quota), Number(period), Number(read(`${path}/memory.max`))];
    }
    const pathOf = (controller: string) => lines.find(([, list]) => list!.split(',').includes(controller))![2];
    return [`cpu${pathOf('cpu')}/cpu.cfs_quota_us`, `cpu${pathOf('cpu')}/cpu.cfs_period_us`, `memory${pathOf('memory')}/memory.limit_in_bytes`].map((f) => Number(read(f)));
  };
  const nested = () => connect(`unix://${join(dir, '.cluster/machines/w1/docker.sock')}`).facts();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cl-specs-'));
    file = join(dir, 'cluster.yml');
  });

  afterAll(async () => {
    await run('destroy', '--auto-approve');
    for (const c of await ours()) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  }, 300_000);

  test('made with cpus 1 and 512 MiB, resized in place to 2 and 1 GiB, then no changes', async () => {
    writeFileSync(file, manifest('cpus: 1, memory: 512MiB'));
    const made = await run('apply', '--auto-approve');
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const before = await machine();
    expect([before.nanoCpus, before.memory, before.swap]).toEqual([1e9, 512 * MiB, 1024 * MiB]);
    expect(cgroup(before.pid)).toEqual([100_000, 100_000, 512 * MiB]);
    const hostInfo = await host.info();
    const facts = await nested();
    // Measured (dockerd 20.10, cgroup v1): the nested engine's `info` reports its host's figures, not
    // the container's limits: NCPU is runtime.NumCPU() (the cpuset, which --cpus does not narrow) and
    // MemTotal is /proc/meminfo's (not cgroup-aware). Hence the driver's record is the truth, not `info`.
    expect([facts.cpus, facts.memory]).toEqual([hostInfo.NCPU, hostInfo.MemTotal]);

    writeFileSync(file, manifest('cpus: 2, memory: 1GiB'));
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('~   machine w1: cpus 1 → 2, memory 512 MiB → 1 GiB');
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    const status = JSON.parse((await run('status', '--json')).stdout) as { machines: { cpus: number; memory: number }[] };
    expect(status.machines.map((m) => [m.cpus, m.memory])).toEqual([[1, 512 * MiB]]); // the real size until the resize runs

    const resized = await run('apply', '--auto-approve');
    expect(resized.code, resized.stdout + resized.stderr).toBe(0);
    const after = await machine();
    expect(after.id).toBe(before.id);
    expect(after.started).toBe(before.started); // not restarted: the cgroup changed under it
    expect([after.nanoCpus, after.memory, after.swap]).toEqual([2e9, 1024 * MiB, 2048 * MiB]);
    expect(cgroup(after.pid)).toEqual([200_000, 100_000, 1024 * MiB]); // the running machine got the new size
    const factsAfter = await nested();
    expect([factsAfter.cpus, factsAfter.memory]).toEqual([hostInfo.NCPU, hostInfo.MemTotal]); // still the host's (see above)
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes');

    // Lifting a limit: dockerd's update takes 0 as "unchanged" and refuses -1, so it is a warning with the way, not an action.
    writeFileSync(file, manifest('cpus: 2'));
    const lifted = await run('plan', '--detailed-exitcode');
    expect(lifted.code, lifted.stdout + lifted.stderr).toBe(0);
    expect(lifted.stdout + lifted.stderr).toMatch(/w1: removing its memory limit cannot be done in place/);
  }, 300_000);
});
