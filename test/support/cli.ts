// Runs the real `cluster` binary (bin/cluster.js → dist/) as a user would, without a terminal.
// Every run is scanned for the secrets it was given (test/support/secret-scan.ts): its output, the
// plan file it saved (-o), and the state files beside the manifest.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { assertNoSecret, secretsGiven, secretsInFiles } from './secret-scan.js';

export const BIN = join(import.meta.dirname, '../../bin/cluster.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

type RunOptions = { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number };

function environment(opts: RunOptions): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env as Record<string, string>;
}

/** Blocks the test worker's event loop while the CLI runs: fine for a quick command (see clusterAsync). */
export function cluster(args: string[], opts: RunOptions = {}): Run {
  const env = environment(opts);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000 });
  scanForSecrets(args, opts, env, r.stdout + r.stderr);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** For a command that runs or waits for seconds: vitest's worker keeps serving its RPC meanwhile (test/support/turn.ts). */
export function clusterAsync(args: string[], opts: RunOptions = {}): Promise<Run> {
  const env = environment(opts);
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 120_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      scanForSecrets(args, opts, env, stdout + stderr);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A secret given to a run must not be in its output, the plan file it saved (-o) or the state beside the manifest. */
function scanForSecrets(args: string[], opts: RunOptions, env: Record<string, string>, output: string): void {
  const secrets = secretsGiven(env, opts.cwd);
  assertNoSecret(output, secrets, args.join(' '));
  if (!secrets.length) return;
  const at = (flag: string[]) => args.findIndex((a) => flag.includes(a));
  const here = (p: string) => resolve(opts.cwd ?? '.', p);
  const out = at(['-o', '--out']);
  const manifest = at(['-f', '--file']);
  const stateDir = join(dirname(here(manifest >= 0 ? args[manifest + 1]! : 'cluster.yml')), '.cluster');
  assertNoSecret(secretsInFiles([...(out >= 0 ? [here(args[out + 1]!)] : []), stateDir]), secrets, `${args.join(' ')} (files it wrote)`);
}
