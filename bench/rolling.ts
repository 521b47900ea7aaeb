// Case `rolling`: a rolling update of N replicas (deploy.update_config) through the real binary on the
// sim driver, against the sum of its batches' health waits. Sim, not real engines: a simulated
// container is healthy at once, so each batch's health wait is exactly `monitor` and the sum is known
// (batches × monitor + delays); on real engines it is set by Docker's healthcheck interval, which the
// tool cannot see from outside. Every engine call still costs the simulated latency, so the overhead
// (remove, create, start, polling) is real work measured, not assumed away. Also measured in the same
// run: the same update with monitor 0 (the orchestration alone).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { actionSpan, actionTimes } from './apply-output.js';
import { BIN, scratch } from './engines.js';
import { fail, type Timing } from './stats.js';

const manifest = (replicas: number, parallelism: number, monitor: string, image: string) => `name: brolling
machines:
  m: { driver: sim, count: 4, cpus: 64, memory: 64GiB }
simulation:
  latency: { default: 20ms }
services:
  web:
    image: ${image}
    scale: ${replicas}
    deploy:
      update_config: { parallelism: ${parallelism}, monitor: ${monitor} }
`;

export interface RollingResult {
  replicas: number;
  batches: number;
  monitorMs: number;
  /** First replacement started → last one done, from apply's own timestamps. */
  span: Timing;
  /** The same update with monitor 0: what the orchestration costs without waits. */
  bare: Timing;
  /** The sum of the batches' health waits. */
  waits: number;
  ratio: number;
}

export function rollingBench(size: { replicas: number; parallelism: number; monitorMs: number; runs: number }): RollingResult {
  const batches = Math.ceil(size.replicas / size.parallelism);
  const measure = (monitor: string): Timing => {
    const samples: number[] = [];
    for (let i = 0; i < size.runs; i++) {
      const s = scratch('bench-rolling-', manifest(size.replicas, size.parallelism, monitor, 'web:1'));
      apply(s.dir);
      writeFileSync(s.file, manifest(size.replicas, size.parallelism, monitor, 'web:2'));
      const out = apply(s.dir);
      const replaced = actionTimes(out, 'done', '-/\\+ web #').length;
      if (replaced !== size.replicas) fail(`rolling update replaced ${replaced} of ${size.replicas} replicas`);
      samples.push(actionSpan(out, '-/\\+ web #'));
    }
    samples.sort((a, b) => a - b);
    return { median: samples[Math.floor(samples.length / 2)]!, min: samples[0]!, max: samples[samples.length - 1]!, runs: size.runs };
  };
  const bare = measure('0s');
  const timed = measure(`${size.monitorMs}ms`);
  const waits = batches * size.monitorMs;
  return { replicas: size.replicas, batches, monitorMs: size.monitorMs, span: timed, bare, waits, ratio: timed.median / waits };
}

function apply(dir: string): string {
  const r = spawnSync(process.execPath, [BIN, 'apply', '--auto-approve'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  if (r.status !== 0) fail(`cluster apply exited ${r.status}: ${(r.stderr || r.stdout).slice(-600)}`);
  return r.stdout + r.stderr;
}
