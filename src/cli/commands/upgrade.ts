// `cluster upgrade MACHINE`: the engine package upgraded on an ssh machine, drained first. The order is
// what docker's docs ask of a swarm node's maintenance ("docker node update --availability drain",
// swarmkit's NodeSpec.Availability), run as three steps under one apply lock:
//   1. drain: the manifest with this machine's availability `drain` is planned and applied, so its
//      replicas start elsewhere (the scheduler moves them, the swarm moves its tasks); the upgrade waits
//      until the machine runs none of this cluster's replicas or tasks;
//   2. the engine package is upgraded (the engine restarts only when the version changed);
//   3. the machine's availability is set back to the manifest's (its moved replicas stay where they
//      now run: existing replicas are not moved back, as the scheduler never moves them without cause).
// Interruptions: Ctrl-C during the drain stops it and sets the availability back; during the package
// upgrade the host's script runs to its end (sshd does not stop it) and the availability is set back
// after it. kill -9 (or a second Ctrl-C) leaves the swarm node drained: the manifest still says active,
// so `cluster plan` shows "availability drain → active" and the next apply makes it active again.
// Two runs at once: the apply lock (taken for the whole command) keeps them apart.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Availability, Desired, DriverName } from '../../model/desired.js';
import type { Observed } from '../../model/observed.js';
import { ownsContainer } from '../../model/ownership.js';
import { UserError } from '../../model/diagnostic.js';
import { swarmServiceName } from '../../plan/swarm-services.js';
import { hasChanges } from '../../plan/summary.js';
import type { Plan } from '../../plan/types.js';
import { observe } from '../../reconcile/observe.js';
import { applySession, type ApplyReporter } from '../../reconcile/session.js';
import { walkedAll } from '../../reconcile/walk.js';
import { progressReporter, summaryLines } from '../../ui/apply-report.js';
import { isInteractive } from '../../ui/terminal.js';
import { openUnlessStopped, type Interrupts } from '../interrupts.js';
import { computePlan, loadDesired, observeAndPlan, openSession, type Session } from '../pipeline.js';

/** How long the swarm may take to move a drained machine's tasks away. */
const MOVED_TIMEOUT_MS = 180_000;

export interface UpgradeOptions {
  file: string;
  lockTimeout?: number;
  /** Upgrade without draining: the replicas stop with the engine and start again in place. */
  force?: boolean;
}

export async function upgradeCommand(name: string, opts: UpgradeOptions, interrupts: Interrupts): Promise<number> {
  const desired = loadDesired(opts.file);
  const session = await openUnlessStopped(interrupts, openSession(desired, { command: 'upgrade', timeoutMs: opts.lockTimeout ?? 0, signal: interrupts.signal }));
  if (!session) return 1;
  try {
    const observed = session.observation.observed;
    const seen = observed.machines.find((m) => m.name === name);
    if (!seen) throw new Error(`no machine named ${name}; machines: ${observed.machines.map((x) => x.name).join(', ') || '(none yet: run cluster apply)'}`);
    const driver = session.drivers.get(seen.driver as DriverName);
    if (!driver?.upgradeEngine) throw new Error(`machine ${name} (${seen.driver} driver): its engine is not installed by this tool, so not upgraded by it`);
    const machine = desired.machines.find((m) => m.name === name);
    const manifest: Availability = machine?.availability ?? 'active';
    const held = replicasOn(observed, desired, name);
    // Nothing to move (or moved already by the manifest's own `availability: drain`), or --force: upgrade as it stands.
    const drain = !opts.force && held.length > 0 && manifest !== 'drain' && machine !== undefined;
    if (held.length && manifest === 'drain' && !opts.force) throw stillHolds(name, held, 'its manifest drains it, but the last apply has not moved them yet: run `cluster apply` first');
    let upgraded: { before: string; after: string } | undefined;
    try {
      if (drain) await drainFirst(session, desired, name, held, interrupts.signal);
      if (!interrupts.signal.aborted) upgraded = await driver.upgradeEngine(name);
    } finally {
      // Also after a drain that failed half-way (a refusal changed nothing: nothing to set back).
      if (drain) await setBack(session, desired, name, manifest);
    }
    if (!upgraded) return 1; // stopped before the upgrade: interruptible() gives the signal's exit code
    const { before, after } = upgraded;
    process.stdout.write(before === after ? `machine ${name}: docker.io ${after} is already the newest version its package source has\n` : `machine ${name}: docker.io ${before} → ${after}, engine restarted\n`);
    return 0;
  } finally {
    await session.close();
  }
}

/**
 * Drain: the manifest with this machine drained, planned against what is observed and applied, then
 * waited for until the machine holds none of the cluster's replicas or swarm tasks. Refused before
 * anything changes when the cluster differs from its manifest (the drain would apply those changes
 * too) or when a replica would have nowhere else to go.
 */
