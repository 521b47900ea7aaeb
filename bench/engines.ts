// Helpers for the real-engine cases: a private engine, clusters made with the binary, the docker CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerodeFor } from '../src/providers/docker/connection.js';
import { fail } from './stats.js';

export const BIN = join(import.meta.dirname, '../bin/cluster.js');

/** The engine the real-engine cases run on: DOCKER_HOST, or the private one (started when root). */
export async function benchEngine(): Promise<string> {
  const url = process.env.DOCKER_HOST ?? 'unix:///run/cluster-test/docker.sock';
  const up = () => dockerodeFor(url, undefined, 3000).ping().then(() => true, () => false);
  if (await up()) return url;
  if (!process.env.DOCKER_HOST) execFileSync('bash', [join(import.meta.dirname, '../scripts/docker-env.sh'), 'start'], { stdio: 'inherit' });
  if (!(await up())) fail(`no Docker engine at ${url}`);
  return url;
}

/** Runs the binary as CI would (no terminal); its output, stdout then stderr (where apply's timestamped progress goes). */
export function clusterCli(dir: string, host: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true', DOCKER_HOST: host }, maxBuffer: 1 << 28 });
  if (r.status !== 0 && !(args[0] === 'plan' && r.status === 2)) fail(`cluster ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).slice(-600)}`);
  return r.stdout + r.stderr;
}

export function docker(host: string, ...args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: host } });
  if (r.status !== 0) fail(`docker ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-400)}`);
  return r.stdout.trim();
}

export function scratch(prefix: string, manifest: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, manifest);
  return { dir, file };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
