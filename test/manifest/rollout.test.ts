// deploy.update_config / rollback_config of container services: swarmkit's keys and defaults
// (api/defaults/service.go: parallelism 1, delay 0, monitor 5s, stop-first, pause, ratio 0), bad values
// reported at their place, and what is read but not used named (never silently ignored).
import { describe, expect, test } from 'vitest';
import { toSwarmServiceSpec } from '../../src/providers/docker/service.js';
import { loadText } from '../support/manifest.js';

const manifest = (deploy: string, mode = '') => `name: t
machines:
  m: { driver: sim, role: manager }
services:
  web:
    image: nginx
    scale: 3${mode}
    deploy:
${deploy}
`;

function load(deploy: string, mode = '') {
  const r = loadText(manifest(deploy, mode));
  return { r, errors: r.ok ? [] : r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`), warnings: r.ok ? r.warnings.map((w) => `${w.line}:${w.col} ${w.message}`) : [] };
}

describe('deploy.update_config of a container service', () => {
  test("an empty update_config takes swarmkit's defaults; no update_config keeps replacing everything at once", () => {
    const { r } = load('      update_config: {}');
    expect(r.ok && r.desired.services[0]!.update).toEqual({ parallelism: 1, delayMs: 0, order: 'stop-first', monitorMs: 5000, failureAction: 'pause', maxFailureRatio: 0 });
    const none = load('      replicas: 3');
    expect(none.r.ok && none.r.desired.services[0]!.update).toBeUndefined();
  });

  test('every key is read; rollback_config is used with failure_action rollback (its defaults when absent)', () => {
    const { r, warnings } = load('      update_config: { parallelism: 2, delay: 1s, order: start-first, monitor: 500ms, failure_action: rollback, max_failure_ratio: 0.25 }\n      rollback_config: { parallelism: 0, order: start-first, monitor: 2s, failure_action: continue }');
    expect(warnings).toEqual([]);
    const s = r.ok ? r.desired.services[0]! : undefined;
    expect(s?.update).toEqual({ parallelism: 2, delayMs: 1000, order: 'start-first', monitorMs: 500, failureAction: 'rollback', maxFailureRatio: 0.25 });
    expect(s?.rollback).toEqual({ parallelism: 0, delayMs: 0, order: 'start-first', monitorMs: 2000, failureAction: 'continue', maxFailureRatio: 0 });
    const defaults = load('      update_config: { failure_action: rollback }');
    expect(defaults.r.ok && defaults.r.desired.services[0]!.rollback?.monitorMs).toBe(5000);
  });

  test('bad values are errors at the value', () => {
    const { errors } = load('      update_config: { parallelism: -1, delay: soon, max_failure_ratio: 2 }');
    expect(errors).toEqual(['9:37 parallelism must be a whole number ≥ 0 (got -1)', '9:48 invalid duration "soon"', '9:73 max_failure_ratio must be a number from 0 to 1 (got 2)']);
    // swarmkit never rolls back a rollback (updater.go): the schema allows pause or continue only.
    expect(load('      update_config: { failure_action: rollback }\n      rollback_config: { failure_action: rollback }').errors).toEqual(['10:42 services.web.deploy.rollback_config.failure_action must be one of continue, pause (got "rollback")']);
  });

  test('rollback_config without failure_action rollback is named as unused', () => {
    const { warnings } = load('      update_config: { parallelism: 1 }\n      rollback_config: { parallelism: 1 }');
    expect(warnings).toEqual(['10:24 rollback_config is used only when update_config.failure_action is rollback: it is ignored here']);
  });

  test('mode: swarm: every key goes to the swarm as written (UpdateConfig, RollbackConfig; durations in ns)', () => {
    const { r, warnings } = load('      update_config: { parallelism: 2, monitor: 5s, max_failure_ratio: 0.2, failure_action: rollback }\n      rollback_config: { parallelism: 1, monitor: 1s }', '\n    mode: swarm');
    expect(warnings).toEqual([]);
    const s = r.ok ? r.desired.services[0]! : undefined;
    expect(s?.update).toBeUndefined(); // the swarm rolls it, not cluster
    expect(s?.swarm?.update).toEqual({ parallelism: 2, monitorMs: 5000, maxFailureRatio: 0.2, failureAction: 'rollback' });
    expect(s?.swarm?.rollback).toEqual({ parallelism: 1, monitorMs: 1000 });
    const engine = toSwarmServiceSpec({ name: 't_web', spec: s!.spec, swarm: s!.swarm!, replicas: 3, labels: {} });
    expect(engine.UpdateConfig).toEqual({ Parallelism: 2, Monitor: 5e9, MaxFailureRatio: 0.2, FailureAction: 'rollback' });
    expect(engine.RollbackConfig).toEqual({ Parallelism: 1, Monitor: 1e9 });
  });
});
