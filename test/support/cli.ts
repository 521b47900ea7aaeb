// Runs the real `cluster` binary (bin/cluster.js → dist/) as a user would, without a terminal.
// Every run's output is scanned for the secrets it was given (test/support/secret-scan.ts).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { assertNoSecret, secretsGiven } from './secret-scan.js';

export const BIN = join(import.meta.dirname, '../../bin/cluster.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function cluster(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000 });
  assertNoSecret(r.stdout + r.stderr, secretsGiven(env, opts.cwd), args.join(' '));
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
