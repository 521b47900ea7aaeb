// Log lines of many containers on one stream, prefixed as docker compose prints them
// (docker/compose cmd/formatter/logs.go: presenter.setPrefix writes `%-{width}s | ` with width one
// more than the longest name registered so far; colors.go: each name takes the next colour of the
// rainbow cyan, yellow, green, magenta, blue, then their intense forms; only the prefix is coloured,
// and stderr lines go to stderr).
import type { LogLine } from '../engine/types.js';

const RAINBOW = ['36', '33', '32', '35', '34', '36;1', '33;1', '32;1', '35;1', '34;1'];

export interface LogSink {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export class LogPrinter {
  #colours = new Map<string, string>();
  #width = 0;

  constructor(
    private readonly sink: LogSink,
    private readonly colour: boolean,
  ) {}

  /** Known names up front keep the prefixes aligned from the first line; a later name may widen them (as compose). */
  register(name: string): void {
    if (this.#colours.has(name)) return;
    this.#colours.set(name, RAINBOW[this.#colours.size % RAINBOW.length]!);
    this.#width = Math.max(this.#width, name.length + 1);
  }

  print(name: string, line: Pick<LogLine, 'stream' | 'text'>): void {
    this.register(name);
    const prefix = `${name.padEnd(this.#width)} | `;
    const shown = this.colour ? `\u001b[${this.#colours.get(name)}m${prefix}\u001b[0m` : prefix;
    this.sink[line.stream](`${shown}${line.text}\n`);
  }
}

/** A replica's name in the prefix: the container's name without the project, as compose's `web-1`. */
export const replicaLogName = (service: string, replica: number | null | undefined) => (replica ? `${service}-${replica}` : service);
