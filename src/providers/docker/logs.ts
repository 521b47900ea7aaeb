// docker logs and docker service logs through the Engine API. Both answer in the multiplexed stream
// format (a container without a TTY; ours never have one): frames of an 8-byte header (stream 1 =
// stdout, 2 = stderr; 4-byte big-endian size) and the payload, cut anywhere by the transport.
import type Dockerode from 'dockerode';
import type { LogLine, LogOptions } from '../../engine/types.js';

export async function containerLogs(docker: Dockerode, id: string, opts: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
  const query = { stdout: true, stderr: true, follow: opts.follow, timestamps: opts.timestamps, ...(opts.tail !== undefined ? { tail: opts.tail } : {}), ...(opts.since !== undefined ? { since: opts.since } : {}) };
  const answer = (await docker.getContainer(id).logs(query as Dockerode.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream | Buffer;
  await readFrames(answer, opts.signal, (stream, text) => onLine({ stream, text }));
}

/**
 * With `details`, the engine starts each line with its task's context (`com.docker.swarm.task.id=…,…`),
 * as docker service logs reads it (cli/command/service/logs.go parseContext); the task's slot comes
 * from the task list, listed again when a task appears that was not there before.
 */
export async function serviceLogs(docker: Dockerode, id: string, opts: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
  const slots = new Map<string, number | null>();
  const listTasks = async () => {
    const tasks = (await docker.listTasks({ filters: { service: [id] } })) as { ID: string; Slot?: number }[];
    for (const t of tasks) slots.set(t.ID, t.Slot ? t.Slot : null);
  };
  await listTasks();
  const query = { stdout: true, stderr: true, details: true, follow: opts.follow, timestamps: opts.timestamps, ...(opts.tail !== undefined ? { tail: opts.tail } : {}), ...(opts.since !== undefined ? { since: opts.since } : {}) };
  const answer = (await docker.getService(id).logs(query as Dockerode.ContainerLogsOptions)) as NodeJS.ReadableStream | Buffer;
  const pending: Promise<void>[] = [];
  await readFrames(answer, opts.signal, (stream, raw) => {
    // With timestamps the time comes first, then the details, then the message.
    const m = (opts.timestamps ? /^(\S+ )(\S*) (.*)$/s : /^()(\S*) (.*)$/s).exec(raw);
    const task = /(?:^|,)com\.docker\.swarm\.task\.id=([^,]+)/.exec(m?.[2] ?? '')?.[1];
    const text = m ? `${m[1]}${m[3]}` : raw;
    if (task && !slots.has(task)) {
      slots.set(task, null);
      pending.push(listTasks().then(() => onLine({ stream, text, slot: slots.get(task) ?? null }), () => onLine({ stream, text, slot: null })));
      return;
    }
    onLine({ stream, text, slot: task ? (slots.get(task) ?? null) : null });
  });
  await Promise.all(pending);
}

/** Splits the multiplexed answer into lines per stream; a follow ends when `signal` aborts. */
async function readFrames(answer: NodeJS.ReadableStream | Buffer, signal: AbortSignal, onLine: (stream: 'stdout' | 'stderr', text: string) => void): Promise<void> {
  let buffered: Buffer = Buffer.alloc(0);
  const partial = { stdout: '', stderr: '' };
  const take = (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 8) {
      const size = buffered.readUInt32BE(4);
      if (buffered.length < 8 + size) break;
      const stream = buffered[0] === 2 ? 'stderr' : 'stdout';
      const lines = (partial[stream] + buffered.subarray(8, 8 + size).toString('utf8')).split('\n');
      partial[stream] = lines.pop()!;
      for (const line of lines) onLine(stream, line);
      buffered = buffered.subarray(8 + size);
    }
  };
  const flush = () => {
    for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) onLine(stream, partial[stream]);
  };
  if (Buffer.isBuffer(answer)) {
    take(answer);
    return flush();
  }
  const stream = answer as NodeJS.ReadableStream & { destroy(): void };
  await new Promise<void>((resolve, reject) => {
    const stop = () => {
      stream.destroy();
      resolve();
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    stream.on('data', (chunk: Buffer) => take(chunk));
    stream.on('end', () => {
      signal.removeEventListener('abort', stop);
      resolve();
    });
    stream.on('error', (err: Error) => (signal.aborted ? resolve() : reject(err)));
  });
  flush();
}
