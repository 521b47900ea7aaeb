// Who holds a lock, precisely enough to tell later whether that process still exists. A pid alone
// says little: another host, another container (own pid namespace, maybe the same hostname) or a
// reboot make it meaningless, and pids are reused. So a holder records its hostname, the kernel's
// boot id with its pid namespace ("space"), and its pid's start time; another run may declare it
// gone only when all of host and space match and the pid is absent or started at another time.
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { Holder } from '../providers/lock-store.js';

let me: Holder | undefined;

export function thisProcess(): Holder {
  me ??= { host: hostname(), ...optional('space', processSpace()), pid: process.pid, ...optional('start', startTime(process.pid)) };
  return me;
}

export function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown'; // a uid without a passwd entry (containers)
  }
}

/**
 * True when the holder was a process of this very host (same pid space) that no longer runs;
 * false when it runs; undefined when this run cannot tell (another host or pid namespace).
 */
export function holderGone(h: Partial<Holder>): boolean | undefined {
  const here = thisProcess();
  if (h.host !== here.host || h.space !== here.space || typeof h.pid !== 'number') return undefined;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
    // EPERM: it exists, under another user.
  }
  // The pid exists: it is the holder unless it was reused by a process started at another time.
  return h.start !== undefined && startTime(h.pid) !== h.start;
}

function processSpace(): string | undefined {
  try {
    return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
}

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
