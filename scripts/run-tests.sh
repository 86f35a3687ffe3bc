#!/usr/bin/env bash
# The test command (README, CONTRIBUTING), after the bootstrap and the build (scripts/run-with-testbed.sh).
# Unit and integration tests run in one mocha process; each end-to-end file runs in a process of
# its own, because every inline Automation API program leaves state in the process that runs it
# (the Pulumi runtime's globals, listeners), and ~40 of them in one process once made a preview
# register no resources at all. Ends with the single `N passed, N failed` line CI reads.
# Extra arguments (e.g. --grep) go to every mocha run.
set -uo pipefail
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
export SEMISYNC_SUMMARY_FILE=$summary
status=0
mocha "dist/tests/unit/**/*.test.js" "dist/tests/integration/**/*.test.js" "$@" || status=1
for file in dist/tests/e2e/*.test.js; do
  mocha "$file" "$@" || status=1
done
read -r passed failed skipped < <(awk '{p += $1; f += $2; s += $3} END {print p + 0, f + 0, s + 0}' "$summary")
runs=$(wc -l <"$summary")
expected=$(( 1 + $(ls dist/tests/e2e/*.test.js | wc -l) ))
if [ "$runs" -ne "$expected" ]; then
  echo "only $runs of $expected mocha runs reported their counts (one crashed before its end)" >&2
  failed=$(( failed + expected - runs )); status=1
fi
echo "${passed} passed, ${failed} failed$([ "$skipped" -gt 0 ] && echo ", ${skipped} skipped")"
exit $status
