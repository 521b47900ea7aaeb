// Case 1: scheduler scale. Ours on 1,000,000 replicas × 10,000 machines, beside the classic
// sort-every-node scheduler (bench/classic.ts) on a size it can finish; both also on that smaller
// input, where their placements must be identical or the run is reported broken.
import type { StrategyName } from '../src/model/desired.js';
import { place } from '../src/sched/index.js';
import { classicPlace } from './classic.js';
import { fail, time, type Timing } from './stats.js';
import { workload } from './workload.js';

export interface SchedResult {
  strategy: StrategyName;
  big: { machines: number; replicas: number; ours: Timing; maxRssMiB: number };
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
    let ours = place(small, empty);
    const classic = classicPlace(small);
    const mismatch = ours.replicas.find((r) => classic.get(`${r.service}#${r.replica}`) !== r.machine);
    if (mismatch || classic.size !== ours.replicas.length) fail(`${strategy}: ours and classic disagree on ${mismatch ? `${mismatch.service}#${mismatch.replica}` : 'the number of placed replicas'}`);
    const placedAll = (n: number) => (p: ReturnType<typeof place>) => {
      if (p.replicas.length + p.unschedulable.reduce((k, u) => k + u.replicas.length, 0) !== n) fail('replicas went missing');
    };
    const smallOurs = time(opts.runs, () => place(small, empty), placedAll(opts.smallReplicas));
    const smallClassic = time(1, () => classicPlace(small), (m) => m.size === classic.size || fail('classic is not deterministic'));

    const big = workload(opts.machines, opts.replicas, strategy);
    const bigOurs = time(opts.runs, () => (ours = place(big, empty)), placedAll(opts.replicas));
    if (ours.unschedulable.length) fail(`${strategy}: ${ours.unschedulable.length} services unschedulable in the big workload`);
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    out.push({
      strategy,
      big: { machines: opts.machines, replicas: opts.replicas, ours: bigOurs, maxRssMiB },
      small: { machines: opts.smallMachines, replicas: opts.smallReplicas, ours: smallOurs, classic: smallClassic },
      ratioPerReplica: smallClassic.median / opts.smallReplicas / (bigOurs.median / opts.replicas),
      ratioSameInput: smallClassic.median / smallOurs.median,
    });
  }
  return out;
}
