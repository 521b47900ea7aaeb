// Machine specs are state: the size a machine was made with (its driver's record) against the manifest's.
import { describe, expect, test } from 'vitest';
import type { Observed } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { checkSavedPlan, savePlan, verifySavedPlan } from '../../src/plan/saved.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, running, service, spec } from '../support/build.js';

const GiB = 1024 ** 3;
const docker = (over: Parameters<typeof machine>[1] = {}) => machine('worker-1', { driver: 'docker', cpus: 4, memory: 8 * GiB, ...over });
// A docker machine made with 1 cpu and 1 GiB on a host whose engine reports 2 cpus and 2 GiB (a nested engine reports its host's).
const madeSmall = (specOver: Record<string, unknown> = {}): Observed => ({
  cluster: 'demo',
  machines: [running('worker-1', {}, { driver: 'docker', spec: { cpus: 1, memory: GiB, image: 'docker:dind', ...specOver } })],
});

function planOf(d: ReturnType<typeof desired>, o: Observed) {
  return makePlan(d, o, place(d, o));
}

describe('machine specs', () => {
  test('a bigger size in the manifest is a resize in place, with a patch and the figures in the text', () => {
    const plan = planOf(desired([docker()], []), madeSmall());
    expect(plan.actions).toEqual([
      {
        id: 'machine.resize:worker-1',
        kind: 'machine.resize',
        machine: 'worker-1',
        after: [],
        cause: 'spec-changed',
        reason: 'cpus 1 → 4, memory 1 GiB → 8 GiB',
        patch: [
          { op: 'test', path: '/memory', value: GiB },
          { op: 'replace', path: '/memory', value: 8 * GiB },
          { op: 'test', path: '/cpus', value: 1 },
          { op: 'replace', path: '/cpus', value: 4 },
        ],
      },
    ]);
    const text = renderPlanText(plan);
    expect(text).toContain('~   machine worker-1: cpus 1 → 4, memory 1 GiB → 8 GiB');
    expect(text).toContain('0 to add, 1 to change, 0 to destroy');
  });

  test('the same size plans nothing; a machine of an unrecording driver (generic) is not compared', () => {
    expect(planOf(desired([docker({ cpus: 1, memory: GiB })], []), madeSmall()).actions).toEqual([]);
    const generic = machine('worker-1', { driver: 'generic', cpus: 4, options: { url: 'tcp://h:2376' } });
    const seen: Observed = { cluster: 'demo', machines: [running('worker-1', {}, { driver: 'generic' })] };
    expect(planOf(desired([generic], []), seen).actions.filter((a) => a.kind === 'machine.resize')).toEqual([]);
  });

  test('a generic machine declaring more than its engine has: a warning, and placement against the engine', () => {
    const generic = machine('host1', { driver: 'generic', cpus: 8, memory: GiB, options: { url: 'tcp://h:2376' } });
    const seen: Observed = { cluster: 'demo', machines: [running('host1', { cpus: 2, memory: 2 * GiB }, { driver: 'generic' })] };
    const d = desired([generic], [service('web', { scale: 3, spec: spec({ reservations: { cpus: 1, memory: 0 } }) })]);
    const plan = planOf(d, seen);
    expect(plan.warnings).toEqual(["host1: declares cpus 8 but its engine has 2; the generic driver cannot change a host's size, so replicas are placed against 2"]);
    expect(Object.values(plan.placements.web ?? {}).flat()).toEqual([1, 2]);
  });

  test('a limit added to an unlimited machine is a resize from "unlimited"', () => {
    const plan = planOf(desired([docker({ cpus: 2, memory: undefined })], []), madeSmall({ cpus: undefined, memory: undefined }));
    expect(plan.actions.map((a) => a.reason)).toEqual(['cpus unlimited → 2']);
  });

  test('lifting a limit cannot be done in place: a warning names the machine and the way; another node image replaces the machine', () => {
    const lifted = planOf(desired([docker({ cpus: undefined, memory: undefined })], []), madeSmall());
    expect(lifted.actions).toEqual([]);
    expect(lifted.warnings).toEqual([expect.stringMatching(/^worker-1: removing its cpus and memory limit cannot be done in place .*recreate the machine/)]);
    const image = planOf(desired([docker({ cpus: 1, memory: GiB, options: { image: 'docker:27-dind' } })], []), madeSmall());
    // Re-created by machine.replace (test/plan/availability.test.ts has its order and protection).
    expect(image.actions.map((a) => a.id)).toEqual(['machine.replace:worker-1']);
    expect(image.warnings).toEqual([]);
  });

  test('a sim machine without a declared size has the sim default (2 cpus, 2 GiB): no change; resizing one is planned', () => {
    const o: Observed = { cluster: 'demo', machines: [running('s1', {}, { spec: { cpus: 2, memory: 2 * GiB } })] };
    expect(planOf(desired([machine('s1', { cpus: undefined, memory: undefined })], []), o).actions).toEqual([]);
    expect(planOf(desired([machine('s1', { cpus: 8 })], []), o).actions.map((a) => a.reason)).toEqual(['cpus 2 → 8']);
  });

  test('the scheduler places against the recorded size until the resize has run, not the manifest', () => {
    // 3 replicas of 1 cpu each: the manifest says 4 cpus, the machine has 1.
    const d = desired([docker()], [service('web', { scale: 3, spec: spec({ reservations: { cpus: 1, memory: 0 } }) })]);
    const before = place(d, madeSmall());
    expect(before.replicas.map((r) => r.replica)).toEqual([1]);
    expect(before.unschedulable.length).toBeGreaterThan(0);
    const after = place(d, madeSmall({ cpus: 4, memory: 8 * GiB }));
    expect(after.replicas.map((r) => r.replica)).toEqual([1, 2, 3]);
  });

  test('a pending shrink counts at once: replicas are never placed on room the resize takes away', () => {
    const d = desired([docker({ cpus: 1 })], [service('web', { scale: 3, spec: spec({ reservations: { cpus: 1, memory: 0 } }) })]);
    expect(place(d, madeSmall({ cpus: 4 })).replicas.map((r) => r.replica)).toEqual([1]);
    // Unlimited (recorded without cpus): the engine's report (2 cpus here), and the declared limit below it.
    expect(place(d, madeSmall({ cpus: undefined })).replicas.map((r) => r.replica)).toEqual([1]);
    expect(place(desired([docker({ cpus: undefined })], d.services), madeSmall({ cpus: undefined })).replicas.map((r) => r.replica)).toEqual([1, 2]);
  });

  test('a plan that resizes and cannot place everything says to plan again after the resize', () => {
    const d = desired([docker()], [service('web', { scale: 3, spec: spec({ reservations: { cpus: 1, memory: 0 } }) })]);
    expect(planOf(d, madeSmall()).warnings).toContain('replicas were placed against the present size of worker-1: once the resize has run, plan or apply again to place the rest');
  });

  test('a saved plan with a resize is well-formed, and stale once the machine was resized', () => {
    const d = desired([docker()], []);
    const choices = { strategy: null, seed: null, target: [] };
    const saved = savePlan({ desired: d, observed: madeSmall(), compose: [], profiles: [], choices }, planOf(d, madeSmall()));
    expect(verifySavedPlan(JSON.parse(JSON.stringify(saved)))).toMatchObject({ ok: true });
    expect(checkSavedPlan(saved, d, madeSmall())).toEqual({ stale: false });
    expect(checkSavedPlan(saved, d, madeSmall({ cpus: 4, memory: 8 * GiB }))).toMatchObject({ stale: true });
  });
});
