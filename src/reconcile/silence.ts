// When each silent engine was first seen silent, kept across runs in `.cluster/<cluster>.silent.json`:
// the grace period for the replicas that may be on it (src/sched/held.ts) counts from then, not
// from whichever run looks now. Only runs that hold the apply lock write it (apply, destroy, watch),
// so two writers never race; `plan` reads it and writes nothing.
import { join } from 'node:path';
import { readUserFile } from '../manifest/user-file.js';
import type { Observed } from '../model/observed.js';
import { writeStateFile } from '../providers/state-file.js';

type Record = { [machine: string]: string };

export function silenceFile(stateDir: string, cluster: string): string {
  return join(stateDir, `${cluster}.silent.json`);
}

/** Engines that run but do not answer (or machines in error): the ones a grace period applies to. */
function silent(observed: Observed): string[] {
  return observed.machines.filter((m) => !m.engine && (m.state === 'running' || m.state === 'error')).map((m) => m.name);
}

/**
 * Sets `silentSince` on the silent machines from the record; with `write`, records the newly
 * silent ones as of `now` and forgets those that answer again (or are gone).
 */
export function applySilence(file: string, observed: Observed, now: Date, write: boolean): void {
  const before = readRecord(file);
  const after: Record = {};
  for (const name of silent(observed)) after[name] = before[name] ?? now.toISOString();
  for (const m of observed.machines) if (after[m.name] && before[m.name]) m.silentSince = before[m.name];
  if (write && JSON.stringify(after) !== JSON.stringify(before)) writeStateFile(file, JSON.stringify(after, null, 2) + '\n');
}

function readRecord(file: string): Record {
  const read = readUserFile(file, { what: 'the record of silent engines', maxBytes: 16 * 1024 * 1024 });
  if (!read.ok) return {};
  try {
    const parsed: unknown = JSON.parse(read.bytes.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    // Only well-formed times: a damaged record means "silent since now", never a wrong grace.
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string' && Number.isFinite(Date.parse(v)))) as Record;
  } catch {
    return {};
  }
}
