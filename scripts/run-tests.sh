#!/usr/bin/env bash
# The test command (README, CONTRIBUTING), after the bootstrap and the build (scripts/run-with-testbed.sh).
# Unit and integration tests run in one mocha process; each end-to-end file runs in a process of
# its own, because every inline Automation API program leaves state in the process that runs it
# (the Pulumi runtime's globals, listeners), and ~40 of them in one process once made a preview
# register no resources at all. Then the CLI-driven files run again on the newest Pulumi CLI
# release (see CLI_DRIVEN). Ends with the single `N passed, N failed` line CI reads.
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
expected=$(( 1 + $(ls dist/tests/e2e/*.test.js | wc -l) ))

# The supported CLI range is the pinned CLI (the devDependency, which the pass above ran) up to the
# newest release. The newest is whatever the Go module proxy serves today (the bootstrap resolves
# and builds it with SEMISYNC_NEWEST_CLI=1), so a release that breaks users fails CI the day it
# appears. Again on it: the files that run Pulumi project directories through the pulumi command
# (the examples, the template, installed, fresh and upgraded packages) and the Automation API's
# plain lifecycle; the other e2e files drive the same CLI commands through the Automation API.
CLI_DRIVEN="cli-project installed-package fresh-install upgrade failover-example pulumi-engine"
newest=$(cat "${SEMISYNC_CACHE:?}/pulumi-cli-newest" 2>/dev/null || true)
newest_failed=0
if [ -z "$newest" ]; then
  echo "the newest Pulumi CLI is not built (the bootstrap says why; run it with SEMISYNC_NEWEST_CLI=1): its $(wc -w <<<"$CLI_DRIVEN") runs count as failed" >&2
  newest_failed=$(wc -w <<<"$CLI_DRIVEN"); status=1
elif [ "${newest#* }" = "$(dirname "$(command -v pulumi)")" ]; then
  echo "the newest Pulumi CLI, ${newest%% *}, is the one the pass above ran on"
else
  read -r newest_version newest_bin <<<"$newest"
  for name in $CLI_DRIVEN; do
    echo "== $name on the newest Pulumi CLI, $newest_version"
    PATH="$newest_bin:$PATH" mocha "dist/tests/e2e/$name.test.js" "$@" || status=1
    expected=$(( expected + 1 ))
  done
fi

read -r passed failed skipped < <(awk '{p += $1; f += $2; s += $3} END {print p + 0, f + 0, s + 0}' "$summary")
failed=$(( failed + newest_failed ))
runs=$(wc -l <"$summary")
if [ "$runs" -ne "$expected" ]; then
  echo "only $runs of $expected mocha runs reported their counts (one crashed before its end)" >&2
  failed=$(( failed + expected - runs )); status=1
fi
echo "${passed} passed, ${failed} failed$([ "$skipped" -gt 0 ] && echo ", ${skipped} skipped")"
exit $status
