// `cluster apply | head` closes our stdout mid-run. Node then reports EPIPE as an 'error' event on the
// stream, and an unhandled one kills the process between two engine calls (a container created, never
// started; the lock left). Here a broken output stream is muted (nothing more is written to it) and
// the listeners are told once, so apply/destroy/watch can stop as on SIGTERM and release the lock.
type Listener = () => void;

const listeners = new Set<Listener>();
let broken = false;

export function watchOutputStreams(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      stream.write = (() => true) as typeof stream.write;
      if (broken) return;
      broken = true;
      for (const l of listeners) l();
    });
  }
}

/** Calls `listener` when an output stream breaks (at once if one already has). Returns the unsubscribe function. */
export function onBrokenOutput(listener: Listener): () => void {
  if (broken) listener();
  listeners.add(listener);
  return () => listeners.delete(listener);
}
