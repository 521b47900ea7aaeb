// CLUSTER_TRACE=1: one stderr line per phase of a run, in ms since the process started
// (performance.now()'s origin), so a slow apply shows where its fixed costs go without a profiler.
const on = !!process.env.CLUSTER_TRACE;

export function trace(what: string): void {
  if (on) process.stderr.write(`trace ${performance.now().toFixed(0).padStart(6)} ms  ${what}\n`);
}
