// A reference scheduler written straight from the rules in issue 3, the slow classic way: every
// replica re-filters every machine from a flat list of containers and sorts all candidates. No
// code is shared with src/sched; property tests hold the fast scheduler to this one.
import type { Desired, DesiredService, Expression } from '../../src/model/desired.js';
import type { Observed } from '../../src/model/observed.js';
import { RE2JS } from 're2js';

interface Box {
  machine: string;
  name: string;
  id?: string;
  images: string[];
  labels: Record<string, string>;
  ports: Bind[];
  cpu: number;
  mem: number;
  service?: string;
}

interface Mach {
  name: string;
  id: string;
  healthy: boolean;
  labels: Record<string, string>;
  facts: Record<string, string>;
  role: string;
  cpu: number;
  mem: number;
  images: string[];
}

export interface RefResult {
  replicas: { service: string; replica: number; machine: string; fate: string }[];
  unschedulable: { service: string; replicas: number[]; reasons: { machine: string; filter: string }[] }[];
}

const milli = (c: number) => Math.round(c * 1000);
const names = (image: string) => (image.lastIndexOf(':') > image.lastIndexOf('/') ? [image, image.slice(0, image.lastIndexOf(':'))] : [image, `${image}:latest`]);

// classic expr.go Match, written out again: `/re/` searched for, else ^value$ with * → .*; Go (RE2) syntax.
function hit(e: Expression, values: string[]): boolean {
  const v = e.value;
  let any: boolean;
  if (e.literal) any = values.some((x) => x.toLowerCase() === v.toLowerCase()); // swarmkit's EqualFold
  else {
    const re = RE2JS.compile(v.length > 1 && v[0] === '/' && v[v.length - 1] === '/' ? v.slice(1, -1) : `^${v.split('*').join('.*')}$`);
    any = values.some((x) => re.test(x));
  }
  return e.op === '==' ? any : !any;
}

// classic constraint.go: `node` is id or name, anything else a label ('' when missing); built-in keys from
// the engine's facts win over its labels (cluster/engine.go), a label `node` does not count.
function constraintValues(m: Mach, key: string): string[] {
  if (key === 'node') return m.id ? [m.id, m.name] : [m.name];
  if (key === 'node.role') return [m.role];
  const labels = new Map<string, string>();
  for (const [k, v] of Object.entries(m.facts)) if (v) labels.set(k, v);
  for (const [k, v] of Object.entries(m.labels)) if (k !== 'node' && !labels.has(k)) labels.set(k, v);
  return [labels.get(key) ?? ''];
}

interface Bind {
  port: number;
  proto: string;
  ip: string; // '' = all interfaces
}

const anyIp = (ip: string | undefined) => !ip || ip === '0.0.0.0' || ip === '::';

function ports(s: DesiredService): Bind[] {
  return s.spec.ports.filter((p) => p.published !== undefined).map((p) => ({ port: p.published!, proto: p.protocol, ip: anyIp(p.hostIp) ? '' : p.hostIp! }));
}

// classic port.go compare: same host port and (same IP or either on all interfaces); ours also needs the same protocol.
const clash = (a: Bind, b: Bind) => a.port === b.port && a.proto === b.proto && (a.ip === b.ip || a.ip === '' || b.ip === '');

