import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault suite (test/faults). In-process cases use the same global
 * servers as `npm test`; process-level cases start their own PostgreSQL, Temporal, workers and
 * API processes and kill them. One file at a time: each case loads two cores on its own.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    teardownTimeout: 120_000,
  },
});
