// A `cluster` process left running (watch mode), with its output collected as it arrives.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './cli.js';
import { assertNoSecret, secretsGiven } from './secret-scan.js';

export interface Background {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the output (stdout + stderr) matches `re` `times` times; rejects after `ms`. */
  waitFor: (re: RegExp, ms?: number, times?: number) => Promise<void>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  /** Resolves with the exit code when the process ends by itself. */
  exited: () => Promise<number | null>;
}

export function background(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Background {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const secrets = secretsGiven(env, opts.cwd);
  const scanned = (code: number | null) => (assertNoSecret(out, secrets, args.join(' ')), code);
  const count = (re: RegExp) => out.match(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))?.length ?? 0;
  return {
    child,
    output: () => out,
    waitFor: (re, ms = 30_000, times = 1) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = setInterval(() => {
          if (count(re) >= times) {
            clearInterval(tick);
            resolve();
          } else if (Date.now() - started > ms || child.exitCode !== null) {
            clearInterval(tick);
            reject(new Error(`timed out waiting for ${re} ×${times}; output so far:\n${out}`));
          }
        }, 25);
      }),
    exited: () => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)))).then(scanned),
    stop: (signal = 'SIGINT') =>
      new Promise<number | null>((resolve) => {
        // Ended already, by itself or by a signal (then exitCode stays null and 'exit' will not come again).
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }).then(scanned),
  };
}
