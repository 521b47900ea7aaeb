// Small builders for Desired/Observed values in unit tests (plain data, no I/O).
import type { Desired, DesiredMachine, DesiredService, ServiceSpec } from '../../src/model/desired.js';
import { LABEL, type EngineFacts, type ObservedContainer, type ObservedMachine } from '../../src/model/observed.js';

const at = { file: '/tmp/cluster.yml', line: 1, col: 1 };

export function machine(name: string, over: Partial<DesiredMachine> = {}): DesiredMachine {
  return { name, group: name, driver: 'sim', labels: {}, cpus: 2, memory: 2 * 1024 ** 3, options: {}, protect: false, position: at, ...over };
}

export function spec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return { image: 'busybox:latest', environment: {}, ports: [], volumes: [], labels: {}, reservations: { cpus: 0, memory: 0 }, limits: { cpus: 0, memory: 0 }, links: [], volumesFrom: [], ...over };
}

export function service(name: string, over: Partial<DesiredService> = {}): DesiredService {
  return { name, scale: 1, mode: 'containers', spec: spec(), configHash: `hash-${name}`, dependsOn: [], placement: { constraints: [], affinities: [] }, position: at, ...over };
}

export function desired(machines: DesiredMachine[], services: DesiredService[], over: Partial<Desired> = {}): Desired {
  return {
    name: 'demo',
    file: '/tmp/cluster.yml',
    machines,
    services,
    scheduler: { strategy: 'spread', seed: 0, filters: ['health', 'port', 'dependency', 'affinity', 'constraint'] },
    simulation: { latencyMs: {}, failureRate: {}, seed: 0 },
    ...over,
  };
}

export function facts(over: Partial<EngineFacts> = {}): EngineFacts {
  return {
    url: 'sim://demo/x',
    id: 'ENGINE',
    version: 'sim-1.0',
    labels: {},
    cpus: 2,
    memory: 2 * 1024 ** 3,
    kernelVersion: 'sim',
    operatingSystem: 'Simulated Linux',
    storageDriver: 'sim',
    executionDriver: 'sim',
    containers: [],
    images: [],
    swarm: { state: 'inactive' },
    ...over,
  };
}

export function running(name: string, over: Partial<EngineFacts> = {}, m: Partial<ObservedMachine> = {}): ObservedMachine {
  return { name, driver: 'sim', state: 'running', address: `10.0.0.${name.length}`, engine: facts({ url: `sim://demo/${name}`, ...over }), ...m };
}

export function owned(svc: string, replica: number, configHash = `hash-${svc}`, over: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `id-${svc}-${replica}`,
    name: `demo-${svc}-${replica}`,
    image: 'busybox:latest',
    state: 'running',
    labels: { [LABEL.cluster]: 'demo', [LABEL.service]: svc, [LABEL.replica]: String(replica), [LABEL.configHash]: configHash },
    ports: [],
    reservations: { cpus: 0, memory: 0 },
    owner: { cluster: 'demo', service: svc, replica, configHash },
    ...over,
  };
}
