#!/usr/bin/env bash
# Points this example's current stack at the local test bed (`npm run testbed -- up`, two replicas).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
file="${SEMISYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-mysql-semisync}/testbed.json"
[ -f "$file" ] || { echo "no test bed ($file): run npm run testbed -- up" >&2; exit 1; }
get() { node -p "const t = require('$file'); $1"; }
pulumi config set sourcePort "$(get 't.source.port')"
pulumi config set replica1Port "$(get 't.replicas[0].port')"
pulumi config set replica2Port "$(get 't.replicas[1].port')"
pulumi config set user "$(get 't.source.user')"
get 't.source.password' | pulumi config set --secret password
