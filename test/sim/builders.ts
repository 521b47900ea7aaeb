// Builders for sim driver tests, free of vitest (test/sim/scale-load.ts runs them in a plain node process):
// driver contexts, machines, container requests.
import type { ContainerCreateRequest } from '../../src/engine/types.js';
import type { DesiredMachine, ServiceSpec, SimulationConfig } from '../../src/model/desired.js';
import { LABEL } from '../../src/model/observed.js';
import type { DriverContext } from '../../src/providers/types.js';

export const CLUSTER = 'demo';
const at = { file: '/tmp/cluster.yml', line: 1, col: 1 };
const specJson = new WeakMap<ServiceSpec, string>();

export function context(dir: string, simulation: Partial<SimulationConfig> = {}): DriverContext {
  return { cluster: CLUSTER, dir, machines: [], simulation: { latencyMs: {}, failureRate: {}, seed: 1, ...simulation } };
}

export function machine(name: string, over: Partial<DesiredMachine> = {}): DesiredMachine {
  return { name, group: name, driver: 'sim', labels: {}, options: {}, protect: false, position: at, ...over };
}

export function spec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return { image: 'nginx:1.25', environment: {}, ports: [], volumes: [], labels: {}, reservations: { cpus: 0, memory: 0 }, limits: { cpus: 0, memory: 0 }, links: [], volumesFrom: [], ...over };
}

/** What the reconciler asks for replica `replica` of `service`: the deterministic name and ownership labels. */
export function replicaRequest(service: string, replica: number, s: ServiceSpec = spec(), configHash = `hash-${service}`): ContainerCreateRequest {
  let json = specJson.get(s);
  if (json === undefined) specJson.set(s, (json = JSON.stringify(s)));
  return {
    name: `${CLUSTER}-${service}-${replica}`,
    spec: s,
    labels: { [LABEL.cluster]: CLUSTER, [LABEL.service]: service, [LABEL.replica]: String(replica), [LABEL.configHash]: configHash, [LABEL.spec]: json },
  };
}
