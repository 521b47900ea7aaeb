// The baseline: classic Swarm's scheduler as it is written (scheduler.go + filter/*.go +
// strategy/*.go): for every replica, run the filters over every node, weigh every node, sort them
// all, take the first. Node usage is kept in counters (fairer than Swarm, which re-sums its
// containers). Same semantics as src/sched for constraints, soft fallback and resources.
import type { Desired, Expression } from '../src/model/desired.js';

interface N {
  name: string;
  labels: Record<string, string>;
  cpu: number;
  mem: number;
  usedCpu: number;
  usedMem: number;
  count: number;
}

const compiled = new Map<string, RegExp>();

function ok(e: Expression, v: string | undefined): boolean {
  const val = e.value;
  let re = compiled.get(val);
  if (!re) compiled.set(val, (re = val.length > 1 && val.startsWith('/') && val.endsWith('/') ? new RegExp(val.slice(1, -1)) : new RegExp(`^${val.replaceAll('*', '.*')}$`)));
  const hit = re.test(v ?? ''); // a missing label is '' (filter/constraint.go: node.Labels[key])
  return e.op === '==' ? hit : !hit;
}

export function classicPlace(d: Desired): Map<string, string> {
  const nodes: N[] = [...d.machines]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((m) => ({ name: m.name, labels: m.labels, cpu: Math.round((m.cpus ?? 0) * 1000), mem: m.memory ?? 0, usedCpu: 0, usedMem: 0, count: 0 }));
  const out = new Map<string, string>();
  const spread = d.scheduler.strategy === 'spread';
  for (const s of d.services) {
    const cpu = Math.round(s.spec.reservations.cpus * 1000);
    const mem = s.spec.reservations.memory;
    for (let r = 1; r <= s.scale; r++) {
      let chosen: N | undefined;
      for (const soft of [true, false]) {
        const ranked: { n: N; w: number }[] = [];
        for (const n of nodes) {
          if (!s.placement.constraints.every((e) => (e.soft && !soft) || ok(e, e.key === 'node' ? n.name : n.labels[e.key]))) continue;
          if ((cpu && n.cpu < cpu) || (mem && n.mem < mem)) continue;
          const cs = cpu && n.cpu ? Math.floor(((n.usedCpu + cpu) * 100) / n.cpu) : 100;
          const ms = mem && n.mem ? Math.floor(((n.usedMem + mem) * 100) / n.mem) : 100;
          if (cs > 100 || ms > 100) continue;
          ranked.push({ n, w: cs + ms });
        }
        if (!ranked.length) continue;
        ranked.sort((a, b) => (spread ? a.w - b.w || a.n.count - b.n.count : b.w - a.w || b.n.count - a.n.count) || (a.n.name < b.n.name ? -1 : 1));
        chosen = ranked[0]!.n;
        break;
      }
      if (!chosen) continue;
      chosen.usedCpu += cpu;
      chosen.usedMem += mem;
      chosen.count++;
      out.set(`${s.name}#${r}`, chosen.name);
    }
  }
  return out;
}
