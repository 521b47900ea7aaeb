// The fast scheduler must place exactly as the reference (test/sched/reference.ts) on random
// clusters: every filter, soft fallback, resources, all three strategies, existing replicas.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Desired, DesiredService, Expression, StrategyName } from '../../src/model/desired.js';
import type { Observed, ObservedContainer, ObservedMachine } from '../../src/model/observed.js';
import { place } from '../../src/sched/index.js';
import { desired, facts, machine, owned, service, spec } from '../support/build.js';
import { referencePlace } from './reference.js';
import { turn } from '../support/turn.js';

const GiB = 1024 ** 3;
const SIZES = ['small', 'xxl', 'medium'];

const expr = (key: string, op: '==' | '!=', value: string, soft: boolean): Expression => ({ key, op, value, soft, text: `${key}${op}${soft ? '~' : ''}${value}` });

const constraintArb = fc.oneof(
  fc.tuple(fc.constantFrom('size'), fc.constantFrom('==', '!=' as const), fc.constantFrom('small', 'xxl', 'x*', '/^(small|medium)$/', '*', '/^$/', 'x.l', '/(?i)SMALL/', 'small|xxl'), fc.boolean()),
  fc.tuple(fc.constantFrom('node'), fc.constantFrom('==', '!=' as const), fc.constantFrom('m0', 'm1', 'm*'), fc.boolean()),
  fc.tuple(fc.constantFrom('node.role'), fc.constantFrom('==', '!=' as const), fc.constantFrom('manager', 'worker'), fc.boolean()),
).map(([k, op, v, soft]) => expr(k, op as '==' | '!=', v, soft));

const affinityArb = fc
  .tuple(fc.constantFrom('container', 'image', 'tier'), fc.constantFrom('==', '!=' as const), fc.constantFrom('demo-s0-*', '*-s1-*', 'redis', 'busybox', 'front', 'foreign-*', '*', '/^$/', 'fr.nt'), fc.boolean())
  .map(([k, op, v, soft]) => expr(k, op as '==' | '!=', v, soft));

const serviceArb = fc.record({
  scale: fc.integer({ min: 0, max: 7 }),
  image: fc.constantFrom('busybox:latest', 'redis', 'redis:7'),
  port: fc.option(fc.constantFrom(80, 8080), { nil: undefined }),
  hostIp: fc.constantFrom(undefined, undefined, '127.0.0.1', '127.0.0.2', '0.0.0.0'),
  udp: fc.boolean(),
  cpus: fc.constantFrom(0, 0, 0.5, 1, 1.5),
  memory: fc.constantFrom(0, 0, 256 * 1024 ** 2, GiB, 3 * GiB),
  constraints: fc.array(constraintArb, { maxLength: 2 }),
  affinities: fc.array(affinityArb, { maxLength: 2 }),
  tier: fc.constantFrom(undefined, 'front', 'back'),
  link: fc.boolean(),
  changed: fc.boolean(),
});

const machineArb = fc.record({
  size: fc.option(fc.constantFrom(...SIZES), { nil: undefined }),
  cpus: fc.constantFrom(1, 2, 4),
  memory: fc.constantFrom(1, 2, 8).map((g) => g * GiB),
  role: fc.constantFrom(undefined, 'manager', 'worker' as const),
  declared: fc.boolean(),
  observed: fc.constantFrom('missing', 'running', 'running', 'stopped', 'error', 'unreachable'),
  foreign: fc.array(fc.record({ port: fc.option(fc.constantFrom(80, 8080), { nil: undefined }), hostIp: fc.constantFrom(undefined, '127.0.0.1', '127.0.0.2'), memory: fc.constantFrom(0, 512 * 1024 ** 2), tier: fc.constantFrom(undefined, 'front') }), { maxLength: 2 }),
});