export function referencePlace(d: Desired, o: Observed, strategy = d.scheduler.strategy, seed = d.scheduler.seed): RefResult {
  const on = new Set(d.scheduler.filters);
  const machines: Mach[] = [...d.machines]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((dm) => {
      const om = o.machines.find((x) => x.name === dm.name);
      const f = om?.engine ?? undefined;
      return {
        name: dm.name,
        id: f?.id ?? '',
        // Seen, or not there yet: a machine that exists and cannot be seen into takes nothing new (issue 13, F6/F7).
        healthy: !(om && !f),
        labels: dm.driver === 'generic' && f ? f.labels : dm.labels,
        facts: (f ? { storagedriver: f.storageDriver, executiondriver: f.executionDriver, kernelversion: f.kernelVersion, operatingsystem: f.operatingSystem, ostype: f.osType ?? '' } : {}) as Record<string, string>,
        role: dm.role ?? '',
        cpu: dm.cpus ? milli(dm.cpus) : milli(f?.cpus ?? 0),
        mem: dm.memory ? dm.memory : (f?.memory ?? 0),
        images: f ? f.images.flatMap((i) => [i.id, ...i.tags.flatMap(names)]) : [],
      };
    });
  const mach = (n: string) => machines.find((m) => m.name === n);
  const constraintOk = (m: Mach, s: DesiredService, soft: boolean) => s.placement.constraints.every((e) => (e.soft && !soft) || hit(e, constraintValues(m, e.key)));
  const boxOf = (s: DesiredService, machine: string, name: string, replica: number): Box => ({
    machine,
    name,
    images: names(s.spec.image),
    labels: { ...s.spec.labels, 'io.cluster.name': d.name, 'io.cluster.service': s.name, 'io.cluster.replica': String(replica) },
    ports: ports(s),
    cpu: milli(s.spec.reservations.cpus),
    mem: s.spec.reservations.memory,
    service: s.name,
  });

  // Fates.
  const world: Box[] = [];
  const fate = new Map<string, { fate: string; machine: string } | undefined>();
  const stayIds = new Set<string>();
  for (const s of d.services) {
    for (let r = 1; r <= s.scale; r++) {
      const olds = o.machines.flatMap((m) => (m.engine?.containers ?? []).filter((c) => c.owner?.service === s.name && c.owner.replica === r && c.labels['io.cluster.name'] === d.name).map((c) => ({ m: m.name, c })));
      const stay = olds.find((x) => {
        const m = mach(x.m);
        return m && (!on.has('constraint') || constraintOk(m, s, false));
      });
      if (stay) {
        stayIds.add(stay.c.id);
        fate.set(`${s.name}#${r}`, { fate: stay.c.owner!.configHash === s.configHash ? 'kept' : 'replaced', machine: stay.m });
      }
    }
  }
  for (const om of o.machines) {
    if (!mach(om.name)) continue;
    for (const c of om.engine?.containers ?? []) {
      const ours = c.owner && c.labels['io.cluster.name'] === d.name;
      if (ours && !stayIds.has(c.id)) continue;
      const f = ours ? fate.get(`${c.owner!.service}#${c.owner!.replica}`) : undefined;
      const svc = ours ? d.services.find((s) => s.name === c.owner!.service) : undefined;
      if (f?.fate === 'replaced' && svc) world.push({ ...boxOf(svc, om.name, c.name, c.owner!.replica), id: c.id });
      else world.push({ machine: om.name, name: c.name, id: c.id, images: names(c.image), labels: c.labels, ports: c.ports.map((p) => ({ port: p.published, proto: p.protocol, ip: anyIp(p.hostIp) ? '' : p.hostIp! })), cpu: milli(c.reservations.cpus), mem: c.reservations.memory, ...(ours ? { service: c.owner!.service } : {}) });
    }
  }

  // Filters, straight from the rules.
  const refuse = (m: Mach, s: DesiredService, soft: boolean): string | undefined => {
    const here = world.filter((b) => b.machine === m.name);
    if (on.has('health') && !m.healthy) return 'health';
    if (on.has('port') && ports(s).some((p) => here.some((b) => b.ports.some((q) => clash(p, q))))) return 'port';
    if (on.has('dependency')) {
      const sp = s.spec;
      const svcDeps = [...sp.links.map((l) => l.split(':')[0]!), ...sp.volumesFrom.filter((v) => !v.startsWith('container:')).map((v) => v.split(':')[0]!)];
      if (sp.networkMode?.startsWith('service:')) svcDeps.push(sp.networkMode.slice(8));
      const ctrDeps = sp.volumesFrom.filter((v) => v.startsWith('container:')).map((v) => v.split(':')[1]!);
      if (sp.networkMode?.startsWith('container:')) ctrDeps.push(sp.networkMode.slice(10));
      if (svcDeps.some((dep) => !here.some((b) => b.service === dep))) return 'dependency';
      if (ctrDeps.some((n) => !here.some((b) => b.name === n || b.id === n || (n.length === 12 && b.id?.length === 64 && b.id.startsWith(n)) || n === `${m.name}/${b.name}` || (m.id !== '' && n === `${m.id}/${b.name}`)))) return 'dependency';
    }
    if (on.has('affinity')) {
      for (const e of s.placement.affinities) {
        if (e.soft && !soft) continue;
        const values =
          e.key === 'container' ? here.flatMap((b) => (b.id ? [b.name, b.id] : [b.name])) : e.key === 'image' ? [...m.images, ...here.flatMap((b) => b.images)] : here.map((b) => new Map(Object.entries(b.labels)).get(e.key) ?? '');
        if (!hit(e, values)) return 'affinity';
      }
    }
    if (on.has('constraint') && !constraintOk(m, s, soft)) return 'constraint';
    return undefined;
  };
  const weight = (m: Mach, s: DesiredService): number | undefined => {
    const here = world.filter((b) => b.machine === m.name);
    const cpuReq = milli(s.spec.reservations.cpus);
    const memReq = s.spec.reservations.memory;
    if (cpuReq && m.cpu && m.cpu < cpuReq) return undefined;
    if (memReq && m.mem && m.mem < memReq) return undefined;
    const cs = cpuReq && m.cpu ? Math.floor(((here.reduce((a, b) => a + b.cpu, 0) + cpuReq) * 100) / m.cpu) : 100;
    const ms = memReq && m.mem ? Math.floor(((here.reduce((a, b) => a + b.mem, 0) + memReq) * 100) / m.mem) : 100;
    return cs > 100 || ms > 100 ? undefined : cs + ms;
  };

  // mulberry32, written out again
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  // Stable topological order.
  const order: DesiredService[] = [];
  const pending = [...d.services];
  while (pending.length) {
    const i = Math.max(0, pending.findIndex((s) => s.dependsOn.every((x) => order.some((p) => p.name === x) || !d.services.some((q) => q.name === x))));
    order.push(pending.splice(i, 1)[0]!);
  }

  // A replica seen nowhere may be on a machine that exists but cannot be seen (the scenarios' silent
  // engines are all within their grace period): it is kept, not placed, while such a machine could hold it.
  const unseen = machines.filter((m) => o.machines.some((x) => x.name === m.name && !x.engine));
  const seenSomewhere = (s: DesiredService, r: number) => o.machines.some((m) => (m.engine?.containers ?? []).some((c) => c.owner?.service === s.name && c.owner.replica === r && c.labels['io.cluster.name'] === d.name));
  const result: RefResult = { replicas: [], unschedulable: [] };
  for (const s of order) {
    const failed: number[] = [];
    let reasons: { machine: string; filter: string }[] = [];
    for (let r = 1; r <= s.scale; r++) {
      const f = fate.get(`${s.name}#${r}`);
      if (f) {
        result.replicas.push({ service: s.name, replica: r, machine: f.machine, fate: f.fate });
        continue;
      }
      if (!seenSomewhere(s, r) && unseen.some((m) => !on.has('constraint') || constraintOk(m, s, false))) continue;
      let chosen: Mach | undefined;
      for (const soft of [true, false]) {
        const cands = machines.filter((m) => !refuse(m, s, soft) && weight(m, s) !== undefined).map((m) => ({ m, w: weight(m, s)!, n: world.filter((b) => b.machine === m.name).length }));
        if (cands.length === 0) continue;
        if (strategy === 'random') chosen = cands[Math.floor(rnd() * cands.length)]!.m;
        else {
          const sign = strategy === 'spread' ? 1 : -1;
          cands.sort((x, y) => sign * (x.w - y.w) || sign * (x.n - y.n) || (x.m.name < y.m.name ? -1 : 1));
          chosen = cands[0]!.m;
        }
        break;
      }
      if (!chosen) {
        failed.push(r);
        reasons = machines.flatMap((m) => {
          const why = refuse(m, s, false) ?? (weight(m, s) === undefined ? 'resources' : undefined);
          return why ? [{ machine: m.name, filter: why }] : [];
        });
        continue;
      }
      world.push(boxOf(s, chosen.name, `${d.name}-${s.name}-${r}`, r));
      result.replicas.push({ service: s.name, replica: r, machine: chosen.name, fate: 'new' });
    }
    if (failed.length) result.unschedulable.push({ service: s.name, replicas: failed, reasons });
  }
  return result;
}
