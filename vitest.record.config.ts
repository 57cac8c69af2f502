import { defineConfig } from 'vitest/config';

// `npm run record-histories`: drives every workflow type through its paths on the real stack and
// writes their histories to test/histories/, which test/replay.test.ts replays on every `npm test`.
export default defineConfig({
  test: {
    include: ['test/record/*.record.ts'],
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
