// One run of the scheduler at full size, alone in its own process, so its peak RSS is this
// strategy's and this run's (in one process, later runs and the other strategy would inherit the
// first's high-water mark). Prints one JSON line: { ms, maxRssMiB } or exits 1 on a broken run.
// Usage (from bench/sched.ts): node --import tsx bench/sched-big.ts <strategy> <machines> <replicas>
import type { StrategyName } from '../src/model/desired.js';
import { place } from '../src/sched/index.js';
import { fail } from './stats.js';
import { workload } from './workload.js';

const [strategy, machines, replicas] = [process.argv[2] as StrategyName, Number(process.argv[3]), Number(process.argv[4])];
const big = workload(machines, replicas, strategy);
const t = performance.now();
const p = place(big, { cluster: 'bench', machines: [] });
const ms = performance.now() - t;
if (p.replicas.length !== replicas) fail(`${strategy}: ${replicas - p.replicas.length} replicas not placed (${p.unschedulable.length} services unschedulable)`);
process.stdout.write(JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
