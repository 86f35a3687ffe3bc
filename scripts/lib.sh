# Shared settings for the project's scripts. Sourced, never run.
# Everything slow lands in CACHE, outside the clone, because CI clones afresh on the same machine.
SEMISYNC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEMISYNC_CACHE=${SEMISYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-mysql-semisync}
# dockerd's exec-root and socket: unix socket paths are limited to 108 bytes, so keep them short.
SEMISYNC_RUN=${SEMISYNC_RUN:-/run/pulumi-mysql-semisync}
SEMISYNC_NODE_VERSION=22.23.3
# The language host is not served by the Go module proxy on its own; v3.68.0 is the newest
# sdk/v3 release that still carried it inside the sdk module (see CONTRIBUTING.md, "Bootstrap").
SEMISYNC_LANGHOST_VERSION=v3.68.0
# Local images, built from Debian packages (tests/testbed/lanes.ts reads the same names). MariaDB 10.5
# (bullseye, 10.5.23) is the oldest generation with the split privileges (REPLICA MONITOR from 10.5.9).
SEMISYNC_LOCAL_IMAGES="pulumi-mysql-semisync/mysql:9.7=sid:mysql-server-core pulumi-mysql-semisync/mariadb:10.11=bookworm:mariadb-server-core,mariadb-client-core pulumi-mysql-semisync/mariadb:11.8=trixie:mariadb-server-core,mariadb-client-core pulumi-mysql-semisync/mariadb:10.5=bullseye:mariadb-server-core-10.5,mariadb-client-core-10.5"

semisync_log() { printf '[testbed] %s\n' "$*" >&2; }
semisync_die() { printf '[testbed] ERROR: %s\n' "$*" >&2; exit 1; }

# The exact @pulumi/pulumi the project builds and tests with: devDependencies pins it (the lock
# file agrees); dependencies holds the range users get. Read without node, which may not exist yet.
semisync_pulumi_version() {
  awk '/"devDependencies"/ { dev = 1 }
       dev && /"@pulumi\/pulumi"/ && match($0, /"[0-9]+\.[0-9]+\.[0-9]+"/) { print substr($0, RSTART + 1, RLENGTH - 2); exit }' \
    "$SEMISYNC_ROOT/package.json"
}
