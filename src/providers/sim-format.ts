// The sim driver's state file, `<dir>/.cluster/<cluster>.sim.json`: a simulated cluster, not a real one.
//
// Format 1 — one JSON document, one line per template, machine and swarm (diffable, greppable):
//   {"format":1,"simulated":true,"cluster":"demo","next":{"machine":4,"object":812},
//    "templates":[                       what a service's containers share, stored once
//      {"image":"nginx:1.25","labels":{…all but io.cluster.replica…},"ports":[[80,"tcp"]],
//       "reservations":[0.5,268435456],"restart":"always"}],
//    "machines":[
//      {"name":"worker-1","serial":2,"state":"running","cpus":2,"memory":2147483648,"labels":{"size":"small"},
//       "images":["nginx:1.25"],"containers":[[serial,"demo-web-1","running",template,replica]]}],
//    "swarms":[
//      {"id":"…","tokens":["SWMTKN-1-…worker","SWMTKN-1-…manager"],
//       "nodes":[["nodeid","worker-1","worker","active",{"size":"small"},0]]}]}   last field: 1 = left
// Networks, where there are any: "networks":[["demo_default","overlay",{labels}]] on a swarm
// (overlays) or a machine (bridges); swarm-mode services on their swarm:
// "services":[["id","demo_web",{labels},3,0]] (last field: 1 = global).
// Container ids, engine ids, addresses and image ids are computed from serials and names, not stored.
// A container's replica is 0 when it has no io.cluster.replica label. 10k machines with 1M
// containers take about 56 bytes per container (56 MB).
import type { Role } from '../model/desired.js';
import type { ContainerState } from '../model/observed.js';
import { UserError } from '../model/diagnostic.js';
import { SimState, type SimNetwork, type SimNode } from './sim-state.js';

export const SIM_FORMAT = 1;

type TemplateV1 = { image: string; labels: Record<string, string>; ports: [number, 'tcp' | 'udp'][]; reservations: [number, number]; restart?: string };
type ContainerV1 = [serial: number, name: string, state: ContainerState, template: number, replica: number];
type MachineV1 = {
  name: string;
  serial: number;
  state: 'running' | 'stopped';
  cpus: number;
  memory: number;
  labels: Record<string, string>;
  images: string[];
  containers: ContainerV1[];
  networks?: NetworkV1[];
};
type NetworkV1 = [name: string, driver: 'overlay' | 'bridge', labels: Record<string, string>];
type NodeV1 = [id: string, machine: string, role: Role, availability: string, labels: Record<string, string>, left: 0 | 1];
type SwarmV1 = { id: string; tokens: [worker: string, manager: string]; nodes: NodeV1[]; networks?: NetworkV1[]; services?: ServiceV1[] };
type ServiceV1 = [id: string, name: string, labels: Record<string, string>, replicas: number, global: 0 | 1];