async function drainFirst(session: Session, desired: Desired, name: string, held: string[], signal: AbortSignal): Promise<void> {
  if (hasChanges(computePlan(desired, session.observation).plan)) {
    throw UserError.plain(`machine ${name} runs replicas and is drained before its engine is upgraded, but the cluster differs from its manifest: the drain would apply those changes too`, '`cluster apply` first (`cluster plan` shows what differs), then upgrade; or --force to upgrade without draining (its replicas restart in place)');
  }
  const drained = withAvailability(desired, name, 'drain');
  const { placement, plan } = computePlan(drained, session.observation);
  const stuck = [
    ...(placement.stayed ?? []).map((s) => `${s.service} #${s.replicas.join(', #')}: ${s.reason}`),
    ...plan.unschedulable.map((u) => u.summary),
  ];
  if (stuck.length) {
    throw UserError.plain(`machine ${name} cannot be drained before its engine is upgraded: ${stuck.length === 1 ? 'a replica has' : 'replicas have'} nowhere else to run (${stuck.join('; ')})`, `make room on another machine that satisfies their constraints, or --force to upgrade without draining (its replicas restart in place); nothing was changed`);
  }
  // Only a swarm member's availability outlives this run (set on its node); elsewhere the drain is only this plan's.
  const node = plan.actions.some((a) => a.kind === 'machine.availability' && a.machine === name);
  const many = held.length !== 1;
  process.stderr.write(`machine ${name}: draining (${held.length} replica${many ? 's' : ''} of this cluster move${many ? '' : 's'} elsewhere) before its engine is upgraded${node ? `; if this run is killed, \`cluster apply\` makes ${name} active again` : ''}\n`);
  const outcome = await applySession(session, { desired: drained, plan, reporter: await quietReporter('Drain'), signal, observeAfter: false });
  if (signal.aborted) return;
  if (outcome.kind !== 'applied' && outcome.kind !== 'unchanged') throw new Error(`machine ${name}: the drain was not applied (${outcome.kind}); its engine was not upgraded`);
  if (outcome.kind === 'applied' && !walkedAll(outcome.walk)) throw new Error(`machine ${name}: the drain did not finish (see above); its engine was not upgraded`);
  await untilMoved(session, desired, name, signal);
}

/** Polls the engines (the swarm moves a drained node's tasks on its own time) until the machine holds nothing of the cluster's. */
async function untilMoved(session: Session, desired: Desired, name: string, signal: AbortSignal): Promise<void> {
  let left: string[] = [];
  for (const deadline = Date.now() + MOVED_TIMEOUT_MS; Date.now() < deadline && !signal.aborted; await sleep(500)) {
    const now = (await observe(desired.name, session.drivers, { identity: session.observation.observed.identity })).observed;
    left = replicasOn(now, desired, name);
    if (!left.length) return;
  }
  if (!signal.aborted) throw stillHolds(name, left, `they did not move within ${MOVED_TIMEOUT_MS / 1000} s of the drain; its engine was not upgraded`);
}

/** The availability the manifest gives the machine, planned and applied again (only that differs now). */
async function setBack(session: Session, desired: Desired, name: string, availability: Availability): Promise<void> {
  const next = await observeAndPlan(desired, desired, session.drivers, session.observation.observed);
  session.observation = next.observation;
  const { plan } = next;
  const restore: Plan = { ...plan, actions: plan.actions.filter((a) => a.kind === 'machine.availability' && a.machine === name) };
  if (!restore.actions.length) return;
  // A fresh signal: after a Ctrl-C the availability still goes back (a second Ctrl-C ends the process, and the next apply does it).
  const outcome = await applySession(session, { desired, plan: restore, reporter: await quietReporter('Restore'), signal: new AbortController().signal, observeAfter: false });
  if (outcome.kind === 'applied' && !walkedAll(outcome.walk)) {
    process.stderr.write(`machine ${name}: its availability could not be set back to ${availability}; \`cluster apply\` sets it\n`);
  } else {
    process.stderr.write(`machine ${name}: availability ${availability} again\n`);
  }
}

/**
 * This cluster's replicas on the machine, in any state (a stopped one is still the machine's: the next
 * apply would start it there), and its swarm services' running tasks, by name.
 */
export function replicasOn(observed: Observed, desired: Desired, name: string): string[] {
  const m = observed.machines.find((x) => x.name === name);
  const tasks = new Set(desired.services.map((s) => swarmServiceName(desired.name, s.name)));
  return (m?.engine?.containers ?? [])
    .filter((c) => ownsContainer(observed, c) || (c.state === 'running' && tasks.has(c.labels['com.docker.swarm.service.name'] ?? '')))
    .map((c) => c.name)
    .sort();
}

function withAvailability(desired: Desired, name: string, availability: Availability): Desired {
  return { ...desired, machines: desired.machines.map((m) => (m.name === name ? { ...m, availability } : m)) };
}

function stillHolds(name: string, held: string[], why: string): UserError {
  return UserError.plain(`machine ${name} still runs ${held.join(', ')}: ${why}`, 'or --force to upgrade without draining (its replicas restart in place)');
}

/** Progress lines on stderr and the summary; no plan or status on stdout (the upgrade's one line goes there). */
async function quietReporter(Verb: string): Promise<ApplyReporter> {
  const progress = await progressReporter({ json: false, live: isInteractive(process.stderr) });
  return { ...progress, plan: () => undefined, replanned: () => undefined, finished: (o) => summaryLines(Verb, o).forEach((l) => process.stderr.write(l + '\n')) };
}
