// A hand-made container that copies a replica's ownership labels (issue 13, F10) must not win over
// the real replica: replicas are recognised by their deterministic name `<cluster>-<service>-<n>`
// first (src/model/naming.ts); the lookalike is reported in the plan and never removed or adopted.
import { describe, expect, test } from 'vitest';
import { makePlan } from '../../src/plan/index.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service } from '../support/build.js';

const want = desired([machine('m1'), machine('m2')], [service('web', { scale: 3 })]);
const real = (n: number) => owned('web', n);
const impostor = owned('web', 3, 'hash-web', { id: 'id-impostor', name: 'advs-impostor' });

describe('lookalikes of a replica', () => {
  for (const [label, m1, m2] of [
    ['the impostor seen first', [impostor, real(1)], [real(2), real(3)]],
    ['the impostor seen last', [real(1), real(3)], [real(2), impostor]],
  ] as const) {
    test(`${label}: the named replica stays, the impostor is reported and left alone`, () => {
      const observed = { cluster: 'demo', machines: [running('m1', { containers: [...m1] }), running('m2', { containers: [...m2] })] };
      const placement = place(want, observed);
      const plan = makePlan(want, observed, placement);
      expect(plan.actions).toEqual([]);
      expect(placement.lookalikes?.map((l) => l.container.name)).toEqual(['advs-impostor']);
      expect(plan.warnings.join('\n')).toMatch(/container advs-impostor carries the labels of web replica 3 but not its name/);
    });
  }

  test('two containers both named as the replica (one per machine, after a crash) are still duplicates: one goes', () => {
    const observed = { cluster: 'demo', machines: [running('m1', { containers: [real(1), real(3)] }), running('m2', { containers: [real(2), { ...real(3), id: 'id-web-3-again' }] })] };
    const plan = makePlan(want, observed, place(want, observed));
    expect(plan.actions.map((a) => `${a.kind} ${'reason' in a ? a.reason : ''}`)).toEqual(['container.remove duplicate replica']);
  });
});