export function encodeSimState(state: SimState): string {
  // Only templates some container still uses are written, renumbered in first-use order.
  const renumber = new Map<number, number>();
  const machines = [...state.machines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines: string[] = [];
  for (const m of machines) {
    const containers: ContainerV1[] = m.containers.map((c) => {
      let t = renumber.get(c.template);
      if (t === undefined) renumber.set(c.template, (t = renumber.size));
      return [c.serial, c.name, c.state, t, c.replica];
    });
    const record: MachineV1 = { name: m.name, serial: m.serial, state: m.state, cpus: m.cpus, memory: m.memory, labels: m.labels, images: [...m.images].sort(), containers };
    if (m.networks.length) record.networks = m.networks.map(toNetworkV1);
    lines.push(JSON.stringify(record));
  }
  const templates = [...renumber.keys()].map((i) => {
    const t = state.templates[i]!;
    const v1: TemplateV1 = { image: t.image, labels: t.labels, ports: t.ports.map((p) => [p.published, p.protocol]), reservations: [t.reservations.cpus, t.reservations.memory] };
    if (t.restart) v1.restart = t.restart;
    return JSON.stringify(v1);
  });
  const swarms = [...state.swarms.values()].map((s) => {
    const nodes: NodeV1[] = [...s.nodes.values()].map((n) => [n.id, n.machine, n.role, n.availability, n.labels, n.left ? 1 : 0]);
    const v1: SwarmV1 = { id: s.id, tokens: [s.tokens.worker, s.tokens.manager], nodes };
    if (s.networks.length) v1.networks = s.networks.map(toNetworkV1);
    if (s.services.length) v1.services = s.services.map((x) => [x.id, x.name, x.labels, x.replicas, x.global ? 1 : 0]);
    return JSON.stringify(v1);
  });
  const head = JSON.stringify({ format: SIM_FORMAT, simulated: true, cluster: state.cluster, next: state.next });
  return `${head.slice(0, -1)},\n"templates":[\n${templates.join(',\n')}],\n"machines":[\n${lines.join(',\n')}],\n"swarms":[\n${swarms.join(',\n')}]}\n`;
}

export function decodeSimState(text: string, file: string, cluster: string): SimState {
  let doc: { format?: unknown; cluster?: unknown; next?: { machine: number; object: number }; templates?: TemplateV1[]; machines?: MachineV1[]; swarms?: SwarmV1[] };
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, `it is not valid JSON (${(err as Error).message})`);
  }
  if (doc.format !== SIM_FORMAT) throw corrupt(file, `its format is ${JSON.stringify(doc.format)}, this version reads format ${SIM_FORMAT}`);
  if (doc.cluster !== cluster) throw corrupt(file, `it belongs to cluster ${JSON.stringify(doc.cluster)}, not ${JSON.stringify(cluster)}`);
  if (!doc.next || !Array.isArray(doc.templates) || !Array.isArray(doc.machines) || !Array.isArray(doc.swarms)) throw corrupt(file, 'a section is missing');

  const state = new SimState(cluster);
  const templates = doc.templates.map((t) =>
    state.restoreTemplate({
      image: t.image,
      labels: t.labels,
      ports: t.ports.map(([published, protocol]) => ({ published, protocol })),
      reservations: { cpus: t.reservations[0], memory: t.reservations[1] },
      ...(t.restart ? { restart: t.restart } : {}),
    }),
  );
  for (const m of doc.machines) {
    const machine = state.addMachine(m, m.serial);
    machine.state = m.state;
    machine.images = new Set(m.images);
    machine.networks = (m.networks ?? []).map(fromNetworkV1);
    for (const [serial, name, cstate, template, replica] of m.containers) {
      state.restoreContainer(machine, { serial, name, state: cstate, template: templates[template] ?? badTemplate(file, template), replica });
    }
  }
  for (const s of doc.swarms) {
    const swarm = { id: s.id, tokens: { worker: s.tokens[0], manager: s.tokens[1] }, nodes: new Map<string, SimNode>(),
      networks: (s.networks ?? []).map(fromNetworkV1),
      services: (s.services ?? []).map(([id, name, labels, replicas, global]) => ({ id, name, labels, replicas, global: global === 1 })),
    };
    state.swarms.set(swarm.id, swarm);
    for (const [id, machine, role, availability, labels, left] of s.nodes) {
      state.restoreNode(swarm, { id, machine, role, availability, labels, left: left === 1 || !state.machines.has(machine) });
    }
  }
  // Counters last: restoring bumps them; the file's values also cover objects removed since.
  state.next.machine = Math.max(state.next.machine, doc.next.machine);
  state.next.object = Math.max(state.next.object, doc.next.object);
  return state;
}

const toNetworkV1 = (n: SimNetwork): NetworkV1 => [n.name, n.driver, n.labels];
const fromNetworkV1 = ([name, driver, labels]: NetworkV1): SimNetwork => ({ name, driver, labels });

function badTemplate(file: string, index: number): never {
  throw corrupt(file, `a container refers to template ${index}, which is not there`);
}

function corrupt(file: string, why: string): UserError {
  return UserError.plain(`cannot read the simulated cluster state ${file}: ${why}`, 'it is simulation state only: delete the file to start the simulated cluster from scratch');
}
