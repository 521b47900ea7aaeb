// depends_on conditions, as compose honours them: before a service's container starts, the
// containers of the services it names are healthy (service_healthy) or have exited 0
// (service_completed_successfully). service_started needs nothing: the plan orders that already.
import { STALLED } from '../plan/swarm-services.js';
import type { DependencyCondition } from '../model/desired.js';
import type { ContainerStatus, Engine } from '../engine/types.js';

export interface Replica {
  engine: Engine;
  id: string;
  name: string;
}

const POLL_MS = 500;
export const CONDITION_TIMEOUT_MS = 300_000;

export async function untilConditionHolds(service: string, dependency: string, condition: DependencyCondition, replicas: Replica[], timeoutMs = CONDITION_TIMEOUT_MS): Promise<void> {
  if (condition === 'service_started') return;
  for (const r of replicas) {
    for (const deadline = Date.now() + timeoutMs; ; await new Promise((res) => setTimeout(res, POLL_MS))) {
      const status = await r.engine.containerStatus(r.id);
      const verdict = judge(condition, status);
      if (verdict === true) break;
      if (typeof verdict === 'string') throw new Error(`${service} waits for ${dependency} to be ${words(condition)}, but ${r.name} ${verdict}`);
      if (Date.now() > deadline) throw new Error(`${service} waited ${timeoutMs / 1000} s for ${r.name} to be ${words(condition)}; it is ${status.health ?? status.state}`);
    }
  }
}

/** true: holds; a string: it never will (why); false: not yet. */
function judge(condition: DependencyCondition, s: ContainerStatus): boolean | string {
  if (s.simulated) return true;
  if (condition === 'service_healthy') {
    if (s.health === undefined) return s.state === 'running' ? 'has no healthcheck' : `is ${s.state}`;
    if (s.health === 'healthy') return true;
    if (s.state === 'exited' || s.state === 'dead') return `exited with code ${s.exitCode}`;
    return false; // starting, or unhealthy for now: compose keeps waiting too
  }
  if (s.state === 'exited' || s.state === 'dead') return s.exitCode === 0 ? true : `exited with code ${s.exitCode}`;
  return false;
}

function words(c: DependencyCondition): string {
  return c === 'service_healthy' ? 'healthy' : 'completed successfully';
}

const TASKS_TIMEOUT_MS = 180_000;

export interface TaskWait {
  timeoutMs?: number;
  /** How long the tasks must stay converged before the service counts as done. */
  monitorMs: number;
  pollMs?: number;
}

/**
 * A swarm service is done when every task the swarm wants running runs the current definition, and stays
 * so for the monitor period, as `docker service create/update --detach=false` and `docker stack deploy
 * --detach=false` wait ("Waiting N seconds to verify that tasks are stable", docker/cli
 * service/progress/progress.go ServiceProgress: `monitor` is the service's UpdateConfig.Monitor, 5 s when
 * unset; a check that fails meanwhile starts the wait over). Seen once without it: right after a fixed
 * rollout converged, a restart of a task of the failed definition made a fourth task of three run.
 */
export async function untilTasksRun(engine: Engine, name: string, id: string, wait: TaskWait): Promise<void> {
  const { timeoutMs = TASKS_TIMEOUT_MS, monitorMs, pollMs = POLL_MS } = wait;
  let last = { desired: 0, running: 0, upToDate: 0 } as Awaited<ReturnType<Engine['serviceTasks']>>;
  const since = Date.now() - 2_000; // a rollout the swarm paused before this update is not this update's verdict
  let convergedAt: number | undefined;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((res) => setTimeout(res, pollMs))) {
    last = await engine.serviceTasks(id);
    const r = last.rollout;
    if (r && STALLED.has(r.state) && (!r.startedAt || Date.parse(r.startedAt) >= since)) {
      throw new Error(`swarm service ${name}: the swarm's rollout is ${r.state.replace('_', ' ')}${r.message ? ` (${r.message})` : ''}${last.error ? `; last task error: ${last.error}` : ''}`);
    }
    // Every wanted task runs the current definition, and no task of an older one still runs beside them.
    const converged = last.upToDate >= last.desired && last.running <= last.desired && last.desired > 0 && !(r && r.state === 'updating');
    if (!converged) convergedAt = undefined;
    else if (convergedAt === undefined) convergedAt = Date.now();
    if (convergedAt !== undefined && Date.now() - convergedAt >= monitorMs) return;
  }
  const stable = convergedAt !== undefined ? ` (converged, but not yet for the ${monitorMs / 1000} s monitor period)` : '';
  throw new Error(`swarm service ${name}: ${last.upToDate} of ${last.desired} tasks running the current definition after ${timeoutMs / 1000} s${stable}${last.error ? ` (last task error: ${last.error})` : ''}`);
}
