import { defineConfig } from 'vitest/config';
import IntegrationFirst from './test/support/sequencer.js';

// Two kinds of projects: fast unit/golden tests, and integration tests against a real dockerd
// (test/integration/global-setup.ts starts a private one, or uses CLUSTER_TEST_DOCKER_HOST).
const integration = {
  globalSetup: ['test/integration/global-setup.ts'],
  setupFiles: ['test/support/turn-between-tests.ts', 'test/support/cpu-log.ts'],
  testTimeout: 180_000,
  hookTimeout: 300_000,
};
const ALONE = ['test/integration/generic.test.ts', 'test/integration/saved-plan.test.ts'];

export default defineConfig({
  test: {
    // Both projects share one pool of forks. vitest's default is one fork per core less one: a single
    // fork on a 2-core machine, which then runs every file one after another while it mostly waits (on
    // spawned CLIs, on engines). Integration files run side by side too: each makes its own clusters
    // (names from the file's prefix and pid, machines networks on subnets chosen free, see
    // src/providers/docker/machines-network.ts) on the one private dockerd. `--maxWorkers 1` runs one
    // file at a time. Six, not four: the files mostly wait (engines, timers, spawned CLIs); their
    // durations summed 1,207-1,279 s in 4-fork runs of 345-372 s, so the four forks were the bound
    // while the 2 cores were not always busy. The unit project passed twice at 6 forks under a load
    // average of 9-23 (docs/BENCHMARKS.md, the test suite).
    maxWorkers: 6,
    minWorkers: 1,
    // The unit files run in threads that each run file after file without a fresh start (isolate: false):
    // a fresh fork per file cost ~1 CPU-s each (92 CPU-s for 85 files: prepare, collect, setup summed) on
    // a 2-core machine. What files leave behind must not reach the next file: the secrets registry is
    // emptied after each (test/support/fresh-secrets.ts). Threads, not forks: vitest 3 decides isolation
    // per pool, and the integration files keep their own fork each. minThreads = maxThreads: with fewer,
    // runs without isolation ended mid-run on an unhandled 'Terminating worker thread' (3 runs of 3);
    // by tinypool's code, a worker removed for idleness can be torn down twice and the second teardown
    // rejects unhandled (vitest-dev/vitest#8564: the same error, gone with minThreads restored).
    // These limits are not --maxWorkers': `--poolOptions.threads.maxThreads=1
    // --poolOptions.threads.minThreads=1` runs the unit files one at a time.
    poolOptions: { threads: { isolate: false, maxThreads: 3, minThreads: 3 } },
    sequence: { sequencer: IntegrationFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/integration/**'],
          pool: 'threads',
          isolate: false,
          setupFiles: ['test/support/fresh-secrets.ts', 'test/support/fast-check-seed.ts', 'test/support/turn-between-tests.ts', 'test/support/cpu-log.ts'],
          // Several tests spawn the CLI a few times; on a 2-core CI machine running every file at
          // once that takes longer than vitest's 5 s default. Not a speed goal (those live in bench/).
          testTimeout: 30_000,
        },
      },
      {
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: ALONE, ...integration },
      },
      {
        // Files that adopt the private dockerd itself as a generic machine and apply plans saved from it:
        // a saved plan is stale once anything on its engine changes (src/plan/saved.ts, observedDigest),
        // and the other files change that engine all the time. They run after the others, one by one.
        test: { name: 'integration-alone', include: ALONE, ...integration, pool: 'forks', poolOptions: { forks: { singleFork: true } } },
      },
    ],
  },
});
