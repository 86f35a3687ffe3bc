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
# Python programs: the pulumi PyPI package in the virtualenv the bootstrap makes. The SDK the
# generator writes requires >=3.231; this is the CLI's own release.
SEMISYNC_PYTHON_PULUMI_VERSION=3.260.0
# What the virtualenv holds: the SDK's own dependencies (sdk/python/pyproject.toml) and setuptools
# to pip-install the SDK from the checkout without reaching PyPI again.
SEMISYNC_PYTHON_REQUIREMENTS="pulumi==$SEMISYNC_PYTHON_PULUMI_VERSION parver>=0.2.1 semver>=2.8.1 setuptools>=61 wheel"
SEMISYNC_PYTHON_VENV="$SEMISYNC_CACHE/python-venv-pulumi-$SEMISYNC_PYTHON_PULUMI_VERSION"
# The YAML language host (its own module, github.com/pulumi/pulumi-yaml), for YAML programs on the
# native plugin.
SEMISYNC_YAML_HOST_VERSION=v1.25.0
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

# The SDK generator (tools/sdkgen), cached under a key of its sources: a changed pin rebuilds it.
semisync_sdkgen_bin() {
  local key
  key=$(cat "$SEMISYNC_ROOT"/tools/sdkgen/go.mod "$SEMISYNC_ROOT"/tools/sdkgen/go.sum "$SEMISYNC_ROOT"/tools/sdkgen/*.go | sha256sum | cut -c1-16)
  echo "$SEMISYNC_CACHE/sdkgen-$key/sdkgen"
}

# Builds the SDK generator unless the cache has it. Go's module and build caches live outside the
# clone too, so a rebuild after a cache wipe reuses the CLI build's packages.
semisync_ensure_sdkgen() {
  local bin
  bin=$(semisync_sdkgen_bin)
  [ -x "$bin" ] && return 0
  command -v go >/dev/null || semisync_die "go not found; the SDK generator is a Go program (apt-get install golang-go)"
  semisync_log "building the SDK generator (tools/sdkgen, about a minute cold)"
  mkdir -p "$(dirname "$bin")"
  (cd "$SEMISYNC_ROOT/tools/sdkgen" && go build -o "$bin.tmp" . >"$(dirname "$bin")/build.log" 2>&1) \
    || { tail -20 "$(dirname "$bin")/build.log" >&2; semisync_die "go build of tools/sdkgen failed, see $(dirname "$bin")/build.log"; }
  mv "$bin.tmp" "$bin"
}
