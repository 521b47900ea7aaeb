// Services are placed in dependency order (a dependency's replicas must exist for the dependency
// filter), otherwise in manifest order: a stable topological sort that always takes the earliest
// service, in the manifest, whose dependencies are placed. The manifest loader rejects cycles.
import type { DesiredService } from '../model/desired.js';

export function placementOrder(services: readonly DesiredService[]): DesiredService[] {
  const names = new Set(services.map((s) => s.name));
  const done = new Set<string>();
  const left = [...services];
  const out: DesiredService[] = [];
  while (left.length) {
    let at = left.findIndex((s) => s.dependsOn.every((d) => done.has(d) || !names.has(d)));
    if (at < 0) at = 0; // a cycle slipped through: fall back to manifest order
    const [s] = left.splice(at, 1);
    done.add(s!.name);
    out.push(s!);
  }
  return out;
}
