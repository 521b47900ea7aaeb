// A swarm service counts as done only once its tasks have stayed converged for the monitor period, as the
// docker CLI waits ("Waiting N seconds to verify that tasks are stable", docker/cli
// cli/command/service/progress/progress.go ServiceProgress: a check that fails meanwhile starts the wait
// over). The engine here answers a scripted sequence of task counts: what a swarm manager answered in the
// flaky run (converged, then a fourth task of three running for a moment, then converged again).
import { describe, expect, it } from 'vitest';
import type { Engine, SwarmServiceTasks } from '../../src/engine/types.js';
import { untilTasksRun } from '../../src/reconcile/conditions.js';

const ok: SwarmServiceTasks = { desired: 3, running: 3, upToDate: 3 };
const extra: SwarmServiceTasks = { desired: 3, running: 4, upToDate: 4 };

/** An engine whose serviceTasks answers `answers` in turn (the last one for ever), recording when it was asked. */
function scripted(answers: SwarmServiceTasks[]) {
  const asked: number[] = [];
  const engine = {
    serviceTasks: async () => {
      asked.push(Date.now());
      return answers[Math.min(asked.length - 1, answers.length - 1)]!;
    },
  } as unknown as Engine;
  return { engine, asked };
}

describe('untilTasksRun: converged for the whole monitor period', () => {
  it('does not return at the first converged answer: it keeps asking until the tasks stayed so for the monitor', async () => {
    const { engine, asked } = scripted([ok]);
    await untilTasksRun(engine, 'api', 'id', { monitorMs: 60, pollMs: 10 });
    expect(asked.length).toBeGreaterThan(1);
    expect(asked.at(-1)! - asked[0]!).toBeGreaterThanOrEqual(60);
  });

  it('a task too many during the window starts the wait over', async () => {
    const { engine, asked } = scripted([ok, ok, extra, ok]);
    await untilTasksRun(engine, 'api', 'id', { monitorMs: 60, pollMs: 10 });
    // The last answer before returning is at least the monitor after the 4th (the first converged one after the extra task).
    expect(asked.length).toBeGreaterThan(4);
    expect(asked.at(-1)! - asked[3]!).toBeGreaterThanOrEqual(60);
  });

  it('never stable within the timeout: an error that says it converged but not for the monitor', async () => {
    const { engine } = scripted([ok, extra, ok, extra, ok, extra, ok, extra, ok, extra, ok, extra, ok, extra]);
    await expect(untilTasksRun(engine, 'api', 'id', { monitorMs: 1_000, pollMs: 10, timeoutMs: 100 })).rejects.toThrow(/swarm service api: .* after 0.1 s/);
  });

  it('a rollout the swarm paused during the window fails at once', async () => {
    const paused: SwarmServiceTasks = { ...ok, rollout: { state: 'paused', message: 'update paused due to failure', startedAt: new Date().toISOString() } };
    const { engine } = scripted([ok, paused]);
    await expect(untilTasksRun(engine, 'api', 'id', { monitorMs: 5_000, pollMs: 10 })).rejects.toThrow(/rollout is paused \(update paused due to failure\)/);
  });
});
