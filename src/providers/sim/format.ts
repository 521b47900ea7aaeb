// The sim driver's state file, `<dir>/.cluster/<cluster>.sim.json`: a simulated cluster, not a real one.
//
// Format 2 — one JSON document, one line per template, machine and swarm (diffable, greppable):
//   {"format":2,"simulated":true,"cluster":"demo","next":{"machine":4,"object":812},
//    "templates":[                       what a service's containers share, stored once
//      {"image":"nginx:1.25","labels":{…all but io.cluster.replica…},"ports":[[80,"tcp"],[81,"tcp","127.0.0.1"]],
//       "reservations":[0.5,268435456],"restart":"always"}],
//    "machines":[
//      {"name":"worker-1","serial":2,"state":"running","cpus":2,"memory":2147483648,"labels":{"size":"small"},
//       "images":["nginx:1.25"],"containers":{"serial":[7,9],"name":["demo-web-1","demo-web-2"],
//       "state":["running","exited"],"template":[0,0],"replica":[1,2]}}],
//    "swarms":[
//      {"id":"…","tokens":["SWMTKN-1-…worker","SWMTKN-1-…manager"],
//       "nodes":[["nodeid","worker-1","worker","active",{"size":"small"},0]]}]}   last field: 1 = left
// Networks, where there are any: "networks":[["demo_default","overlay",{labels}]] on a swarm
// (overlays) or a machine (bridges); swarm-mode services on their swarm:
// "services":[["id","demo_web",{labels},3,0]] (last field: 1 = global).
// Container ids, engine ids, addresses and image ids are computed from serials and names, not stored.
// A container's replica is 0 when it has no io.cluster.replica label. Containers are stored by
// column: parsing five arrays per machine instead of one array per container halves the time a
// million-container cluster takes to load (format 1, a row per container, is still read).
// 10k machines with 1M containers take about 43 bytes per container (43 MB).
import type { PortProtocol, Role } from '../../model/desired.js';
import type { ContainerState } from '../../model/observed.js';
import { UserError } from '../../model/diagnostic.js';
import { SimState, type SimColumns, type SimContainer, type SimNetwork, type SimNode } from './state.js';

export const SIM_FORMAT = 2;
const READABLE_FORMATS = new Set([1, SIM_FORMAT]);

type TemplateV1 = { image: string; labels: Record<string, string>; ports: ([number, PortProtocol] | [number, PortProtocol, string])[]; reservations: [number, number]; restart?: string };
type ContainerV1 = [serial: number, name: string, state: ContainerState, template: number, replica: number];
type ContainersV2 = { serial: number[]; name: string[]; state: ContainerState[]; template: number[]; replica: number[] };
type MachineV1 = {
  name: string;
  serial: number;
  state: 'running' | 'stopped';
  cpus: number;
  memory: number;
  labels: Record<string, string>;
  images: string[];
  containers: ContainersV2 | ContainerV1[]; // format 1: rows
  networks?: NetworkV1[];
};
type NetworkV1 = [name: string, driver: 'overlay' | 'bridge', labels: Record<string, string>];
type NodeV1 = [id: string, machine: string, role: Role, availability: string, labels: Record<string, string>, left: 0 | 1];
type SwarmV1 = { id: string; tokens: [worker: string, manager: string]; nodes: NodeV1[]; networks?: NetworkV1[]; services?: ServiceV1[] };
type ServiceV1 = [id: string, name: string, labels: Record<string, string>, replicas: number, global: 0 | 1];

