// `npm run bench [-- case...] [--json] [--quick]`: every case measures ours beside a baseline in the
// same run and prints ratios; results go to stdout as a markdown table (or JSON) and to
// docs/BENCHMARKS.md. A broken run (wrong placements, a failing command) exits 1 instead.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { planCliBench } from './plan-cli.js';
import { schedBench } from './sched.js';
import { fmt } from './stats.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
const run = (name: string) => wanted.length === 0 || wanted.includes(name);

const machine = `${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`;
const results: Record<string, unknown> = { machine };
const lines: string[] = [`# Benchmarks`, '', `Machine: ${machine}. Produced by \`npm run bench\`${quick ? ' --quick' : ''}; every ratio compares runs made in the same process run.`, ''];

if (run('sched')) {
  const size = quick ? { machines: 2000, replicas: 100_000, smallMachines: 2000, smallReplicas: 500, runs: 1 } : { machines: 10_000, replicas: 1_000_000, smallMachines: 10_000, smallReplicas: 2_000, runs: 3 };
  const r = schedBench(size);
  results.sched = r;
  lines.push(
    '## Scheduler scale (classic Swarm semantics, constraints + soft + reservations)',
    '',
    `Ours places ${size.replicas.toLocaleString('en')} replicas on ${size.machines.toLocaleString('en')} machines; the classic scheduler (filter and sort every node for every replica, bench/classic.ts) places ${size.smallReplicas.toLocaleString('en')} on the same ${size.smallMachines.toLocaleString('en')} machines, where both must agree replica for replica.`,
    '',
    '| strategy | ours, full size | ours, classic-size input | classic | speed-up per replica | peak RSS |',
    '|---|---|---|---|---|---|',
    ...r.map((x) => `| ${x.strategy} | ${fmt(x.big.ours)} | ${fmt(x.small.ours)} | ${fmt(x.small.classic)} | ${x.ratioPerReplica.toFixed(0)}× | ${x.big.maxRssMiB.toFixed(0)} MiB |`),
    '',
  );
}

if (run('plan')) {
  const size = quick ? { machines: 400, replicas: 20_000, runs: 1 } : { machines: 2_000, replicas: 100_000, runs: 3 };
  const r = planCliBench(size);
  results.plan = r;
  lines.push(
    '## `cluster plan --json` at scale (fresh sim cluster, real binary)',
    '',
    `${size.machines.toLocaleString('en')} machines, ${size.replicas.toLocaleString('en')} replicas, ${(r.planBytes / 1024 ** 2).toFixed(0)} MiB of JSON; the floor is a node process that only parses the manifest and prints as many bytes of JSON.`,
    '',
    '| cluster plan | floor | ratio |',
    '|---|---|---|',
    `| ${fmt(r.plan)} | ${fmt(r.floor)} | ${r.ratio.toFixed(1)}× |`,
    '',
  );
}

const markdown = lines.join('\n');
if (!quick && wanted.length === 0) writeFileSync(join(import.meta.dirname, '../docs/BENCHMARKS.md'), markdown);
process.stdout.write(json ? JSON.stringify(results, null, 2) + '\n' : markdown);
