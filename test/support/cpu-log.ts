// With CLUSTER_TEST_CPU_LOG=<file>, each test file appends one JSON line: the CPU its fork used (vitest's
// start in the fork, the file's imports and tests) and the CPU of the processes it spawned and waited for
// (the CLI runs; /proc/self/stat's cutime+cstime), in seconds. An isolated fork runs one file, so the
// fork's totals are the file's. Files that share a worker (the `unit` project runs in threads without
// isolation, vitest.config.ts) live inside the vitest process with the other workers: no per-file CPU
// is known there, so the line has `shared: true` and the wall time only; scripts/test-cpu.mjs counts
// their CPU in the whole run's figure. What runs in the engine (Docker-in-Docker machines) is not
// counted here: scripts/test-cpu.mjs reads it from the engine's cgroup. Off by default: no I/O in a normal run.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterAll, expect } from 'vitest';

const log = process.env.CLUSTER_TEST_CPU_LOG;
// The engine's containers (Docker-in-Docker machines) while the file ran: theirs alone only when files
// run one at a time (`--maxWorkers 1`); scripts/test-cpu.mjs prints it then.
const ENGINE_CPU = '/sys/fs/cgroup/cpuacct/docker/cpuacct.usage';
const engineCpu = () => (existsSync(ENGINE_CPU) ? Number(readFileSync(ENGINE_CPU, 'utf8')) / 1e9 : 0);
if (log) {
  const started = Date.now();
  const engineAtStart = engineCpu();
  const file = relative(process.cwd(), expect.getState().testPath ?? '');
  afterAll(() => {
    const wall = (Date.now() - started) / 1000;
    if (!isMainThread) return appendFileSync(log, `${JSON.stringify({ file, shared: true, self: 0, children: 0, wall })}\n`);
    // Fields 14-17 (1-based) after the command's closing parenthesis: utime stime cutime cstime, in ticks.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const [utime, stime, cutime, cstime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number) as [number, number, number, number];
    const tick = 100; // USER_HZ on Linux
    appendFileSync(log, `${JSON.stringify({ file, self: (utime + stime) / tick, children: (cutime + cstime) / tick, engine: engineCpu() - engineAtStart, wall })}\n`);
  });
}
