import { resolve } from 'node:path';
import { loadManifestWithOptions } from '../manifest-options.js';
import { watchCluster } from '../../reconcile/watch.js';
import { isInteractive } from '../../ui/terminal.js';
import { watchReporter } from '../../ui/watch-report.js';
import { openUnlessStopped, type Interrupts } from '../interrupts.js';
import { computePlan, observeAndPlan, openSession } from '../pipeline.js';
import type { ApplyOptions } from './apply.js';

/**
 * `cluster apply --watch` / `cluster watch`: apply now, then on every manifest edit and every
 * `--interval` seconds (drift). Starting watch mode is the approval: changes apply without a prompt.
 * Runs until SIGINT/SIGTERM (exit 130/143, from interruptible()).
 */
export async function watchCommand(opts: ApplyOptions, interrupts: Interrupts): Promise<number> {
  const file = resolve(opts.file);
  await watchCluster({
    load: () => loadManifestWithOptions(file),
    open: (desired) => openUnlessStopped(interrupts, openSession(desired, { command: 'watch', timeoutMs: opts.lockTimeout ?? 300_000, signal: interrupts.signal })),
    plan: (desired, observation) => computePlan(desired, observation, opts).plan,
    replan: (desired, open) => observeAndPlan(desired, desired, open.drivers, open.observation.observed, opts),
    reporter: await watchReporter({ json: !!opts.json, live: !opts.json && isInteractive(process.stderr) }),
    signal: interrupts.signal,
    intervalMs: (opts.interval ?? 30) * 1000,
    parallelism: opts.parallelism,
    graceMs: opts.gracePeriod,
    drift: opts.drift ?? 'correct',
  });
  return 0;
}
