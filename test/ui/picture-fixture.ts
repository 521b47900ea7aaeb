// Status reports of made-up clusters for the picture's tests: `machines` machines in a few shapes
// (role, labels, size), `perMachine` replicas each over a few services, some not running.
import type { Unschedulable } from '../../src/model/placement.js';
import type { PictureInput } from '../../src/ui/picture/model.js';
import type { StatusReport } from '../../src/ui/status.js';

const GiB = 1024 ** 3;

export function syntheticCluster(machines: number, opts: { perMachine?: number; services?: string[]; labels?: Record<string, string> } = {}): PictureInput {
  const services = opts.services ?? ['web', 'api', 'db', 'cache'];
  const perMachine = opts.perMachine ?? 3;
  const report: StatusReport = { format_version: '1.0', cluster: 'synthetic', simulated: true, machines: [], containers: [] };
  const replicaOf = new Map<string, number>();
  for (let i = 0; i < machines; i++) {
    const name = `m-${i + 1}`;
    const big = i % 4 === 0;
    const cpus = big ? 16 : 4;
    const memory = (big ? 64 : 8) * GiB;
    report.machines.push({
      name,
      driver: 'sim',
      state: i % 97 === 5 ? 'stopped' : 'running',
      role: i < 3 ? 'manager' : 'worker',
      labels: { zone: ['eu', 'us', 'ap'][i % 3]!, size: big ? 'xxl' : 'small', ...(i === 0 ? opts.labels : {}) },
      address: null,
      engine: null,
      cpus,
      memory,
      reserved: { cpus: (cpus * (i % 5)) / 5, memory: (memory * (i % 3)) / 4 },
      containers: perMachine,
      problem: i % 97 === 5 ? 'stopped outside cluster' : null,
    });
    for (let k = 0; k < perMachine; k++) {
      const service = services[(i + k) % services.length]!;
      const replica = (replicaOf.get(service) ?? 0) + 1;
      replicaOf.set(service, replica);
      report.containers.push({ name: `synthetic-${service}-${replica}`, id: `${i}-${k}`, service, replica, machine: name, state: (i + k) % 11 === 0 ? 'exited' : 'running', image: 'busybox' });
    }
  }
  const unschedulable: Unschedulable[] = [
    { service: 'huge', replicas: [1, 2, 3], reasons: [], summary: `0/${machines} machines can take huge-1: ${machines} not enough cpu` },
  ];
  return { report, unschedulable, pending: machines > 1 ? [{ service: 'web', replica: 9999, machine: 'm-2' }] : [] };
}
