// Closes a vitest run with one plain line, "vitest: N passed, N failed, N skipped", that any CI
// reads without parsing vitest's coloured summary.
import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    const count = { passed: 0, failed: 0, skipped: 0 };
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') count.passed++;
        else if (state === 'failed') count.failed++;
        else count.skipped++;
      }
      // A file that fails to load or a hook that throws has no failed test of its own.
      if (module.state() === 'failed' && ![...module.children.allTests()].some((t) => t.result().state === 'failed')) count.failed++;
    }
    count.failed += errors.length;
    console.log(`\nvitest: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
    // .ci/run adds every stage's counts up into its own closing line.
    if (process.env.CI_COUNTS_FILE) appendFileSync(process.env.CI_COUNTS_FILE, `${count.passed} ${count.failed} ${count.skipped}\n`);
  }
}
