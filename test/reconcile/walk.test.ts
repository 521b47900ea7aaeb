import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import type { Action } from '../../src/plan/types.js';
import { walk, type WalkEvent, type WalkOptions } from '../../src/reconcile/walk.js';

const opts: WalkOptions = { parallelism: 10, perMachine: 10, retries: 3, minRetryDelayMs: 1, actionTimeoutMs: 5_000 };

function act(id: string, after: string[] = [], machine = 'm1'): Action {
  return { id, kind: 'machine.start', machine, after, cause: 'stopped' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('walk', () => {
  test('an action starts only after everything it waits for has finished', async () => {
    const finished = new Set<string>();
    const violations: string[] = [];
    const actions = [act('a'), act('b', ['a']), act('c', ['a']), act('d', ['b', 'c'])];
    const r = await walk(
      actions,
      async (a) => {
        for (const d of a.after) if (!finished.has(d)) violations.push(`${a.id} before ${d}`);
        await sleep(5);
        finished.add(a.id);
      },
      opts,
    );
    expect(violations).toEqual([]);
    expect(r.done.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  test('independent actions run concurrently up to the parallelism limit', async () => {
    let running = 0;
    let peak = 0;
    const actions = Array.from({ length: 12 }, (_, i) => act(`x${i}`, [], `m${i}`));
    await walk(
      actions,
      async () => {
        peak = Math.max(peak, ++running);
        await sleep(20);
        running--;
      },
      { ...opts, parallelism: 4 },
    );
    expect(peak).toBe(4);
  });

  test('the per-machine limit holds even when the global one is higher', async () => {
    const running = new Map<string, number>();
    let peak = 0;
    const actions = Array.from({ length: 8 }, (_, i) => act(`y${i}`, [], 'same'));
    await walk(
      actions,
      async (a) => {
        const m = (a as { machine: string }).machine;
        running.set(m, (running.get(m) ?? 0) + 1);
        peak = Math.max(peak, running.get(m)!);
        await sleep(10);
        running.set(m, running.get(m)! - 1);
      },
      { ...opts, parallelism: 10, perMachine: 2 },
    );
    expect(peak).toBe(2);
  });

  test('a failure skips only its dependents; independent work still finishes; root cause reported once', async () => {
    const events: WalkEvent[] = [];
    const actions = [act('bad'), act('child', ['bad']), act('grandchild', ['child']), act('other'), act('after-other', ['other'])];
    const r = await walk(
      actions,
      async (a) => {
        if (a.id === 'bad') throw new Error('no such image');
      },
      { ...opts, onEvent: (e) => events.push(e) },
    );
    expect(r.failed).toEqual([{ id: 'bad', error: 'no such image' }]);
    expect(r.skipped.map((s) => s.id).sort()).toEqual(['child', 'grandchild']);
    expect(r.skipped.every((s) => s.because === 'bad')).toBe(true);
    expect(r.done.sort()).toEqual(['after-other', 'other']);
    expect(events.filter((e) => e.type === 'failed')).toHaveLength(1);
  });

  test('transient errors are retried; permanent ones are not', async () => {
    const calls = new Map<string, number>();
    const actions = [act('flaky'), act('broken')];
    const r = await walk(
      actions,
      async (a) => {
        const n = (calls.get(a.id) ?? 0) + 1;
        calls.set(a.id, n);
        if (a.id === 'flaky' && n < 3) throw new EngineError('unavailable', 'simulated fault');
        if (a.id === 'broken') throw new EngineError('conflict', 'conflict', { status: 409 });
      },
      opts,
    );
    expect(calls.get('flaky')).toBe(3);
    expect(calls.get('broken')).toBe(1);
    expect(r.done).toEqual(['flaky']);
    expect(r.failed.map((f) => f.id)).toEqual(['broken']);
  });

  test('gives up on a transient error after the retry bound', async () => {
    let calls = 0;
    const r = await walk([act('never')], async () => {
      calls++;
      throw new EngineError('unavailable', 'still down');
    }, { ...opts, retries: 2 });
    expect(calls).toBe(3);
    expect(r.failed[0]?.error).toBe('still down');
  });

  test('cancellation: nothing new starts, running actions finish', async () => {
    const abort = new AbortController();
    const started: string[] = [];
    const actions = [act('first'), act('second', ['first']), act('third', ['second'])];
    const r = await walk(
      actions,
      async (a) => {
        started.push(a.id);
        if (a.id === 'first') abort.abort();
        await sleep(5);
      },
      { ...opts, signal: abort.signal },
    );
    expect(started).toEqual(['first']);
    expect(r.done).toEqual(['first']);
    expect(r.notStarted.sort()).toEqual(['second', 'third']);
    expect(r.failed).toEqual([]);
  });

  test('cancellation: actions queued behind the parallelism limit never call run(), and are reported not started', async () => {
    const abort = new AbortController();
    const ran: string[] = [];
    const stopping: string[][] = [];
    // 1 slot, 6 independent actions: one runs, five wait in the queue when the signal comes.
    const actions = Array.from({ length: 6 }, (_, i) => act(`q${i}`, [], `m${i}`));
    const r = await walk(
      actions,
      async (a) => {
        ran.push(a.id);
        if (a.id === 'q0') abort.abort();
        await sleep(20);
      },
      { ...opts, parallelism: 1, signal: abort.signal, onStopping: (running) => stopping.push(running.map((a) => a.id)) },
    );
    expect(ran).toEqual(['q0']);
    expect(r.done).toEqual(['q0']);
    expect(r.notStarted.sort()).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    expect(stopping).toEqual([['q0']]);
  });

  test('cancellation: a running action that outlasts the grace period is reported abandoned; the walk returns', async () => {
    const abort = new AbortController();
    const events: WalkEvent[] = [];
    const t0 = performance.now();
    const r = await walk(
      [act('slow'), act('after-slow', ['slow'])],
      async () => {
        abort.abort();
        await sleep(400);
      },
      { ...opts, signal: abort.signal, graceMs: 50, onEvent: (e) => events.push(e) },
    );
    expect(performance.now() - t0).toBeLessThan(350);
    expect(r.abandoned).toEqual(['slow']);
    expect(r.done).toEqual([]);
    expect(r.notStarted).toEqual(['after-slow']);
    await sleep(500); // its late outcome is not reported after the walk returned
    expect(events.map((e) => e.type)).toEqual(['start']);
  });

  test('a signal aborted before the walk: nothing runs, everything is not started', async () => {
    const abort = new AbortController();
    abort.abort();
    let calls = 0;
    const r = await walk([act('a'), act('b', ['a'])], async () => void calls++, { ...opts, signal: abort.signal });
    expect(calls).toBe(0);
    expect(r.notStarted.sort()).toEqual(['a', 'b']);
  });

  test('an action that hangs fails at its time limit instead of hanging the apply', async () => {
    const r = await walk([act('hang'), act('fine')], async (a) => {
      if (a.id === 'hang') await sleep(10_000);
    }, { ...opts, actionTimeoutMs: 50 });
    expect(r.failed[0]?.error).toMatch(/did not finish within/);
    expect(r.done).toEqual(['fine']);
  });

  test('a plan that repeats an action id is refused before anything runs (it could never finish)', async () => {
    const ran: string[] = [];
    await expect(walk([act('a'), act('b'), act('a')], async (a) => void ran.push(a.id), opts)).rejects.toThrow(/repeats an action id \(a\)/);
    expect(ran).toEqual([]);
  });
});
