import { resolve } from 'node:path';
import { loadManifestWithOptions } from '../manifest-options.js';
import { renderPlanText } from '../../plan/render-text.js';
import { hasChanges, summaryLine } from '../../plan/summary.js';
import { watchLoop } from '../../reconcile/watch.js';
import { formatDiagnostic } from '../../ui/diagnostic.js';
import { renderPlacementMatrix, statusReport } from '../../ui/status.js';
import { formatMs } from '../../ui/progress-plain.js';
import { computePlan, openSession, type Session } from '../pipeline.js';
import { execute, type ApplyOptions } from './apply.js';

/**
 * `cluster apply --watch` / `cluster watch`: apply now, then on every manifest edit and every
 * `--interval` seconds (drift). Starting watch mode is the approval: changes apply without a prompt.
 * Ctrl-C stops after the running actions.
 */
export async function watchCommand(opts: ApplyOptions): Promise<number> {
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    log('stopping: letting running actions finish (Ctrl-C again to quit now)');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const file = resolve(opts.file);
  let trigger: (why: string) => void = () => undefined;
  const subscriptions = new Map<string, () => void>();
  // Engines and drivers that can stream events tell us about drift at once (a container died, a
  // machine stopped); the set follows the machines that exist after each run.
  const follow = (cluster: string, session: Session) => {
    const wanted = new Map<string, () => () => void>();
    for (const [name, d] of session.drivers) if (d.subscribe) wanted.set(`driver:${name}`, () => d.subscribe!((what) => trigger(`drift: ${what}`)));
    for (const record of session.observation.records.values()) {
      const engine = record.state === 'running' ? session.drivers.get(record.driver)?.engine(record) : undefined;
      if (engine?.subscribe) wanted.set(`engine:${engine.url}`, () => engine.subscribe!(cluster, (what) => trigger(`drift: ${what}`)));
    }
    for (const [key, stop] of subscriptions) if (!wanted.has(key)) (stop(), subscriptions.delete(key));
    for (const [key, start] of wanted) if (!subscriptions.has(key)) subscriptions.set(key, start());
  };
  try {
    await watchLoop({
      load: () => loadManifestWithOptions(file),
      onInvalid: (ds) => ds.forEach((d) => process.stderr.write(formatDiagnostic(d) + '\n')),
      log,
      debounceMs: 100,
      intervalMs: (opts.interval ?? 30) * 1000,
      signal: abort.signal,
      onTrigger: (t) => (trigger = t),
      converge: async (desired, why) => {
        // Each run takes the apply lock (waiting for a concurrent apply rather than fighting it).
        const session = await openSession(desired, { command: 'watch', timeoutMs: opts.lockTimeout ?? 300_000 });
        let done: string | undefined;
        let panel: string | undefined;
        try {
          const { plan } = computePlan(desired, session.observation, opts);
          if (plan.blocked.length) {
            done = `refused: ${plan.blocked.join('; ')}`;
          } else if (hasChanges(plan)) {
            log(`${why}: ${summaryLine(plan)}`);
            if (!opts.json) process.stdout.write(renderPlanText(plan));
            const r = await execute(desired, plan, session, { ...opts, signal: abort.signal });
            done = r.failed.length ? `${r.failed.length} action(s) failed; retrying on the next change or re-observe` : `converged in ${formatMs(r.ms)}`;
          } else if (why !== 'periodic re-observe' && !why.startsWith('drift')) {
            done = `${why}: converged, no changes`;
          }
          follow(desired.name, session);
        } finally {
          await session.close();
        }
        if (done && !done.endsWith('no changes') && !opts.json) {
          // The panel: what runs where now, from a fresh look (the run's real result).
          const after = await openSession(desired);
          try {
            panel = renderPlacementMatrix(statusReport(desired, after.observation.observed));
          } finally {
            await after.close();
          }
        }
        // Only now: the state is saved, so whoever reads the log line also sees the result.
        if (done) log(done);
        if (panel) process.stdout.write(panel);
      },
    });
    return 0;
  } finally {
    for (const stop of subscriptions.values()) stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
