// Simulated latency and faults: how slow and how unreliable the simulated machines are, per plan
// action kind (`simulation:` in the manifest; `default` for kinds not named).
//
// Faults are drawn from a counter-based PRNG: the n-th call of kind K on machine M faults when
// hash(seed, K, M, n) / 2^32 < failureRate[K]. Unlike one shared random stream, the outcome does
// not depend on how parallel calls on other machines interleave, so the same seed fails the same
// calls in every run, however p-queue schedules them (deterministic per process, per seed).
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError } from '../../engine/errors.js';
import type { SimulationConfig } from '../../model/desired.js';
import { UserError } from '../../model/diagnostic.js';
import type { ActionKind } from '../../plan/types.js';
import { fmix32 } from './state.js';

/** What a simulated call serves: the plan action kind it executes, or `observe` for reads. */
export type SimKind = ActionKind | 'machine.stop' | 'observe';

/** The keys `simulation.latency` and `.failure_rate` take: every SimKind (the compiler checks) and `default`. */
export const SIM_KINDS = [
  'default', 'observe', 'machine.create', 'machine.start', 'machine.stop', 'machine.remove', 'machine.replace', 'machine.resize',
  'machine.availability', 'engine.labels', 'engine.options', 'swarm.init', 'swarm.join', 'swarm.promote', 'swarm.demote', 'swarm.leave', 'swarm.forget',
  'network.create', 'network.remove', 'image.ensure', 'image.build', 'container.create', 'container.start', 'container.remove',
  'container.replace', 'service.create', 'service.update', 'service.remove',
] as const satisfies readonly (SimKind | 'default')[];
// A new action kind that is missing above fails to compile here.
const everyKindListed: Exclude<SimKind, (typeof SIM_KINDS)[number]> extends never ? true : never = true;
void everyKindListed;

export class SimConditions {
  private readonly latencyMs: Record<string, number>;
  private readonly failureRate: Record<string, number>;
  private readonly calls = new Map<string, number>();

  /** CLUSTER_SIM_LATENCY_MS and CLUSTER_SIM_FAILURE_RATE replace the manifest's `default` values. */
  constructor(
    private readonly config: SimulationConfig,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.latencyMs = { ...config.latencyMs };
    this.failureRate = { ...config.failureRate };
    const latency = env.CLUSTER_SIM_LATENCY_MS;
    if (latency !== undefined && latency !== '') this.latencyMs.default = parseNumber('CLUSTER_SIM_LATENCY_MS', latency, 0, Infinity);
    const rate = env.CLUSTER_SIM_FAILURE_RATE;
    if (rate !== undefined && rate !== '') this.failureRate.default = parseNumber('CLUSTER_SIM_FAILURE_RATE', rate, 0, 1);
  }

  latencyOf(kind: SimKind): number {
    return this.latencyMs[kind] ?? this.latencyMs.default ?? 0;
  }

  failureRateOf(kind: SimKind): number {
    return this.failureRate[kind] ?? this.failureRate.default ?? 0;
  }

  /** Whether a call of this kind neither waits nor can fault: it may then be answered at once (SimWorld.now). */
  immediate(kind: SimKind): boolean {
    return this.latencyOf(kind) <= 0 && this.failureRateOf(kind) <= 0;
  }

  /** Waits the kind's latency; 0 sets no timer at all, so a fast simulation stays fast. */
  async delay(kind: SimKind): Promise<void> {
    const ms = this.latencyOf(kind);
    if (ms > 0) await sleep(ms);
  }

  /** Throws an 'unavailable' EngineError (a dropped connection; retried) with the kind's probability. Call before changing anything, so a retry starts clean. */
  fault(kind: SimKind, machine: string): void {
    const rate = this.failureRateOf(kind);
    if (rate <= 0) return;
    if (rate >= 1 || this.draw(kind, machine) < rate) throw new EngineError('unavailable', `simulated fault: ${kind} on ${machine}`);
  }

  /** Uniform in [0, 1): the next number of the (seed, kind, machine) sequence. */
  private draw(kind: string, machine: string): number {
    const key = `${kind}\0${machine}`;
    const n = this.calls.get(key) ?? 0;
    this.calls.set(key, n + 1);
    let h = fmix32(this.config.seed ^ 0x9e3779b9) ^ fnv1a(key);
    h = fmix32(h ^ Math.imul(n + 1, 0x27d4eb2d));
    return fmix32(h + 0x165667b1) / 2 ** 32;
  }
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function parseNumber(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw UserError.plain(`${name}=${text} is not a number ${max === Infinity ? `of ${min} or more` : `from ${min} to ${max}`}`, `unset ${name} or give e.g. ${name}=${max === 1 ? '0.05' : '20'}`);
  }
  return n;
}
