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
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, min: samples[0]!, max: samples[samples.length - 1]!, runs };
}

export function fmt(t: Timing): string {
  return `${(t.median / 1000).toFixed(2)} s (${(t.min / 1000).toFixed(2)}–${(t.max / 1000).toFixed(2)}, n=${t.runs})`;
}

export function fail(message: string): never {
  console.error(`bench: BROKEN RUN: ${message}`);
  process.exit(1);
}
