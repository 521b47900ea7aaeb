// Long property and fuzz runs share vitest's worker with its RPC to the main process: a synchronous
// fc.assert of hundreds of runs holds the event loop for seconds on a busy machine, and the run then
// fails with `Timeout calling "onTaskUpdate"` although every test passed. Such properties are async
// and await `turn()` after each run, so pending I/O is served between runs.

/** Resolves after one turn of the event loop (timers and I/O callbacks run first). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
