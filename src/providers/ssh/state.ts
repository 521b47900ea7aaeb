// What this folder knows about each ssh machine, under `.cluster/ssh/<machine>/`: machine.json
// (where it is, how to log in, whether provisioning finished), the pinned host key, and the
// engine's server certificate and key. Written before the host is changed, so a run killed
// half-way leaves a record the next run finds (and resumes, or removes).
import { existsSync, mkdirSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { readUserFile } from '../../manifest/user-file.js';
import { writeStateFile } from '../state-file.js';
import type { SshTarget } from './target.js';

// The manifest's machine-name rule: never '/', '.' or '..', so a name never leaves .cluster/ssh/.
const MACHINE_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

export interface SshMachineState {
  cluster: string;
  target: SshTarget;
  /** False until the engine answered over TLS once: such a machine is resumed (or removed), never used. */
  provisioned: boolean;
  /**
   * The manifest's `engine:` options last written to the host's daemon.json, and those its engine
   * took (reloaded or restarted with). `applied` is recorded only once dockerd took them, so a run
   * killed in between leaves the two different and the next plan changes the engine again. Absent:
   * none (a machine provisioned before engine options were honoured).
   */
  engine?: { written: Record<string, unknown>; applied: Record<string, unknown> };
}

export function sshRoot(stateDir: string): string {
  return join(stateDir, 'ssh');
}

export function machineDir(stateDir: string, name: string): string {
  return join(sshRoot(stateDir), name);
}

export function readMachineState(stateDir: string, name: string): SshMachineState | undefined {
  const file = readUserFile(join(machineDir(stateDir, name), 'machine.json'), { what: 'an ssh machine record', maxBytes: 64 * 1024 });
  if (!file.ok) return undefined;
  try {
    return JSON.parse(file.bytes.toString('utf8')) as SshMachineState;
  } catch {
    return undefined; // a torn write cannot happen (atomic); a hand-edited file is treated as absent
  }
}

export function writeMachineState(stateDir: string, name: string, state: SshMachineState): void {
  const dir = machineDir(stateDir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeStateFile(join(dir, 'machine.json'), JSON.stringify(state, null, 2) + '\n');
}

export function machineNames(stateDir: string, cluster: string): string[] {
  const root = sshRoot(stateDir);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => MACHINE_NAME.test(n) && readMachineState(stateDir, n)?.cluster === cluster)
    .sort();
}

export function readPinnedKey(stateDir: string, name: string): string | undefined {
  const file = readUserFile(join(machineDir(stateDir, name), 'host-key'), { what: 'a pinned host key', maxBytes: 16 * 1024 });
  return file.ok ? file.bytes.toString('utf8').trim() || undefined : undefined;
}

export function pinKey(stateDir: string, name: string, key: string): void {
  if (readPinnedKey(stateDir, name) !== key) writeStateFile(join(machineDir(stateDir, name), 'host-key'), `${key}\n`);
}

export function forgetMachine(stateDir: string, name: string): void {
  if (MACHINE_NAME.test(name)) rmSync(machineDir(stateDir, name), { recursive: true, force: true });
}
