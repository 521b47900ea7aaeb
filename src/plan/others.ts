// What the plan says about other checkouts of this cluster (same name, another identity): their
// objects are left alone, once per checkout and machine, with counts; and, under `--adopt`, which
// checkout this one becomes.
import type { Desired } from '../model/desired.js';
import { LABEL, type Observed } from '../model/observed.js';
import { ownsLabels, otherCheckouts, shortId } from '../model/ownership.js';

export function checkoutWarnings(desired: Pick<Desired, 'networks'>, observed: Observed): string[] {
  const out: string[] = [];
  if (observed.identity === undefined) return out; // no identity yet: every object of the name is ours, as before
  if (observed.adopted) {
    out.push(`--adopt: this folder takes over the objects of checkout ${observed.identity} of cluster "${observed.cluster}"; apply records that id as this folder's identity (.cluster/${observed.cluster}.identity)`);
  }
  for (const o of otherCheckouts(observed, observed.identity)) {
    const what = [count(o.containers, 'container'), count(o.networks, 'network'), count(o.services, 'swarm service')].filter(Boolean);
    const list = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what[what.length - 1]}` : what[0];
    out.push(`${list} on machine ${o.machine} belong${o.containers + o.networks + o.services === 1 ? 's' : ''} to another checkout of cluster "${observed.cluster}" (id ${shortId(o.id)}): left alone; \`--adopt\` takes them over`);
  }
  // Docker does not keep network names unique, so a second one is never made beside theirs; ours join it.
  const wanted = new Set((desired.networks ?? []).filter((n) => !n.external).map((n) => n.engineName));
  for (const m of observed.machines) {
    for (const n of m.engine?.networks ?? []) {
      if (!wanted.has(n.name) || n.labels[LABEL.cluster] !== observed.cluster || ownsLabels(observed, n.labels)) continue;
      out.push(`network ${n.name} on machine ${m.name} is another checkout's (id ${shortId(n.labels[LABEL.id] ?? '')}): this cluster's containers join it, and that checkout cannot remove it while they do; give one cluster another name`);
    }
  }
  return out;
}

function count(n: number, noun: string): string {
  return n === 0 ? '' : `${n} ${noun}${n === 1 ? '' : 's'}`;
}
