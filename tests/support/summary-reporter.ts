import * as Mocha from "mocha";

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

import * as fs from "node:fs";

/**
 * mocha's spec output, then the plain `N passed, N failed` line that CI reads. When the test job
 * runs several mocha processes (scripts/run-tests.sh), each appends its counts to
 * SEMISYNC_SUMMARY_FILE instead, and the job prints the one total line.
 */
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    runner.on(EVENT_TEST_PASS, () => passed++);
    runner.on(EVENT_TEST_FAIL, () => failed++);
    runner.on(EVENT_TEST_PENDING, () => skipped++);
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.SEMISYNC_SUMMARY_FILE;
      if (file) fs.appendFileSync(file, `${passed} ${failed} ${skipped}\n`);
      else console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
    });
  }
}

export = SummaryReporter;