export function encodeSimState(state: SimState): string {
  // Only templates some container still uses are written, renumbered in first-use order.
  const renumber = new Map<number, number>();
  const numberOf = (template: number): number => {
    let t = renumber.get(template);
    if (t === undefined) renumber.set(template, (t = renumber.size));
    return t;
  };
  const machines = [...state.machines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines: string[] = [];
  for (const m of machines) {
    const containers: ContainersV2 = { serial: [], name: [], state: [], template: [], replica: [] };
    // Columns still as read are written as they are (no row per container is built to save them).
    const stored = m.columns;
    if (stored) {
      containers.serial = stored.serial;
      containers.name = stored.name;
      containers.state = stored.state;
      containers.replica = stored.replica;
      containers.template = stored.template.map(numberOf);
    } else {
      for (const c of m.containers) {
        containers.serial.push(c.serial);
        containers.name.push(c.name);
        containers.state.push(c.state);
        containers.template.push(numberOf(c.template));
        containers.replica.push(c.replica);
      }
    }
    const record: MachineV1 = { name: m.name, serial: m.serial, state: m.state, cpus: m.cpus, memory: m.memory, labels: m.labels, images: [...m.images].sort(), containers };
    if (m.networks.length) record.networks = m.networks.map(toNetworkV1);
    lines.push(JSON.stringify(record));
  }
  const templates = [...renumber.keys()].map((i) => {
    const t = state.templates[i]!;
    const v1: TemplateV1 = { image: t.image, labels: t.labels, ports: t.ports.map((p) => (p.hostIp ? [p.published, p.protocol, p.hostIp] : [p.published, p.protocol])), reservations: [t.reservations.cpus, t.reservations.memory] };
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
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw corrupt(file, 'it is not a JSON object');
  if (!READABLE_FORMATS.has(doc.format as number)) throw corrupt(file, `its format is ${JSON.stringify(doc.format)}, this version reads formats ${[...READABLE_FORMATS].join(' and ')}`);
  if (doc.cluster !== cluster) throw corrupt(file, `it belongs to cluster ${JSON.stringify(doc.cluster)}, not ${JSON.stringify(cluster)}`);
  if (!doc.next || !Array.isArray(doc.templates) || !Array.isArray(doc.machines) || !Array.isArray(doc.swarms)) throw corrupt(file, 'a section is missing');

  const state = new SimState(cluster);
  const templates = doc.templates.map((t) =>
    state.restoreTemplate({
      image: t.image,
      labels: t.labels,
      // A third element is the one host address the port is bound to (absent: all interfaces).
      ports: t.ports.map(([published, protocol, hostIp]) => ({ published, protocol, ...(hostIp ? { hostIp } : {}) })),
      reservations: { cpus: t.reservations[0], memory: t.reservations[1] },
      ...(t.restart ? { restart: t.restart } : {}),
    }),
  );
  // Templates are restored in order, so the file's numbers are the state's unless two were merged into one.
  const renumbered = templates.some((t, i) => t !== i);
  for (const m of doc.machines) {
    const machine = state.addMachine(m, m.serial);
    machine.state = m.state;
    machine.images = new Set(m.images);
    machine.networks = (m.networks ?? []).map(fromNetworkV1);
    const template = (i: number) => templates[i] ?? badTemplate(file, i);
    if (Array.isArray(m.containers)) state.restoreContainers(machine, fromRows(m.containers, template));
    else state.restoreColumns(machine, fromColumns(m.containers, template, renumbered, templates.length, file, m.name));
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

// Indexed, not destructured: these loops run once per container of the cluster. The columns are
// kept as parsed (no object per container); only the template numbers are mapped to the state's.
function fromColumns(c: ContainersV2, template: (i: number) => number, renumbered: boolean, count: number, file: string, machine: string): SimColumns {
  const n = c.serial?.length;
  if (![c.serial, c.name, c.state, c.template, c.replica].every((column) => Array.isArray(column) && column.length === n)) {
    throw corrupt(file, `the containers of machine ${machine} are not five columns of one length`);
  }
  const templates = c.template;
  if (renumbered) for (let i = 0; i < n; i++) templates[i] = template(templates[i]!);
  else {
    // Only checked (template() refuses what is not a template's number): the file's numbers are the state's.
    for (let i = 0; i < n; i++) {
      const t = templates[i]!;
      if (!(t >= 0 && t < count) || (t | 0) !== t) template(t);
    }
  }
  return c;
}

function fromRows(rows: ContainerV1[], template: (i: number) => number): SimContainer[] {
  const out = new Array<SimContainer>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out[i] = { serial: r[0], name: r[1], state: r[2], template: template(r[3]), replica: r[4] };
  }
  return out;
}

const toNetworkV1 = (n: SimNetwork): NetworkV1 => [n.name, n.driver, n.labels];
const fromNetworkV1 = ([name, driver, labels]: NetworkV1): SimNetwork => ({ name, driver, labels });

function badTemplate(file: string, index: number): never {
  throw corrupt(file, `a container refers to template ${index}, which is not there`);
}

function corrupt(file: string, why: string): UserError {
  return UserError.plain(`cannot read the simulated cluster state ${file}: ${why}`, 'it is simulation state only: delete the file to start the simulated cluster from scratch');
}