const scenarioArb = fc.record({
  machines: fc.array(machineArb, { minLength: 0, maxLength: 6 }),
  services: fc.array(serviceArb, { minLength: 1, maxLength: 4 }),
  strategy: fc.constantFrom<StrategyName>('spread', 'binpack', 'random'),
  seed: fc.integer({ min: 0, max: 1000 }),
  existing: fc.array(fc.tuple(fc.nat(5), fc.nat(3), fc.integer({ min: 1, max: 8 })), { maxLength: 6 }),
  filters: fc.subarray(['health', 'port', 'dependency', 'affinity', 'constraint'] as const, { minLength: 3 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(sc: Scenario): { d: Desired; o: Observed } {
  const services: DesiredService[] = sc.services.map((s, i) => {
    const name = `s${i}`;
    const links = s.link && i > 0 ? [`s${i - 1}`] : [];
    return service(name, {
      scale: s.scale,
      configHash: `hash-${name}`,
      dependsOn: links,
      spec: spec({
        image: s.image,
        ports: s.port ? [{ target: 80, published: s.port, protocol: s.udp ? 'udp' : 'tcp', ...(s.hostIp ? { hostIp: s.hostIp } : {}) }] : [],
        reservations: { cpus: s.cpus, memory: s.memory },
        labels: s.tier ? { tier: s.tier } : {},
        links,
      }),
      placement: { constraints: s.constraints, affinities: s.affinities },
    });
  });
  const machines = sc.machines.map((m, i) =>
    machine(`m${i}`, { labels: m.size ? { size: m.size } : {}, cpus: m.declared ? m.cpus : undefined, memory: m.declared ? m.memory : undefined, ...(m.role ? { role: m.role } : {}) }),
  );
  const observedMachines: ObservedMachine[] = [];
  sc.machines.forEach((m, i) => {
    const name = `m${i}`;
    if (m.observed === 'missing') return;
    if (m.observed !== 'running') {
      observedMachines.push({ name, driver: 'sim', state: m.observed === 'unreachable' ? 'running' : (m.observed as 'stopped' | 'error'), engine: null });
      return;
    }
    const containers: ObservedContainer[] = m.foreign.map((f, k) => ({
      id: `f${i}${k}`,
      name: `foreign-${i}-${k}`,
      image: 'redis:7',
      state: 'running',
      labels: (f.tier ? { tier: f.tier } : {}) as Record<string, string>,
      ports: f.port ? [{ published: f.port, protocol: 'tcp', ...(f.hostIp ? { hostIp: f.hostIp } : {}) }] : [],
      reservations: { cpus: 0, memory: f.memory },
    }));
    for (const [k, [mi, si, r]] of sc.existing.entries()) {
      const s = sc.services[si];
      if (mi !== i || !s) continue;
      const hash = s.changed ? 'stale' : `hash-s${si}`;
      // Engines never repeat a container id, even for two copies of one replica.
      containers.push(owned(`s${si}`, r, hash, { id: `id-s${si}-${r}-m${i}-${k}`, reservations: { cpus: s.cpus, memory: s.memory }, ports: s.port ? [{ published: s.port, protocol: s.udp ? 'udp' : 'tcp', ...(s.hostIp && s.hostIp !== '0.0.0.0' ? { hostIp: s.hostIp } : {}) }] : [] }));
    }
    containers.sort((a, b) => (a.name < b.name ? -1 : 1));
    observedMachines.push({ name, driver: 'sim', state: 'running', engine: facts({ id: `E${i}`, cpus: m.declared ? 16 : m.cpus, memory: m.declared ? 64 * GiB : m.memory, containers, images: [{ id: 'sha:redis', tags: ['redis:7'] }] }) });
  });
  const filters = [...sc.filters];
  const d = desired(machines, services, { scheduler: { strategy: sc.strategy, seed: sc.seed, filters } });
  return { d, o: { cluster: 'demo', machines: observedMachines } };
}

describe('scheduler against the reference', () => {
  test('same placements, same unschedulable replicas, same first-refusing filter per machine', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (sc) => {
        const { d, o } = build(sc);
        const fast = place(d, o);
        const ref = referencePlace(d, o);
        expect(fast.replicas.map((r) => ({ service: r.service, replica: r.replica, machine: r.machine, fate: r.fate }))).toEqual(ref.replicas);
        expect(fast.unschedulable.map((u) => ({ service: u.service, replicas: u.replicas, reasons: u.reasons.map((x) => ({ machine: x.machine, filter: x.filter })) }))).toEqual(ref.unschedulable);
        await turn(); // test/support/turn.ts says why
      }),
      {
        numRuns: 600,
        // Found by CI: two copies of one replica on one machine (only one of them stays).
        examples: [[{ machines: [{ size: undefined, cpus: 1, memory: GiB, role: undefined, declared: false, observed: 'missing', foreign: [] }, { size: undefined, cpus: 2, memory: GiB, role: undefined, declared: false, observed: 'running', foreign: [] }], services: [{ scale: 1, image: 'busybox:latest', port: undefined, hostIp: undefined, udp: false, cpus: 0.5, memory: 0, constraints: [expr('node', '!=', 'm0', false)], affinities: [], tier: undefined, link: false, changed: false }, { scale: 1, image: 'busybox:latest', port: undefined, hostIp: undefined, udp: false, cpus: 1.5, memory: 0, constraints: [], affinities: [], tier: undefined, link: false, changed: false }], strategy: 'spread', seed: 0, existing: [[1, 1, 1], [1, 1, 1]], filters: ['dependency', 'affinity', 'constraint'] }]],
      },
    );
  });
});
