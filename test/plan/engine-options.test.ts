// A machine's `engine:` options are state: written in the manifest, recorded by the driver as what its
// engine took, diffed, and applied by a reload or a restart following dockerd's own rule (moby
// v20.10.24 daemon/reload.go Daemon.Reload and daemon/reload_unix.go reloadPlatform: the keys reloaded
// on SIGHUP, each only when the new file sets it, `conf.IsValueSet`).
import { describe, expect, test } from 'vitest';
import { engineChangeNeeds, engineChanges } from '../../src/model/engine-options.js';
import type { Observed } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { savePlan, verifySavedPlan } from '../../src/plan/saved.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, running, service } from '../support/build.js';
import { loadText } from '../support/manifest.js';

const w1 = (engine?: Record<string, unknown>) => machine('w1', { driver: 'docker', cpus: undefined, memory: undefined, ...(engine ? { engine } : {}) });
const made = (engine: Record<string, unknown>, pending = false): Observed => ({
  cluster: 'demo',
  machines: [running('w1', {}, { driver: 'docker', spec: { image: 'docker:dind', engine, ...(pending ? { enginePending: true as const } : {}) } })],
});
const planOf = (d: ReturnType<typeof desired>, o: Observed) => makePlan(d, o, place(d, o));

describe('engine options in the plan', () => {
  test('a reloadable key set: one engine.options action, reload, the values in the text', () => {
    const plan = planOf(desired([w1({ 'insecure-registries': ['10.200.1.1:5000'] })], []), made({}));
    expect(plan.actions).toMatchObject([{ kind: 'engine.options', machine: 'w1', restart: false, options: { 'insecure-registries': ['10.200.1.1:5000'] } }]);
    const text = renderPlanText(plan);
    expect(text).toContain('~   machine w1: engine insecure-registries [] → [10.200.1.1:5000] (reload)');
    expect(text).toContain('0 to add, 1 to change, 0 to destroy');
  });

  test('a key dockerd reads only at start (storage-driver, log-driver, default-address-pools) restarts the engine', () => {
    for (const [key, value] of [['storage-driver', 'vfs'], ['log-driver', 'local'], ['default-address-pools', [{ base: '10.99.0.0/16', size: 24 }]]] as const) {
      const plan = planOf(desired([w1({ [key]: value })], []), made({}));
      expect(plan.actions).toMatchObject([{ kind: 'engine.options', restart: true }]);
      expect(renderPlanText(plan)).toContain('(restart: its containers stop and start again)');
    }
  });

  test('restarts go one machine at a time (a swarm keeps its quorum, not every container stops at once); reloads do not wait', () => {
    const m = (name: string, engine: Record<string, unknown>) => machine(name, { driver: 'docker', role: 'manager', cpus: undefined, memory: undefined, engine });
    const seen = (name: string) => running(name, {}, { driver: 'docker', spec: { image: 'docker:dind', engine: {} } });
    const d = desired([m('m1', { 'log-level': 'warn' }), m('m2', { 'log-level': 'warn' }), m('m3', { debug: true }), m('m4', { 'log-level': 'warn' })], []);
    const plan = planOf(d, { cluster: 'demo', machines: ['m1', 'm2', 'm3', 'm4'].map(seen) });
    const after = Object.fromEntries(plan.actions.filter((a) => a.kind === 'engine.options').map((a) => [a.machine, a.after]));
    expect(after).toEqual({ m1: [], m2: ['engine.options:m1'], m3: [], m4: ['engine.options:m2'] });
  });

  test('a reloadable key taken out needs a restart: a reload keeps the value the file no longer sets', () => {
    const changes = engineChanges({ debug: true, 'registry-mirrors': ['http://m:5000'] }, { debug: true });
    expect(changes).toEqual([{ key: 'registry-mirrors', before: ['http://m:5000'], after: undefined }]);
    expect(engineChangeNeeds(changes)).toBe('restart');
    expect(engineChangeNeeds(engineChanges({ 'registry-mirrors': ['http://m:5000'] }, { 'registry-mirrors': [] }))).toBe('reload');
    // One start-only key among reloadable ones: the whole change is a restart.
    expect(engineChangeNeeds(engineChanges({}, { debug: true, 'log-level': 'warn' }))).toBe('restart');
  });

  test('the same options in another key order plan nothing; options the engine never took are planned again', () => {
    const o = made({ 'log-opts': { 'max-size': '10m', 'max-file': '3' }, debug: true });
    expect(planOf(desired([w1({ debug: true, 'log-opts': { 'max-file': '3', 'max-size': '10m' } })], []), o).actions).toEqual([]);
    const pending = planOf(desired([w1({ debug: true })], []), made({ debug: true }, true));
    expect(pending.actions).toMatchObject([{ kind: 'engine.options', restart: true, reason: expect.stringContaining('not taken') }]);
  });

  test('work on the machine waits for its engine; a saved plan with the action checks out', () => {
    const d = desired([w1({ 'insecure-registries': ['10.200.1.1:5000'] })], [service('web', { scale: 1 })]);
    const plan = planOf(d, made({}));
    const options = plan.actions.find((a) => a.kind === 'engine.options')!;
    const image = plan.actions.find((a) => a.kind === 'image.ensure' || a.kind === 'container.create')!;
    expect(image.after).toContain(options.id);
    const saved = savePlan({ desired: d, observed: made({}), compose: [], profiles: [], choices: { strategy: null, seed: null, target: [] } }, plan);
    expect(verifySavedPlan(JSON.parse(JSON.stringify(saved)))).toMatchObject({ ok: true });
  });

  test('generic and sim machines do not set engine options: the plan says so by key, and plans nothing', () => {
    const generic = machine('h1', { driver: 'generic', engine: { debug: true }, options: { url: 'tcp://h:2376' } });
    const plan = planOf(desired([generic], []), { cluster: 'demo', machines: [running('h1', {}, { driver: 'generic' })] });
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toEqual(['h1: the generic driver does not set engine options (debug); set them in that engine’s own daemon.json']);
    // A sim machine still to be made: said before it exists too; a docker one gets them at create.
    const sim = planOf(desired([machine('s1', { engine: { 'log-driver': 'local' } })], []), { cluster: 'demo', machines: [] });
    expect(sim.warnings).toEqual(['s1: the sim driver does not set engine options (log-driver)']);
    expect(planOf(desired([w1({ debug: true })], []), { cluster: 'demo', machines: [] }).warnings).toEqual([]);
  });
});

