// Protection outlives the manifest line that set it: the last apply records which machines were
// `protect: true`, so deleting a protected machine from the manifest is refused too (Terraform's
// prevent_destroy cannot). The record belongs to one cluster — `.cluster/protected/<cluster>.json`
// says whose it is inside — since several clusters may share a folder and one cluster's list must
// never guard (or be overwritten by) another's.
//
// Before this, one file per folder (`.cluster/protected.json`, a bare list of machine names) held
// the list of whichever cluster applied last, without saying which. It is never written again and
// never silently dropped: its names still guard the machines of that name of any cluster in the
// folder (failing safe: a removal is refused rather than a protection lost), with a warning that
// says how to retire it once each cluster has recorded its own list.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readUserFile } from '../manifest/user-file.js';
import { UserError } from '../model/diagnostic.js';
import type { Desired } from '../model/desired.js';
import { stateDir } from '../providers/index.js';
import { backupOf, writeStateFile } from '../providers/state-file.js';

interface Record {
  cluster: string;
  machines: string[];
}

export function protectionFile(desired: Desired): string {
  return join(stateDir(desired), 'protected', `${desired.name}.json`);
}

function legacyFile(desired: Desired): string {
  return join(stateDir(desired), 'protected.json');
}

/** Machines of this cluster protected at its last apply (plus those of the old per-folder list that it has). */
export function protectedMachines(desired: Desired, observedMachines: readonly string[] = [], warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Set<string> {
  const names = new Set(ownRecord(desired)?.machines ?? []);
  const legacy = legacyList(desired);
  const inherited = legacy.filter((m) => observedMachines.includes(m) && !names.has(m));
  if (inherited.length) {
    warn(
      `warning: ${legacyFile(desired)} (from an older version) does not say which cluster it protects: ` +
        `${inherited.join(', ')} of cluster ${desired.name} ${inherited.length === 1 ? 'stays' : 'stay'} protected by it.\n` +
        `  hint: once every cluster in this folder has been applied (each records its own list under ${join(stateDir(desired), 'protected')}/), delete it`,
    );
    for (const m of inherited) names.add(m);
  }
  return names;
}

/** After an apply: this cluster's protected machines, as its manifest says now. */
export function recordProtected(desired: Desired): void {
  const machines = desired.machines.filter((m) => m.protect).map((m) => m.name);
  const before = ownRecord(desired);
  if (machines.length === 0 && !before) return;
  if (before && JSON.stringify(before.machines) === JSON.stringify(machines)) return;
  const record: Record = { cluster: desired.name, machines };
  writeStateFile(protectionFile(desired), JSON.stringify(record) + '\n');
}

function ownRecord(desired: Desired): Record | undefined {
  const file = protectionFile(desired);
  const read = readUserFile(file, { what: 'the protection record' });
  if (!read.ok && read.missing) return undefined;
  const again = 'delete it and apply again (machines with protect: true in the manifest are recorded again)';
  const restore = existsSync(backupOf(file)) ? `restore the previous one with \`cp ${backupOf(file)} ${file}\`, or ${again}` : again;
  if (!read.ok) throw UserError.plain(read.message, restore);
  let data: Partial<Record> | null;
  try {
    data = JSON.parse(read.bytes.toString('utf8')) as Partial<Record> | null;
  } catch {
    data = null;
  }
  if (!data || !Array.isArray(data.machines) || !data.machines.every((m) => typeof m === 'string')) {
    throw UserError.plain(`the protection record ${file} is corrupt (not {"cluster": ..., "machines": [...]})`, restore);
  }
  // A file copied from another cluster's name guards nothing here: say so rather than trust it.
  if (data.cluster !== desired.name) throw UserError.plain(`the protection record ${file} belongs to cluster ${JSON.stringify(data.cluster)}, not ${desired.name}`, restore);
  return { cluster: data.cluster, machines: data.machines };
}

function legacyList(desired: Desired): string[] {
  const read = readUserFile(legacyFile(desired), { what: 'the old protection list' });
  if (!read.ok) {
    if (read.missing) return [];
    throw UserError.plain(read.message, 'it is the protection list of an older version: delete it once each cluster in this folder has been applied');
  }
  try {
    const data = JSON.parse(read.bytes.toString('utf8')) as unknown;
    if (Array.isArray(data)) return data.filter((m): m is string => typeof m === 'string');
  } catch {
    // fall through
  }
  throw UserError.plain(`the old protection list ${legacyFile(desired)} is corrupt`, 'it is the protection list of an older version: delete it once each cluster in this folder has been applied');
}
