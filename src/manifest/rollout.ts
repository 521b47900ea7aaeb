// deploy.update_config and deploy.rollback_config of a container service: how cluster replaces a
// changed service's replicas batch by batch. The keys and defaults are swarmkit's (api/defaults/
// service.go: parallelism 1, delay 0, monitor 5s, order stop-first, failure_action pause,
// max_failure_ratio 0), so a stack file means the same thing under `mode: containers` and `mode: swarm`.
// The key set is compose-go's types.UpdateConfig (parallelism, delay, failure_action, monitor,
// max_failure_ratio, order); its schema leaves failure_action and order free strings, checked here.
import type { RolloutConfig } from '../model/desired.js';
import type { Path } from './read.js';
import type { Report } from './service.js';
import { parseComposeDuration, parseInteger } from './units.js';

type Raw = Record<string, unknown>;

export const ROLLOUT_DEFAULTS: RolloutConfig = { parallelism: 1, delayMs: 0, order: 'stop-first', monitorMs: 5_000, failureAction: 'pause', maxFailureRatio: 0 };
const ORDERS = ['stop-first', 'start-first'];
const DURATION_HINT = 'a duration with its unit, e.g. 10s, 1m30s, 500ms';

export interface Rollouts {
  update?: RolloutConfig;
  rollback?: RolloutConfig;
}

/**
 * Container services: both configs, filled in with the defaults; no update_config keeps compose's
 * behaviour (every changed replica replaced at once). Swarm-mode services: nothing here, the swarm
 * gets them as written.
 */
export function parseRollouts(deploy: Raw, mode: 'containers' | 'swarm', at: (...r: (string | number)[]) => Path, report: Report, warn: Report): Rollouts {
  if (mode === 'swarm') return {}; // sent to the swarm as written (service.ts swarmSpec)
  const update = deploy.update_config === undefined || deploy.update_config === null ? undefined : rolloutConfig(deploy.update_config as Raw, 'update_config', at, report);
  const rollback = deploy.rollback_config === undefined || deploy.rollback_config === null ? undefined : rolloutConfig(deploy.rollback_config as Raw, 'rollback_config', at, report);
  if (rollback?.failureAction === 'rollback') report(at('deploy', 'rollback_config', 'failure_action'), 'a rollback cannot be rolled back: rollback_config.failure_action is pause or continue', 'swarmkit pauses a failed rollback too (updater.go: "never roll back a rollback")');
  if (rollback && update?.failureAction !== 'rollback') {
    warn(at('deploy', 'rollback_config'), 'rollback_config is used only when update_config.failure_action is rollback: it is ignored here', 'set update_config.failure_action: rollback, or remove rollback_config');
  }
  return {
    ...(update ? { update } : {}),
    ...(update?.failureAction === 'rollback' ? { rollback: rollback ?? ROLLOUT_DEFAULTS } : {}),
  };
}

export function rolloutConfig(raw: Raw, key: string, at: (...r: (string | number)[]) => Path, report: Report): RolloutConfig {
  const path = (k: string) => at('deploy', key, k);
  const out: RolloutConfig = { ...ROLLOUT_DEFAULTS };
  if (raw.parallelism !== undefined) {
    const n = parseInteger(raw.parallelism);
    if (n === undefined || n < 0) report(path('parallelism'), `parallelism must be a whole number ≥ 0 (got ${JSON.stringify(raw.parallelism)})`, 'replicas per batch, e.g. 1; 0 means all at once');
    else out.parallelism = n;
  }
  for (const [k, field] of [['delay', 'delayMs'], ['monitor', 'monitorMs']] as const) {
    if (raw[k] === undefined) continue;
    const ms = parseComposeDuration(raw[k]);
    if (ms === undefined) report(path(k), `invalid duration ${JSON.stringify(raw[k])}`, DURATION_HINT);
    else out[field] = ms;
  }
  if (raw.order !== undefined) {
    if (!ORDERS.includes(String(raw.order))) report(path('order'), `order must be stop-first or start-first (got ${JSON.stringify(raw.order)})`);
    else out.order = raw.order as RolloutConfig['order'];
  }
  if (raw.failure_action !== undefined) {
    if (!['pause', 'continue', 'rollback'].includes(String(raw.failure_action))) report(path('failure_action'), `failure_action must be pause, continue or rollback (got ${JSON.stringify(raw.failure_action)})`);
    else out.failureAction = raw.failure_action as RolloutConfig['failureAction'];
  }
  if (raw.max_failure_ratio !== undefined) {
    const r = typeof raw.max_failure_ratio === 'number' ? raw.max_failure_ratio : typeof raw.max_failure_ratio === 'string' && raw.max_failure_ratio.trim() !== '' ? Number(raw.max_failure_ratio) : NaN;
    if (!Number.isFinite(r) || r < 0 || r > 1) report(path('max_failure_ratio'), `max_failure_ratio must be a number from 0 to 1 (got ${JSON.stringify(raw.max_failure_ratio)})`, 'the fraction of replicas that may fail, e.g. 0.3');
    else out.maxFailureRatio = r;
  }
  return out;
}