describe('engine options on ssh machines', () => {
  test('the ssh driver writes its hosts\' daemon.json: options are planned against what its engine took, not warned about', () => {
    const h1 = machine('h1', { driver: 'ssh', cpus: undefined, memory: undefined, engine: { debug: true }, options: { host: '10.0.0.5' } });
    const seen = (engine: Record<string, unknown>) => ({ cluster: 'demo', machines: [running('h1', {}, { driver: 'ssh', spec: { engine } })] });
    const plan = planOf(desired([h1], []), seen({}));
    expect(plan.warnings).toEqual([]);
    expect(plan.actions).toMatchObject([{ kind: 'engine.options', machine: 'h1', restart: false, options: { debug: true } }]);
    expect(planOf(desired([h1], []), seen({ debug: true })).actions).toEqual([]);
    // A host still to be provisioned gets them in its first daemon.json: nothing planned, nothing said.
    expect(planOf(desired([h1], []), { cluster: 'demo', machines: [] }).warnings).toEqual([]);
  });

  test('the TLS keys are the driver\'s (it serves the engine with the cluster CA\'s certificates): an error where written', () => {
    const r = loadText(`name: demo\nmachines:\n  h1:\n    driver: ssh\n    host: 10.0.0.5\n    engine:\n      tlsverify: false\n`);
    expect(!r.ok && r.diagnostics[0]).toMatchObject({ line: 7, col: 7, message: '`engine: tlsverify` is set by the machine\'s driver', hint: expect.stringContaining('TLS with the cluster CA') });
  });
});

describe('engine options in the manifest', () => {
  const withEngine = (body: string) => loadText(`name: demo\nmachines:\n  w1:\n    engine:\n${body}`);

  test('daemon.json keys are read, sorted, into the machine', () => {
    const r = withEngine(`      registry-mirrors: [http://10.0.0.1:5000]\n      insecure-registries: [10.200.1.1:5000]\n      log-opts: { max-size: 10m }\n`);
    expect(r.ok && r.desired.machines[0]!.engine).toEqual({ 'insecure-registries': ['10.200.1.1:5000'], 'log-opts': { 'max-size': '10m' }, 'registry-mirrors': ['http://10.0.0.1:5000'] });
  });

  test('an unknown key is an error at its line and column, with the key it resembles', () => {
    const r = withEngine(`      debug: true\n      insecure-registry: [10.200.1.1:5000]\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toMatchObject([{ line: 6, col: 7, message: 'unknown key `insecure-registry` in machines.w1.engine', hint: 'did you mean `insecure-registries`?' }]);
  });

  test('a value of the wrong type, and a key the driver sets itself, are errors where they are written', () => {
    const bad = withEngine(`      insecure-registries: 10.200.1.1:5000\n`);
    expect(!bad.ok && bad.diagnostics[0]).toMatchObject({ line: 5, message: expect.stringContaining('must be a list') });
    const reserved = withEngine(`      labels: [a=b]\n`);
    expect(!reserved.ok && reserved.diagnostics[0]).toMatchObject({ line: 5, col: 7, message: '`engine: labels` is set by the machine\'s driver', hint: 'put engine labels under the machine’s `labels:`' });
  });
});
