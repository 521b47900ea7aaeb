// Random converged and near-converged simulated clusters, as a state file: what an apply of one
// manifest left, then changed behind its back (a replica dropped, stopped or duplicated on another
// machine, made by another checkout, a stranger beside them, a machine gone, stopped or relabelled), planned against another
// manifest (or the same one: converged). For the tests that hold two ways of planning to each other.
import fc from 'fast-check';
import type { Desired } from '../../src/model/desired.js';
import { loadManifest } from '../../src/manifest/index.js';
import { containerName } from '../../src/model/naming.js';
import { LABEL } from '../../src/model/observed.js';
import { encodeSimState } from '../../src/providers/sim/format.js';
import { seedSimState, type SeedContainer } from '../../src/providers/sim/seed.js';
import { replicaLabels } from '../../src/reconcile/actions.js';
import { place } from '../../src/sched/index.js';

export const shapeArb = fc.record({
  workers: fc.integer({ min: 1, max: 4 }),
  swarm: fc.boolean(),
  drain: fc.boolean(),
  dSize: fc.constantFrom('xxl', 'small'),
  web: fc.integer({ min: 0, max: 6 }),
  db: fc.integer({ min: 0, max: 3 }),
  agent: fc.constantFrom(false, false, true), // a global service: seldom, or the converged path is rarely tried
  mode: fc.constantFrom('a', 'b'),
  ignoreMode: fc.boolean(),
  network: fc.boolean(),
  dependsOn: fc.boolean(),
});
export type Shape = typeof shapeArb extends fc.Arbitrary<infer T> ? T : never;

export const editArb = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('stop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('stranger' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('other-checkout' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('machine-gone' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('machine-stopped' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('machine-relabelled' as const), at: fc.nat() }),
);
export type Edit = typeof editArb extends fc.Arbitrary<infer T> ? T : never;

export function manifest(s: Shape): string {
  const role = (r: string) => (s.swarm ? `, role: ${r}` : '');
  return `name: cols
machines:
  m: { driver: sim, cpus: 4, memory: 8GiB, labels: { size: small }${role('manager')} }
  w: { driver: sim, count: ${s.workers}, cpus: 8, memory: 16GiB, labels: { size: xxl }${role('worker')} }
  d: { driver: sim, cpus: 8, memory: 16GiB, labels: { size: ${s.dSize} }${role('worker')}${s.drain ? ', availability: drain' : ''} }
${s.network ? 'networks:\n  back: {}\n' : ''}services:
  web:
    image: busybox
    scale: ${s.web}
    environment: { MODE: ${s.mode} }
${s.network ? '    networks: [back]\n' : ''}${s.dependsOn ? '    depends_on: [db]\n' : ''}${s.ignoreMode ? '    x-cluster:\n      ignore_changes: [environment.MODE]\n' : ''}  db:
    image: busybox
    scale: ${s.db}
    environment: ["constraint:size==xxl"]
${s.agent ? '  agent:\n    image: busybox\n    deploy: { mode: global }\n' : ''}`;
}

export function load(file: string): Desired {
  const r = loadManifest(file, { env: {} });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.desired;
}

/** What an apply of `before` left (with this folder's identity), then changed by `edits` behind its back. */
export function stateText(before: Desired, identity: string, edits: Edit[]): string {
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
    if (e.kind === 'other-checkout' && one) {
      // The same replica made by another checkout of the cluster (another folder, another identity): not ours, reported.
      const to = pick(machines.filter((x) => x !== one.m), e.at);
      const s = services.get(one.c.name.split('-')[1]!);
      if (to && s) state.addContainer(to, { name: one.c.name, spec: s.spec, labels: replicaLabels(before, s, one.c.replica, 'another-checkout') }, 'running');
    }
    if (e.kind === 'stranger') state.addContainer(m, { name: `stranger-${e.at}`, spec: before.services[0]!.spec, labels: { [LABEL.cluster]: 'someone-else' } }, 'running');
    if (e.kind === 'machine-gone') state.removeMachine(m.name);
    if (e.kind === 'machine-stopped') m.state = 'stopped';
    if (e.kind === 'machine-relabelled') m.labels = { size: 'medium' };
  }
  return encodeSimState(state);
}

/** The same state in format 1: a row per container instead of five columns per machine. */
export function asRows(text: string): string {
  const doc = JSON.parse(text);
  for (const m of doc.machines) {
    const c = m.containers;
    m.containers = c.serial.map((serial: number, i: number) => [serial, c.name[i], c.state[i], c.template[i], c.replica[i]]);
  }
  return JSON.stringify({ ...doc, format: 1 });
}

