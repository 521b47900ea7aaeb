import { defineConfig } from 'vitest/config';

// Two projects: fast unit/golden tests, and integration tests against a real dockerd
// (test/integration/global-setup.ts starts a private one, or uses CLUSTER_TEST_DOCKER_HOST).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/integration/**'],
          setupFiles: ['test/support/fast-check-seed.ts', 'test/support/turn-between-tests.ts'],
          // Several tests spawn the CLI a few times; on a 2-core CI machine running every file at
          // once that takes longer than vitest's 5 s default. Not a speed goal (those live in bench/).
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          setupFiles: ['test/support/turn-between-tests.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // One real dockerd for all files: run them one after another.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
