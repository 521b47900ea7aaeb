// Live progress on a terminal: one line per running action with a spinner and elapsed time, a
// running tally, failures inline. Fed by the same WalkEvents as the plain renderer; drawn on stderr
// so stdout stays clean.
import { Box, Static, Text, render } from 'ink';
import Spinner from 'ink-spinner';
import { useEffect, useState } from 'react';
import type { Action } from '../plan/types.js';
import { describeAction } from '../plan/render-text.js';
import type { WalkEvent } from '../reconcile/walk.js';
import { formatMs } from './progress-plain.js';

interface Finished {
  id: string;
  text: string;
  ok: boolean;
}

export interface ProgressState {
  total: number;
  running: Map<string, { action: Action; since: number }>;
  finished: Finished[];
  done: number;
  failed: number;
  skipped: number;
}

export function reduce(state: ProgressState, e: WalkEvent, now: number): ProgressState {
  const running = new Map(state.running);
  const what = describeAction(e.action);
  switch (e.type) {
    case 'start':
      running.set(e.action.id, { action: e.action, since: now });
      return { ...state, running };
    case 'retry':
      return state;
    case 'done':
      running.delete(e.action.id);
      return { ...state, running, done: state.done + 1, finished: [...state.finished, { id: e.action.id, text: `✓ ${what} (${formatMs(e.ms)})`, ok: true }] };
    case 'failed':
      running.delete(e.action.id);
      return { ...state, running, failed: state.failed + 1, finished: [...state.finished, { id: e.action.id, text: `✗ ${what}: ${e.error}`, ok: false }] };
    case 'skipped':
      return { ...state, skipped: state.skipped + 1, finished: [...state.finished, { id: e.action.id, text: `- ${what}: skipped (${e.because} failed)`, ok: false }] };
  }
}

export function Progress({ state, now }: { state: ProgressState; now: number }) {
  const pending = state.total - state.done - state.failed - state.skipped - state.running.size;
  return (
    <Box flexDirection="column">
      <Static items={state.finished}>{(f) => <Text key={f.id} color={f.ok ? 'green' : 'red'}>{f.text}</Text>}</Static>
      {[...state.running.values()].map(({ action, since }) => (
        <Text key={action.id}>
          <Text color="cyan">
            <Spinner type="dots" />
          </Text>{' '}
          {describeAction(action)} <Text dimColor>{formatMs(now - since)}</Text>
        </Text>
      ))}
      <Text bold>
        {state.done} done · {state.failed} failed · {state.skipped} skipped · {state.running.size} running · {pending} pending
      </Text>
    </Box>
  );
}

function Live({ subscribe, total }: { subscribe: (fn: (e: WalkEvent) => void) => void; total: number }) {
  const [state, setState] = useState<ProgressState>({ total, running: new Map(), finished: [], done: 0, failed: 0, skipped: 0 });
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    subscribe((e) => setState((s) => reduce(s, e, Date.now())));
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, []);
  return <Progress state={state} now={now} />;
}

/** Starts the live view; returns the event sink and a function that draws the last frame and stops. */
export function inkProgress(total: number): { onEvent: (e: WalkEvent) => void; stop: () => void } {
  let sink: ((e: WalkEvent) => void) | undefined;
  const queued: WalkEvent[] = [];
  const app = render(<Live total={total} subscribe={(fn) => ((sink = fn), queued.splice(0).forEach(fn))} />, { stdout: process.stderr, patchConsole: false });
  return {
    onEvent: (e) => (sink === undefined ? queued.push(e) : sink(e)),
    stop: () => {
      app.unmount();
    },
  };
}
