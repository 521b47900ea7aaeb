// watch --drift report tells an edit's changes from drift by planning twice on the same observation:
// against the manifest last converged to (drift) and against the edited one. Plans from the real
// planner on sim machines.
import { describe, expect, test } from 'vitest';
import { computePlan } from '../../src/cli/pipeline.js';
import type { Desired } from '../../src/model/desired.js';
import type { Observed, ObservedContainer } from '../../src/model/observed.js';
import { driftKey, leftUncorrected, withoutDrift } from '../../src/plan/drift.js';
import type { Plan } from '../../src/plan/types.js';
import { replicaLabels } from '../../src/reconcile/actions.js';
import { running } from '../support/build.js';
import { desiredOf } from '../support/manifest.js';

const text = (birds: number, fish = 0) =>
  `name: demo\nmachines:\n  m: { driver: sim, count: 2, cpus: 2, memory: 4GiB }\nservices:\n  bird:\n    image: busybox\n    scale: ${birds}\n${fish ? `  fish:\n    image: busybox\n    scale: ${fish}\n` : ''}`;

/** bird's replicas as apply made them, with those in `exited` stopped by hand. */
function cluster(made: Desired, replicas: number[], exited: number[] = []): Observed {
  const s = made.services[0]!;
  const c = (replica: number): ObservedContainer => ({
    id: `c${replica}`,
    name: `demo-bird-${replica}`,
    image: 'busybox:latest',
    state: exited.includes(replica) ? 'exited' : 'running',
    labels: replicaLabels(made, s, replica),
    ports: [],
    reservations: { cpus: 0, memory: 0 },
    owner: { cluster: 'demo', service: 'bird', replica, configHash: s.configHash },
  });
  const images = [{ id: 'i', tags: ['busybox:latest'] }];
  return { cluster: 'demo', machines: [running('m-1', { containers: replicas.filter((r) => r % 2).map(c), images }), running('m-2', { containers: replicas.filter((r) => !(r % 2)).map(c), images })] };
}

const planOf = (d: Desired, o: Observed): Plan => computePlan(d, { observed: o, records: new Map() }).plan;
const ids = (p: Plan) => p.actions.map((a) => a.id).sort();

describe('an edit beside drift', () => {
  const made = desiredOf(text(2));
  const drifted = cluster(made, [1], [1]); // bird 1 stopped, bird 2 removed, by hand

  test('the edit is applied; the drift is left and said', () => {
    const drift = planOf(made, drifted);
    expect(ids(drift)).toEqual(['container.create:bird:2', 'container.start:bird:1']);
    const edit = withoutDrift(planOf(desiredOf(text(2, 1)), drifted), drift);
    expect(ids(edit)).toEqual(['container.create:fish:1']);
    expect(edit.notes).toContain('--drift report: 2 corrections of drift left undone (not applied with this edit)');
    expect(ids(leftUncorrected(drift, edit))).toEqual(ids(drift));
  });

  test('a scale edit adds its replica; the one removed by hand stays removed (same change, other wording)', () => {
    const drift = planOf(made, drifted);
    const edit = withoutDrift(planOf(desiredOf(text(3)), drifted), drift);
    expect(ids(edit)).toEqual(['container.create:bird:3']);
  });

  test('no drift: the edit plan is the plan, untouched', () => {
    const clean = cluster(made, [1, 2]);
    const full = planOf(desiredOf(text(3)), clean);
    expect(withoutDrift(full, planOf(made, clean))).toBe(full);
    expect(driftKey(planOf(made, clean))).toBe('');
  });

  test('the same drift has the same key; another drift another', () => {
    expect(driftKey(planOf(made, drifted))).toBe(driftKey(planOf(made, cluster(made, [1], [1]))));
    expect(driftKey(planOf(made, drifted))).not.toBe(driftKey(planOf(made, cluster(made, [1]))));
  });
});
