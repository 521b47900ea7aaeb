// Case: the no-op plan of a converged sim cluster (10,000 machines, 1,000,000 containers) through
// the real binary: observe (read the state) + place + diff, beside the floor: a node process that
// parses the same manifest and the same state file and prints one line.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '../src/manifest/index.js';
import { containerName } from '../src/model/naming.js';
import { replicaLabels } from '../src/reconcile/actions.js';
import { ensureIdentity } from '../src/reconcile/identity-file.js';
import { place } from '../src/sched/index.js';
import { seedSimState, simStatePath, writeSimState, type SeedContainer } from '../src/providers/sim/driver.js';
import { BIN } from './engines.js';
import { fail, summary, type Timing } from './stats.js';

export interface NoopResult {
  machines: number;
  containers: number;
  stateMiB: number;
  plan: Timing;
  floor: Timing;
  /** Median of the per-pair ratios (plan ÷ the floor run right after it). */
  ratio: number;
  ratios: Timing;
  /** CPU time (user + system, all threads) of the same runs, ms, and its per-pair ratios. */
  cpu: { plan: Timing; floor: Timing; ratios: Timing };
  /** Peak RSS of each plan process, MiB. */
  maxRss: Timing;
}

const TAG = 'bench-maxrss-kib-cpu-us=';

export async function noopBench(opts: { machines: number; replicas: number; runs: number }): Promise<NoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-noop-'));
  const file = join(dir, 'cluster.yml');
  const per = opts.replicas / 10;
  writeFileSync(
    file,
    `name: noop\nmachines:\n  m: { driver: sim, count: ${opts.machines}, cpus: 16, memory: 64GiB, labels: { size: xxl } }\nservices:\n` +
      Array.from({ length: 10 }, (_, i) => `  s${i}: { image: busybox, scale: ${per}${i % 3 === 0 ? ', environment: ["constraint:size==xxl"]' : ''} }\n`).join(''),
  );
  const loaded = loadManifest(file, { env: {} });
  if (!loaded.ok) fail(`bench manifest invalid: ${loaded.diagnostics[0]?.message}`);
  const desired = loaded.desired;
  const placement = place(desired, { cluster: desired.name, machines: [] });
  const services = new Map(desired.services.map((s) => [s.name, s]));
  // As an apply of this version leaves it: the folder's identity on every replica (the plan then reads
  // it on each and looks for other checkouts' objects).
  const identity = ensureIdentity(join(dir, '.cluster'), desired.name).id;
  function* containers(): Generator<SeedContainer> {
    for (const r of placement.replicas) {
      const s = services.get(r.service)!;
      yield { machine: r.machine, request: { name: containerName(desired.name, r.service, r.replica), spec: s.spec, labels: replicaLabels(desired, s, r.replica, identity) } };
    }
  }
  const statePath = simStatePath(dir, desired.name);
  await writeSimState(statePath, seedSimState(desired.name, desired.machines, containers()));

  const floorScript = `import { parse } from 'yaml'; import { readFileSync } from 'node:fs';
parse(readFileSync(${JSON.stringify(file)}, 'utf8')); JSON.parse(readFileSync(${JSON.stringify(statePath)}, 'utf8')); console.log('No changes.');`;
  writeFileSync(join(import.meta.dirname, '.floor-noop.mjs'), floorScript);
  // Each process reports, as it exits, its peak RSS and its CPU time (user + system, every thread):
  // a preload, the binary is as shipped. CPU time is what a loaded machine disturbs least.
  const report = `data:text/javascript,process.on('exit',()=>{const c=process.cpuUsage();process.stderr.write('\\n${TAG}'+process.resourceUsage().maxRSS+' '+(c.user+c.system)+'\\n')})`;
  const measured = (what: string, r: SpawnSyncReturns<string>) => {
    const m = new RegExp(`${TAG}(\\d+) (\\d+)`).exec(r.stderr);
    if (!m) fail(`${what}: nothing reported: ${r.stderr.slice(0, 300)}`);
    return { rssMiB: Number(m[1]) / 1024, cpuMs: Number(m[2]) / 1000 };
  };
  // Plan and floor alternate, so that other work on the machine weighs on both alike; each pair gives a ratio.
  const plans: number[] = [];
  const floors: number[] = [];
  const planCpu: number[] = [];
  const floorCpu: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    let t = performance.now();
    const r = spawnSync(process.execPath, ['--import', report, BIN, 'plan', '--detailed-exitcode', '-f', file], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, CI: 'true' } });
    plans.push(performance.now() - t);
    if (r.status !== 0 || !r.stdout.includes('No changes')) fail(`no-op plan: exit ${r.status}: ${(r.stderr || r.stdout).slice(0, 400)}`);
    const p = measured('no-op plan', r);
    rss.push(p.rssMiB);
    planCpu.push(p.cpuMs);
    t = performance.now();
    const f = spawnSync(process.execPath, ['--import', report, join(import.meta.dirname, '.floor-noop.mjs')], { encoding: 'utf8', cwd: join(import.meta.dirname, '..') });
    floors.push(performance.now() - t);
    if (f.status !== 0) fail(`floor failed: ${f.stderr.slice(0, 300)}`);
    floorCpu.push(measured('floor', f).cpuMs);
  }
  const ratios = summary(plans.map((p, i) => p / floors[i]!));
  const cpuRatios = summary(planCpu.map((p, i) => p / floorCpu[i]!));
  const plan = summary(plans);
  const floor = summary(floors);
  return { machines: opts.machines, containers: placement.replicas.length, stateMiB: statSync(statePath).size / 1024 ** 2, plan, floor, ratio: ratios.median, ratios, cpu: { plan: summary(planCpu), floor: summary(floorCpu), ratios: cpuRatios }, maxRss: summary(rss) };
}
