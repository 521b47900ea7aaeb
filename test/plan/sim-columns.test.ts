// A simulated cluster read from its state file keeps its containers in columns (format 2) and is
// observed from them without a row per container (src/providers/sim/state.ts SimColumns). Format 1
// stores a row per container and is read into rows. Whatever the cluster, both must plan the same,
// byte for byte: random converged and near-converged states (a replica missing, stopped, with another
// config, duplicated on another machine, a stranger beside it, a machine gone, stopped or relabelled,
// drained, global services, ignore_changes, --target) are written both ways and planned.
import fc from 'fast-check';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import '../support/fast-check-seed.js';
import { computePlan, openSession } from '../../src/cli/pipeline.js';
import { loadManifest } from '../../src/manifest/index.js';
import type { Desired } from '../../src/model/desired.js';
import { containerName } from '../../src/model/naming.js';
import { LABEL } from '../../src/model/observed.js';
import { encodeSimState } from '../../src/providers/sim/format.js';
import { seedSimState, type SeedContainer } from '../../src/providers/sim/seed.js';
import { simStatePath } from '../../src/providers/sim/file.js';
import { replicaLabels } from '../../src/reconcile/actions.js';
import { ensureIdentity, identityFile } from '../../src/reconcile/identity-file.js';
import { place } from '../../src/sched/index.js';

const shapeArb = fc.record({
  workers: fc.integer({ min: 1, max: 4 }),
  swarm: fc.boolean(),
  drain: fc.boolean(),
  web: fc.integer({ min: 0, max: 6 }),
  db: fc.integer({ min: 0, max: 3 }),
  agent: fc.boolean(),
  mode: fc.constantFrom('a', 'b'),
  ignoreMode: fc.boolean(),
});
type Shape = typeof shapeArb extends fc.Arbitrary<infer T> ? T : never;

const editArb = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('stop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('stranger' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('machine-gone' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('machine-stopped' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('machine-relabelled' as const), at: fc.nat() }),
);
type Edit = typeof editArb extends fc.Arbitrary<infer T> ? T : never;

function manifest(s: Shape): string {
  const role = (r: string) => (s.swarm ? `, role: ${r}` : '');
  return `name: cols
machines:
  m: { driver: sim, cpus: 4, memory: 8GiB, labels: { size: small }${role('manager')} }
  w: { driver: sim, count: ${s.workers}, cpus: 8, memory: 16GiB, labels: { size: xxl }${role('worker')} }
  d: { driver: sim, cpus: 8, memory: 16GiB, labels: { size: xxl }${role('worker')}${s.drain ? ', availability: drain' : ''} }
services:
  web:
    image: busybox
    scale: ${s.web}
    environment: { MODE: ${s.mode} }
${s.ignoreMode ? '    x-cluster:\n      ignore_changes: [environment.MODE]\n' : ''}  db:
    image: busybox
    scale: ${s.db}
    environment: ["constraint:size==xxl"]
${s.agent ? '  agent:\n    image: busybox\n    deploy: { mode: global }\n' : ''}`;
}

function load(file: string): Desired {
  const r = loadManifest(file, { env: {} });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.desired;
}

/** What an apply of `before` left (with this folder's identity), then changed by `edits` behind its back. */
function stateText(before: Desired, identity: string, edits: Edit[]): string {
  const placement = place(before, { cluster: before.name, machines: [] });
  const services = new Map(before.services.map((s) => [s.name, s]));
  const containers: SeedContainer[] = placement.replicas.map((r) => {
    const s = services.get(r.service)!;
    return { machine: r.machine, request: { name: containerName(before.name, r.service, r.replica), spec: s.spec, labels: replicaLabels(before, s, r.replica, identity) } };
  });
  const state = seedSimState(before.name, before.machines, containers);
  const machines = [...state.machines.values()];
  const pick = <T>(list: T[], at: number) => list[at % list.length];
  for (const e of edits) {
    const all = machines.flatMap((m) => m.containers.map((c) => ({ m, c })));
    const one = pick(all, e.at);
    const m = pick(machines, e.at)!;
    if (e.kind === 'drop' && one) state.removeContainer(one.m, one.c);
    if (e.kind === 'stop' && one) one.c.state = 'exited';
    if (e.kind === 'duplicate' && one) {
      const to = pick(machines.filter((x) => x !== one.m), e.at);
      const seeded = containers.find((s) => s.request.name === one.c.name);
      if (to && seeded) state.addContainer(to, seeded.request, 'running');
    }
    if (e.kind === 'stranger') state.addContainer(m, { name: `stranger-${e.at}`, spec: before.services[0]!.spec, labels: { [LABEL.cluster]: 'someone-else' } }, 'running');
    if (e.kind === 'machine-gone') state.removeMachine(m.name);
    if (e.kind === 'machine-stopped') m.state = 'stopped';
    if (e.kind === 'machine-relabelled') m.labels = { size: 'medium' };
  }
  return encodeSimState(state);
}

/** The same state in format 1: a row per container instead of five columns per machine. */
function asRows(text: string): string {
  const doc = JSON.parse(text);
  for (const m of doc.machines) {
    const c = m.containers;
    m.containers = c.serial.map((serial: number, i: number) => [serial, c.name[i], c.state[i], c.template[i], c.replica[i]]);
  }
  return JSON.stringify({ ...doc, format: 1 });
}

async function planIn(dir: string, target: string[] | undefined): Promise<string> {
  const desired = load(join(dir, 'cluster.yml'));
  const s = await openSession(desired);
  try {
    return JSON.stringify(computePlan(desired, s.observation, { target }).plan);
  } finally {
    await s.close();
  }
}

describe('sim state by column', () => {
  test('a state read by column plans exactly as the same state read by row', async () => {
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(shapeArb, shapeArb, fc.array(editArb, { maxLength: 4 }), fc.constantFrom<string[] | undefined>(undefined, ['service.web'], ['machine.d']), async (before, after, edits, target) => {
        const dirs = [mkdtempSync(join(tmpdir(), 'sim-columns-')), mkdtempSync(join(tmpdir(), 'sim-rows-'))];
        for (const dir of dirs) {
          mkdirSync(join(dir, '.cluster'));
          writeFileSync(join(dir, 'cluster.yml'), manifest(after));
        }
        writeFileSync(join(dirs[0]!, 'before.yml'), manifest(before));
        const identity = ensureIdentity(join(dirs[0]!, '.cluster'), 'cols').id;
        copyFileSync(identityFile(join(dirs[0]!, '.cluster'), 'cols'), identityFile(join(dirs[1]!, '.cluster'), 'cols'));
        const text = stateText(load(join(dirs[0]!, 'before.yml')), identity, edits);
        writeFileSync(simStatePath(dirs[0]!, 'cols'), text);
        writeFileSync(simStatePath(dirs[1]!, 'cols'), asRows(text));
        const [byColumn, byRow] = (await Promise.all(dirs.map((d) => planIn(d, target)))) as [string, string];
        expect(byColumn.replaceAll(dirs[0]!, '<dir>')).toBe(byRow.replaceAll(dirs[1]!, '<dir>'));
        if (JSON.parse(byColumn).actions.length) changed++;
      }),
      { numRuns: 60 },
    );
    // The property means something only if many of the cases plan changes.
    expect(changed).toBeGreaterThan(20);
  }, 120_000);
});
