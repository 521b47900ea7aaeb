// Live progress on a terminal: a bar with settled/total, percentage and ETA, one line per running
// action with a spinner, its elapsed time and its retries, the tally, and finished lines above
// (failures and retries always). Fed by the same WalkEvents as the plain renderer; drawn on stderr so
// stdout stays clean.
//
// The state lives outside React (src/ui/progress-state.ts, pure) and each frame is a synchronous
// rerender (ink's legacy root): React never holds back an update, so the last frame — drawn from the
// walk's result when it ends, before unmounting — shows what the summary says. (It used setState,
// whose last update could still be pending at unmount: "599 done · 1 running" above "600 actions".)
import { Box, Static, Text, render } from 'ink';
import Spinner from 'ink-spinner';
import { describeAction } from '../plan/render-text.js';
import type { WalkEvent, WalkResult } from '../reconcile/walk.js';
import { finalProgressLine, finalTally, formatMs, initialProgress, monotonic, progressLine, reduce, tallyLine, tallyOf, type Clock, type ProgressState } from './progress-state.js';

const TONE = { ok: 'green', failed: 'red', retry: 'yellow' } as const;

/** One frame. `result` given: the last frame, counted from the walk's result (the summary's numbers). */
export function Progress({ state, now, result }: { state: ProgressState; now: number; result?: WalkResult }) {
  const unlisted = state.unlisted ? `${state.unlisted} finished action${state.unlisted === 1 ? '' : 's'} not listed (the summary names every failure)` : '';
  return (
    <Box flexDirection="column">
      <Static items={state.finished}>{(f) => <Text key={f.key} color={TONE[f.tone]}>{f.text}</Text>}</Static>
      {!result &&
        [...state.running.values()].map(({ action, since, retries, lastError }) => (
          <Text key={action.id}>
            <Text color="cyan">
              <Spinner type="dots" />
            </Text>{' '}
            {describeAction(action)} <Text dimColor>{formatMs(Math.max(0, now - since))}</Text>
            {retries > 0 && <Text color="yellow"> (retry {retries}: {lastError})</Text>}
          </Text>
        ))}
      {result && unlisted && <Text dimColor>{unlisted}</Text>}
      <Text>{result ? finalProgressLine(state.total, result, state.retries) : progressLine(state, now)}</Text>
      <Text bold>{tallyLine(result ? finalTally(result) : tallyOf(state))}</Text>
    </Box>
  );
}

/** How often the view redraws (elapsed times, spinner, bar): events only change the state in between. */
const FRAME_MS = 100;

/** Starts the live view; returns the event sink and `stop`, which draws the last frame (from the walk's result when given) and unmounts. */
export function inkProgress(total: number, clock: Clock = monotonic): { onEvent: (e: WalkEvent) => void; stop: (result?: WalkResult) => void } {
  let state = initialProgress(total, clock());
  let dirty = false;
  const frame = (result?: WalkResult) => <Progress state={state} now={clock()} result={result} />;
  const app = render(frame(), { stdout: process.stderr, patchConsole: false });
  const timer = setInterval(() => {
    app.rerender(frame());
    dirty = false;
  }, FRAME_MS);
  timer.unref();
  return {
    onEvent: (e) => {
      state = reduce(state, e, clock());
      dirty = true;
    },
    stop: (result) => {
      clearInterval(timer);
      if (dirty || result) app.rerender(frame(result));
      app.unmount();
    },
  };
}
