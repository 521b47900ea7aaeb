// The live view's model, pure: walk events folded into counts, running actions and finished lines,
// and the text of its tally and bar. Times come from one monotonic clock (performance.now) read by
// the caller: a frame's `now` is read after every event it shows, so no elapsed time is negative
// (the old view stamped events with Date.now() but drew with a `now` up to 100 ms older: `-50 ms`).
import { describeAction } from '../plan/render-text.js';
import type { Action } from '../plan/types.js';
import type { WalkEvent, WalkResult } from '../reconcile/walk.js';

/** Milliseconds from a fixed origin that never goes back (not the wall clock: NTP may step it). */
export type Clock = () => number;
export const monotonic: Clock = () => performance.now();

/** Finished lines kept for the view: above this many actions only failures and retries are listed (the bar counts the rest). */
export const LIST_EVERY_ACTION_UP_TO = 500;
/** Never more lines than this in the view: a 100,000-action walk costs no more than a small one (the summary names every failure). */
export const MAX_LISTED = 1000;

export interface Finished {
  key: string;
  text: string;
  tone: 'ok' | 'failed' | 'retry';
}

export interface Running {
  action: Action;
  since: number;
  /** Failed attempts so far (transient failures the walk retries), and the last one's error. */
  retries: number;
  lastError?: string;
}

export interface ProgressState {
  total: number;
  startedAt: number;
  running: Map<string, Running>;
  finished: Finished[];
  /** Finished lines not listed (see LIST_EVERY_ACTION_UP_TO and MAX_LISTED). */
  unlisted: number;
  done: number;
  failed: number;
  skipped: number;
  retries: number;
}

export function initialProgress(total: number, now: number): ProgressState {
  return { total, startedAt: now, running: new Map(), finished: [], unlisted: 0, done: 0, failed: 0, skipped: 0, retries: 0 };
}

export function reduce(state: ProgressState, e: WalkEvent, now: number): ProgressState {
  const what = describeAction(e.action);
  const id = e.action.id;
  switch (e.type) {
    case 'start': {
      const running = new Map(state.running);
      running.set(id, { action: e.action, since: now, retries: 0 });
      return { ...state, running };
    }
    case 'retry': {
      const running = new Map(state.running);
      const r = running.get(id);
      if (r) running.set(id, { ...r, retries: r.retries + 1, lastError: e.error });
      return listed({ ...state, running, retries: state.retries + 1 }, { key: `${id}#retry${e.attempt}`, text: `↻ ${what}: attempt ${e.attempt} failed (${e.error}); retrying`, tone: 'retry' });
    }
    case 'done': {
      const running = new Map(state.running);
      const retried = running.get(id)?.retries ?? 0;
      running.delete(id);
      const after = retried ? `, after ${retried} ${retried === 1 ? 'retry' : 'retries'}` : '';
      return listed({ ...state, running, done: state.done + 1 }, { key: id, text: `✓ ${what} (${formatMs(e.ms)}${after})`, tone: 'ok' });
    }
    case 'failed': {
      const running = new Map(state.running);
      running.delete(id);
      return listed({ ...state, running, failed: state.failed + 1 }, { key: id, text: `✗ ${what}: ${e.error}`, tone: 'failed' });
    }
    case 'skipped':
      return listed({ ...state, skipped: state.skipped + 1 }, { key: id, text: `- ${what}: skipped (${e.because} failed)`, tone: 'failed' });
  }
}

/** Adds a finished line unless the walk is too big to list it (then it is only counted). */
function listed(state: ProgressState, line: Finished): ProgressState {
  const big = state.total > LIST_EVERY_ACTION_UP_TO;
  const quiet = big && (line.tone === 'ok' || line.text.startsWith('- '));
  if (quiet || state.finished.length >= MAX_LISTED) return { ...state, unlisted: state.unlisted + 1 };
  return { ...state, finished: [...state.finished, line] };
}

export function settledCount(s: Pick<ProgressState, 'done' | 'failed' | 'skipped'>): number {
  return s.done + s.failed + s.skipped;
}

/**
 * Time left at the pace so far: elapsed × remaining / settled. Undefined before anything settled
 * (no pace yet) and once everything has.
 */
export function etaMs(s: ProgressState, now: number): number | undefined {
  const settled = settledCount(s);
  const remaining = s.total - settled;
  if (settled === 0 || remaining <= 0) return undefined;
  return (Math.max(0, now - s.startedAt) * remaining) / settled;
}

/** `[██████░░░░]`: the share of `total` that is `part`, in `width` cells. */
export function bar(part: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.min(width, Math.floor((part / total) * width)) : width;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

export function percent(part: number, total: number): string {
  return `${total > 0 ? Math.floor((part / total) * 100) : 100}%`;
}

export interface Tally {
  done: number;
  failed: number;
  skipped: number;
  running: number;
  pending: number;
}

export function tallyOf(s: ProgressState): Tally {
  return { done: s.done, failed: s.failed, skipped: s.skipped, running: s.running.size, pending: s.total - settledCount(s) - s.running.size };
}

/**
 * The tally of a finished walk, from its result (the numbers the summary prints): what never
 * started is pending, what still ran when the grace period ended is running.
 */
export function finalTally(r: WalkResult): Tally {
  return { done: r.done.length, failed: r.failed.length, skipped: r.skipped.length, running: r.abandoned.length, pending: r.notStarted.length };
}

export function tallyLine(t: Tally): string {
  return `${t.done} done · ${t.failed} failed · ${t.skipped} skipped · ${t.running} running · ${t.pending} pending`;
}

/** The bar line while the walk runs: settled/total, percentage, retries, and the ETA once there is a pace. */
export function progressLine(s: ProgressState, now: number): string {
  const settled = settledCount(s);
  const eta = etaMs(s, now);
  const parts = [`${bar(settled, s.total)} ${settled}/${s.total} ${percent(settled, s.total)}`, `${formatMs(Math.max(0, now - s.startedAt))} elapsed`];
  if (s.retries) parts.push(`${s.retries} ${s.retries === 1 ? 'retry' : 'retries'}`);
  parts.push(eta === undefined ? 'ETA …' : `ETA ${formatMs(eta)}`);
  return parts.join(' · ');
}

/** The bar line of the last frame, from the walk's result: the same numbers and time the summary prints. */
export function finalProgressLine(total: number, r: WalkResult, retries: number): string {
  const settled = r.done.length + r.failed.length + r.skipped.length;
  const parts = [`${bar(settled, total)} ${settled}/${total} ${percent(settled, total)}`, `took ${formatMs(r.ms)}`];
  if (retries) parts.push(`${retries} ${retries === 1 ? 'retry' : 'retries'}`);
  return parts.join(' · ');
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
