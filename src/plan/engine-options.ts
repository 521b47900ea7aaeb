// A machine's `engine:` options against the ones its engine was last started or reloaded with (the
// driver's record). Pure: the plan says per key what changes and whether dockerd takes it live
// (SIGHUP) or must restart (src/model/engine-options.ts names dockerd's rule).
import fjp from 'fast-json-patch';
import type { DesiredMachine } from '../model/desired.js';
import { engineChangeNeeds, engineChanges, showEngineValue } from '../model/engine-options.js';
import type { ObservedMachine } from '../model/observed.js';
import type { ActionList } from './builder.js';
import { traitsOf } from '../providers/index.js';

/**
 * The engine.options action's id when one is planned (later work on the machine waits for it). A
 * machine still to be made (`o` absent) gets its options at create: only a driver that cannot is said.
 * Restarts go one machine at a time (`restarts.last`): each stops a machine's containers, and two
 * managers restarting at once would cost a three-manager swarm its quorum.
 */
export function planEngineOptions(m: DesiredMachine, o: ObservedMachine | undefined, list: ActionList, warnings: string[], after: (string | undefined)[], restarts: { last?: string } = {}): string | undefined {
  const want = m.engine ?? {};
  // A driver that writes its machines' daemon.json records what the engine took; a new machine gets them at create.
  const had = o ? o.spec?.engine : traitsOf(m.driver).engineOptions ? want : undefined;
  if (had === undefined) {
    // The driver neither writes nor records a daemon.json (generic: the host's own; sim: no dockerd).
    const keys = Object.keys(want);
    if (keys.length) warnings.push(`${m.name}: the ${m.driver} driver does not set engine options (${keys.join(', ')})${traitsOf(m.driver).adopted ? '; set them in that engine’s own daemon.json' : ''}`);
    return undefined;
  }
  // An engine that cannot be reached now is changed once it answers (the plan already warns about it).
  if (!o || o.state === 'error' || (o.state === 'running' && !o.engine)) return undefined;
  const changes = engineChanges(had, want);
  if (!changes.length && !o.spec?.enginePending) return undefined;
  // Pending: daemon.json was written and the engine never took it; a restart makes file and engine agree.
  const how = changes.length ? engineChangeNeeds(changes) : 'restart';
  const reason = changes.length
    ? changes.map((c) => `${c.key} ${showEngineValue(c.before, c.after)} → ${showEngineValue(c.after, c.before)}`).join(', ')
    : 'daemon.json holds options its engine has not taken (an apply stopped half-way)';
  const restart = how === 'restart';
  const id = list.add(m.name, { kind: 'engine.options', machine: m.name, options: want, patch: fjp.compare(had, want, true), restart, after: restart ? [...after, restarts.last] : after, cause: 'spec-changed', reason });
  if (restart) restarts.last = id;
  return id;
}
