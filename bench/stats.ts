// Timing helpers: repeat, report median and spread, and refuse to report a broken run.
export interface Timing {
  median: number; // ms
  min: number;
  max: number;
  runs: number;
}

export function time<T>(runs: number, fn: () => T, check: (result: T) => void): Timing {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const result = fn();
    samples.push(performance.now() - t);
    check(result);
  }
  return summary(samples);
}

/** Median and spread of samples measured elsewhere (another process's figures). */
export function summary(samples: readonly number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/**
 * `runs` rounds of one `a` and one `b` (each gives what it measured), which goes first swapped every
 * round, `a` in the first: on a shared machine the load drifts by more than what separates two rounds,
 * and alternating puts that drift on both sides instead of into their ratio.
 */
export async function alternating<A, B>(runs: number, a: () => Promise<A>, b: () => Promise<B>, onRound?: (r: { a: A; b: B }, i: number) => void): Promise<{ a: A; b: B }[]> {
  const rounds: { a: A; b: B }[] = [];
  for (let i = 0; i < runs; i++) {
    const round = i % 2 ? { b: await b(), a: await a() } : { a: await a(), b: await b() };
    rounds.push(round);
    onRound?.(round, i);
  }
  return rounds;
}

export function fmt(t: Timing): string {
  return `${(t.median / 1000).toFixed(2)} s (${(t.min / 1000).toFixed(2)}–${(t.max / 1000).toFixed(2)}, n=${t.runs})`;
}

/** MiB figures: median (min–max, n). */
export function fmtMiB(t: Timing): string {
  return `${t.median.toFixed(0)} MiB (${t.min.toFixed(0)}–${t.max.toFixed(0)}, n=${t.runs})`;
}

export function fail(message: string): never {
  console.error(`bench: BROKEN RUN: ${message}`);
  process.exit(1);
}
