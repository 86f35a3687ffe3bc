#!/usr/bin/env bash
# Entry point of every npm script: bootstraps the test bed, builds, then runs one job.
#   test        unit, integration and end-to-end tests (the README's test command)
#   test-unit   unit tests only
#   demo        the main job: a local topology, pulumi up, semisync status, cleanup
#   testbed     up|down|status of a long-lived local topology
#   bench       benchmarks (never part of the tests)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
job=${1:-test}
shift || true
# Unit tests need no server images.
[ "$job" = test-unit ] && export SEMISYNC_SKIP_IMAGES=1
# Only the test job runs the CLI-driven files on the newest Pulumi CLI too (scripts/run-tests.sh).
[ "$job" = test ] && export SEMISYNC_NEWEST_CLI=1
bash "$SEMISYNC_ROOT/scripts/bootstrap.sh"
source "$SEMISYNC_ROOT/scripts/env.sh"
cd "$SEMISYNC_ROOT"
rm -rf dist
tsc -p tsconfig.json
case "$job" in
  test)
    exec bash scripts/run-tests.sh "$@" ;;
  test-unit)
    exec mocha "dist/tests/unit/**/*.test.js" "$@" ;;
  demo)
    exec node dist/examples/demo/demo.js "$@" ;;
  testbed)
    exec node dist/tests/testbed/cli.js "$@" ;;
  bench)
    exec node dist/bench/run.js "$@" ;;
  *)
    semisync_die "unknown job '$job' (test, test-unit, demo, testbed, bench)" ;;
esac
