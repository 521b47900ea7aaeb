// Case 2: `cluster plan --json` on a fresh sim cluster of 2,000 machines and 100,000 replicas,
// through the real binary, beside the floor: a node process that only parses the same manifest
// with `yaml` and prints a JSON document as large as the plan.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, time, type Timing } from './stats.js';

const BIN = join(import.meta.dirname, '../bin/cluster.js');

export interface PlanCliResult {
  machines: number;
  replicas: number;
  planBytes: number;
  plan: Timing;
  floor: Timing;
  ratio: number;
}

function manifest(machines: number, replicas: number): string {
  const per = Math.floor(replicas / 4);
  return `name: bench
machines:
  small: { driver: sim, count: ${machines / 2}, cpus: 4, memory: 16GiB, labels: { size: small } }
  big: { driver: sim, count: ${machines / 2}, cpus: 16, memory: 64GiB, labels: { size: xxl } }
services:
  web: { image: busybox, scale: ${per}, deploy: { resources: { reservations: { memory: 64M } } } }
  api: { image: busybox, scale: ${per}, environment: ["constraint:size==xxl"], deploy: { resources: { reservations: { cpus: "0.05" } } } }
  log: { image: busybox, scale: ${per} }
  batch: { image: busybox, scale: ${replicas - 3 * per}, environment: ["constraint:size!=~xxl"] }
`;
}

export function planCliBench(opts: { machines: number; replicas: number; runs: number }): PlanCliResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-plan-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, manifest(opts.machines, opts.replicas));
  let bytes = 0;
  const plan = time(
    opts.runs,
    () => spawnSync(process.execPath, [BIN, 'plan', '--json', '-f', file], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, CI: 'true' } }),
    (r) => {
      if (r.status !== 0) fail(`cluster plan exited ${r.status}: ${r.stderr.slice(0, 300)}`);
      const p = JSON.parse(r.stdout) as { actions: { kind: string }[] };
      const creates = p.actions.filter((a) => a.kind === 'container.create').length;
      if (creates !== opts.replicas) fail(`plan creates ${creates} containers, expected ${opts.replicas}`);
      bytes = r.stdout.length;
    },
  );
  // The floor: start node, parse the manifest, print that many bytes of JSON.
  const floorScript = `import { parse } from 'yaml'; import { readFileSync } from 'node:fs';
const doc = parse(readFileSync(${JSON.stringify(file)}, 'utf8'));
const items = Array.from({ length: ${opts.replicas} }, (_, i) => ({ id: 'container.create:web:' + i, kind: 'container.create', machine: 'small-' + (i % 1000), after: ['machine.create:small-1'] }));
const out = JSON.stringify({ doc, items }, null, 2); let n = 0; while (n < ${bytes}) { process.stdout.write(out.slice(0, ${bytes} - n)); n += Math.min(out.length, ${bytes} - n); }`;
  writeFileSync(join(import.meta.dirname, '.floor.mjs'), floorScript);
  const floor = time(
    opts.runs,
    () => spawnSync(process.execPath, [join(import.meta.dirname, '.floor.mjs')], { encoding: 'utf8', maxBuffer: 1 << 30, cwd: join(import.meta.dirname, '..') }),
    (r) => {
      if (r.status !== 0) fail(`floor script failed: ${r.stderr.slice(0, 300)}`);
    },
  );
  return { machines: opts.machines, replicas: opts.replicas, planBytes: bytes, plan, floor, ratio: plan.median / floor.median };
}
