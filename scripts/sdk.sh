#!/usr/bin/env bash
# The Python and Go SDKs of the provider plugin, from its schema, with the pinned generator
# (tools/sdkgen, built and cached like the bootstrap does):
#   bash scripts/sdk.sh                  regenerates sdk/python and sdk/go from provider/native/schema.json
#   bash scripts/sdk.sh SCHEMA OUT       writes OUT/python and OUT/go (the freshness test uses this)
# Commit what it writes: tests/unit/sdks.test.ts fails when the checked-in SDKs differ.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
schema=${1:-$SEMISYNC_ROOT/provider/native/schema.json}
out=${2:-$SEMISYNC_ROOT/sdk}
[ -f "$schema" ] || semisync_die "no schema at $schema (npm run schema writes it)"
semisync_ensure_sdkgen
"$(semisync_sdkgen_bin)" "$schema" "$out"
