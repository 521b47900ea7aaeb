import type { Action } from './types.js';
import { pushTo } from '../model/multimap.js';

/**
 * Order actions so every action comes after the ones it waits for; among ready actions the one
 * added first goes first, so the same inputs give the same order (Kahn's algorithm, index priority).
 * Edges to ids that are not in the plan are dropped: they were satisfied already.
 */
export function topologicalOrder(actions: Action[]): Action[] {
  const index = new Map(actions.map((a, i) => [a.id, i]));
  const waiting = actions.map((a) => a.after.filter((id) => index.has(id)));
  const dependents: number[][] = actions.map(() => []);
  waiting.forEach((deps, i) => deps.forEach((id) => dependents[index.get(id)!]!.push(i)));
  const remaining = waiting.map((deps) => deps.length);
  const ready = new MinHeap();
  remaining.forEach((n, i) => n === 0 && ready.push(i));
  const out: Action[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    const a = actions[i]!;
    out.push({ ...a, after: waiting[i]! });
    for (const d of dependents[i]!) if (--remaining[d]! === 0) ready.push(d);
  }
  if (out.length !== actions.length) {
    const stuck = actions.filter((_, i) => remaining[i]! > 0).map((a) => a.id);
    throw new Error(`internal: dependency cycle among ${stuck.slice(0, 5).join(', ')}`);
  }
  return out;
}

/** Ids of every action that (transitively) waits for `id`. */
export function dependentsOf(actions: Action[], id: string): Set<string> {
  const byDep = new Map<string, string[]>();
  for (const a of actions) for (const d of a.after) pushTo(byDep, d, a.id);
  const out = new Set<string>();
  const stack = [id];
  while (stack.length) for (const next of byDep.get(stack.pop()!) ?? []) if (!out.has(next)) out.add(next), stack.push(next);
  return out;
}

class MinHeap {
  private items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
