// Runs the real `cluster` binary (bin/cluster.js → dist/) as a user would, without a terminal.
// Every run is scanned for the secrets it was given (test/support/secret-scan.ts): its output, the
// plan file it saved (-o), and the state files beside the manifest.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { assertNoSecret, secretsGiven, secretsInFiles } from './secret-scan.js';

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
  const secrets = secretsGiven(env, opts.cwd);
  assertNoSecret(r.stdout + r.stderr, secrets, args.join(' '));
  if (secrets.length) {
    const at = (flag: string[]) => args.findIndex((a) => flag.includes(a));
    const here = (p: string) => resolve(opts.cwd ?? '.', p);
    const out = at(['-o', '--out']);
    const manifest = at(['-f', '--file']);
    const stateDir = join(dirname(here(manifest >= 0 ? args[manifest + 1]! : 'cluster.yml')), '.cluster');
    assertNoSecret(secretsInFiles([...(out >= 0 ? [here(args[out + 1]!)] : []), stateDir]), secrets, `${args.join(' ')} (files it wrote)`);
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
