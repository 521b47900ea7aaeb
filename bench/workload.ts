// Deterministic benchmark inputs: N sim machines with size/zone labels and capacities, and services
// with mixed constraints (exact, glob, !=, soft) and reservations adding up to R replicas.
import type { Desired, DesiredMachine, DesiredService, Expression, StrategyName } from '../src/model/desired.js';
import { seededRandom } from '../src/sched/random.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const at = { file: 'bench.yml', line: 1, col: 1 };

function expr(text: string): Expression {
  const m = /^([\w.]+)(==|!=)(~?)(.*)$/.exec(text)!;
  return { key: m[1]!, op: m[2] as '==' | '!=', soft: m[3] === '~', value: m[4]!, text };
}

export function workload(machines: number, replicas: number, strategy: StrategyName, seed = 1): Desired {
  const rnd = seededRandom(seed);
  const sizes = ['small', 'medium', 'large', 'xxl'];
  const ms: DesiredMachine[] = [];
  for (let i = 0; i < machines; i++) {
    const size = sizes[Math.floor(rnd() * sizes.length)]!;
    const k = sizes.indexOf(size) + 1;
    ms.push({
      name: `m${String(i).padStart(6, '0')}`,
      group: 'm',
      driver: 'sim',
      labels: { size, zone: `z${i % 8}`, rack: `r${i % 50}` },
      cpus: 4 * k,
      memory: 16 * k * GiB,
      options: {},
      protect: false,
      position: at,
    });
  }
  // Ten services; replicas split by weight. Reservations keep the cluster at ~60% memory when full.
  const shapes: [string, number, string[], number, number][] = [
    ['web', 3, [], 0.02, 64 * MiB],
    ['api', 2, ['size!=small'], 0.05, 128 * MiB],
    ['db', 0.5, ['size==xxl'], 0.25, 1 * GiB],
    ['cache', 1, ['size==~large'], 0, 256 * MiB],
    ['batch', 1.5, ['zone==z[0-3]*'], 0.02, 32 * MiB],
    ['edge', 0.5, ['zone!=z7', 'rack==/r(1|2)\\d/'], 0, 0],
    ['log', 0.5, [], 0, 16 * MiB],
    ['ml', 0.2, ['size==xxl', 'zone==~z1'], 0.5, 2 * GiB],
    ['queue', 0.4, ['size==medium'], 0.05, 128 * MiB],
    ['misc', 0.4, ['size==l*'], 0, 0],
  ];
  const total = shapes.reduce((n, s) => n + s[1], 0);
  let left = replicas;
  const services: DesiredService[] = shapes.map(([name, share, cons, cpus, memory], i) => {
    const scale = i === shapes.length - 1 ? left : Math.round((replicas * share) / total);
    left -= scale;
    return {
      name,
      scale,
      mode: 'containers',
      spec: { image: 'busybox:latest', environment: {}, ports: [], volumes: [], labels: {}, reservations: { cpus, memory }, limits: { cpus: 0, memory: 0 }, links: [], volumesFrom: [] },
      configHash: `hash-${name}`,
      dependsOn: [],
      placement: { constraints: cons.map(expr), affinities: [] },
      position: at,
    };
  });
  return {
    name: 'bench',
    file: '/tmp/bench.yml',
    machines: ms,
    services,
    scheduler: { strategy, seed, filters: ['health', 'port', 'dependency', 'affinity', 'constraint'] },
    simulation: { latencyMs: {}, failureRate: {}, seed: 0 },
  };
}
