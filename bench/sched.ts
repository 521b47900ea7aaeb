// Case 1: scheduler scale. Ours on 1,000,000 replicas × 10,000 machines, beside the classic
// sort-every-node scheduler (bench/classic.ts) on a size it can finish; both also on that smaller
// input, where their placements must be identical or the run is reported broken. Each full-size run
// is a process of its own (bench/sched-big.ts): its time and its peak RSS are that run's alone.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { StrategyName } from '../src/model/desired.js';
import { place } from '../src/sched/index.js';
import { classicPlace } from './classic.js';
import { fail, summary, time, type Timing } from './stats.js';
import { workload } from './workload.js';

export interface SchedResult {
  strategy: StrategyName;
  /** maxRss: peak RSS of each run's process (median, min–max), MiB; the process holds node, tsx and the workload too. */
  big: { machines: number; replicas: number; ours: Timing; maxRss: Timing };
  small: { machines: number; replicas: number; ours: Timing; classic: Timing };
  /** Classic time per replica on the small input ÷ ours per replica on the big one. */
  ratioPerReplica: number;
  /** Classic ÷ ours on the same small input. */
  ratioSameInput: number;
}

export function schedBench(opts: { machines: number; replicas: number; smallMachines: number; smallReplicas: number; runs: number }): SchedResult[] {
  const out: SchedResult[] = [];
  for (const strategy of ['spread', 'binpack'] as const) {
    const small = workload(opts.smallMachines, opts.smallReplicas, strategy);
    const empty = { cluster: 'bench', machines: [] };
    const ours = place(small, empty);
    const classic = classicPlace(small);
    const mismatch = ours.replicas.find((r) => classic.get(`${r.service}#${r.replica}`) !== r.machine);
    if (mismatch || classic.size !== ours.replicas.length) fail(`${strategy}: ours and classic disagree on ${mismatch ? `${mismatch.service}#${mismatch.replica}` : 'the number of placed replicas'}`);
    const placedAll = (n: number) => (p: ReturnType<typeof place>) => {
      if (p.replicas.length + p.unschedulable.reduce((k, u) => k + u.replicas.length, 0) !== n) fail('replicas went missing');
    };
    const smallOurs = time(opts.runs, () => place(small, empty), placedAll(opts.smallReplicas));
    const smallClassic = time(1, () => classicPlace(small), (m) => m.size === classic.size || fail('classic is not deterministic'));

    const runs = Array.from({ length: opts.runs }, () => bigRun(strategy, opts.machines, opts.replicas));
    const bigOurs = summary(runs.map((r) => r.ms));
    out.push({
      strategy,
      big: { machines: opts.machines, replicas: opts.replicas, ours: bigOurs, maxRss: summary(runs.map((r) => r.maxRssMiB)) },
      small: { machines: opts.smallMachines, replicas: opts.smallReplicas, ours: smallOurs, classic: smallClassic },
      ratioPerReplica: smallClassic.median / opts.smallReplicas / (bigOurs.median / opts.replicas),
      ratioSameInput: smallClassic.median / smallOurs.median,
    });
  }
  return out;
}

function bigRun(strategy: StrategyName, machines: number, replicas: number): { ms: number; maxRssMiB: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'sched-big.ts'), strategy, String(machines), String(replicas)], { encoding: 'utf8', cwd: join(import.meta.dirname, '..') });
  if (r.status !== 0) fail(`${strategy} at full size: exit ${r.status}: ${(r.stderr || r.stdout).slice(0, 400)}`);
  return JSON.parse(r.stdout) as { ms: number; maxRssMiB: number };
}
