// The machines that can take the next replica of one service, ordered by the strategy: an indexed
// binary heap for spread/binpack (O(log n) per placement instead of Swarm's sort of every node),
// a Fenwick tree over name order for random (k-th eligible machine in O(log n)).
import type { StrategyName } from '../model/desired.js';

export interface CandidateSet {
  readonly size: number;
  has(i: number): boolean;
  add(i: number): void;
  remove(i: number): void;
  /** The key of `i` (weight, container count) changed. */
  update(i: number): void;
  /** The machine the strategy chooses now. Precondition: size > 0. */
  pick(): number;
}

/** What the strategies rank by; indexes are machine positions in name order (the final tie-break). */
export interface Keys {
  weight: Int32Array;
  containers: Int32Array;
}

export function candidateSet(strategy: StrategyName, n: number, keys: Keys, random: () => number): CandidateSet {
  if (strategy === 'random') return new RankedByName(n, random);
  return new Heap(n, strategy === 'spread' ? spreadFirst(keys) : binpackFirst(keys));
}

type Before = (a: number, b: number) => boolean;

/** Spread: lowest weight, then fewest containers, then name. */
function spreadFirst({ weight, containers }: Keys): Before {
  return (a, b) => (weight[a]! - weight[b]! || containers[a]! - containers[b]! || a - b) < 0;
}

/** Binpack: highest weight, then most containers, then name. */
function binpackFirst({ weight, containers }: Keys): Before {
  return (a, b) => (weight[b]! - weight[a]! || containers[b]! - containers[a]! || a - b) < 0;
}

class Heap implements CandidateSet {
  private readonly items: number[] = [];
  private readonly pos: Int32Array;

  constructor(
    n: number,
    private readonly before: Before,
  ) {
    this.pos = new Int32Array(n).fill(-1);
  }

  get size(): number {
    return this.items.length;
  }

  has(i: number): boolean {
    return this.pos[i]! >= 0;
  }

  add(i: number): void {
    this.pos[i] = this.items.length;
    this.items.push(i);
    this.up(this.items.length - 1);
  }

  remove(i: number): void {
    const at = this.pos[i]!;
    const last = this.items.pop()!;
    this.pos[i] = -1;
    if (at === this.items.length) return;
    this.items[at] = last;
    this.pos[last] = at;
    this.update(last);
  }

  update(i: number): void {
    const at = this.pos[i]!;
    this.down(this.up(at));
  }

  pick(): number {
    return this.items[0]!;
  }

  private up(at: number): number {
    const { items, pos, before } = this;
    const x = items[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const p = items[parent]!;
      if (!before(x, p)) break;
      items[at] = p;
      pos[p] = at;
      at = parent;
    }
    items[at] = x;
    pos[x] = at;
    return at;
  }

  private down(at: number): void {
    const { items, pos, before } = this;
    const n = items.length;
    const x = items[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && before(items[child + 1]!, items[child]!)) child++;
      const c = items[child]!;
      if (!before(c, x)) break;
      items[at] = c;
      pos[c] = at;
      at = child;
    }
    items[at] = x;
    pos[x] = at;
  }
}

/** Random: the k-th eligible machine in name order, k drawn from the seeded generator. */
class RankedByName implements CandidateSet {
  private readonly tree: Int32Array;
  private readonly member: Uint8Array;
  private count = 0;
  private readonly top: number;

  constructor(
    private readonly n: number,
    private readonly random: () => number,
  ) {
    this.tree = new Int32Array(n + 1);
    this.member = new Uint8Array(n);
    let top = 1;
    while (top * 2 <= n) top *= 2;
    this.top = top;
  }

  get size(): number {
    return this.count;
  }

  has(i: number): boolean {
    return this.member[i] === 1;
  }

  add(i: number): void {
    if (this.member[i]) return;
    this.member[i] = 1;
    this.count++;
    for (let j = i + 1; j <= this.n; j += j & -j) this.tree[j]!++;
  }

  remove(i: number): void {
    if (!this.member[i]) return;
    this.member[i] = 0;
    this.count--;
    for (let j = i + 1; j <= this.n; j += j & -j) this.tree[j]!--;
  }

  update(): void {}

  pick(): number {
    let k = Math.floor(this.random() * this.count); // 0-based rank among members
    let at = 0;
    for (let step = this.top; step > 0; step >>= 1) {
      const next = at + step;
      if (next <= this.n && this.tree[next]! <= k) {
        at = next;
        k -= this.tree[next]!;
      }
    }
    return at; // 1-based position at+1 → index at
  }
}
