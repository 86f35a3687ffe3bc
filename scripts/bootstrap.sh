#!/usr/bin/env bash
# Installs everything the demo and the tests need, idempotently. Slow results are cached in
# $SEMISYNC_CACHE (a user cache folder), so a fresh clone on the same machine starts warm.
#
#   Node >= 22           from the npm package node@22 when the machine's node is older
#   npm dependencies     npm ci (npm's own cache lives outside the clone)
#   Docker engine        the one that answers, else Debian's docker.io with host networking only
#   server images        built from Debian packages: MySQL 9.7 (sid), MariaDB 10.11 (bookworm),
#                        MariaDB 11.8 (trixie), MariaDB 10.5 (bullseye)
#   Pulumi CLI           from PATH, else built from Go modules at the @pulumi/pulumi version
#   language host        from PATH, else built from Go modules (see SEMISYNC_LANGHOST_VERSION)
#   Python host          pulumi-language-python (+ its -exec script) from the same sdk/v3 module,
#                        next to the CLI; a virtualenv with the pulumi PyPI package
#   SDK generator        tools/sdkgen, built from Go modules (Python and Go SDKs from the schema)
#
# Set SEMISYNC_SKIP_IMAGES=1 to skip the image builds (unit tests only).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$SEMISYNC_CACHE"
cd "$SEMISYNC_ROOT"

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    semisync_die "missing $*; install it (apt-get install $*) or run the bootstrap as root"
  fi
  if [ $apt_updated = 0 ]; then
    semisync_log "apt-get update"
    apt-get update -qq >"$SEMISYNC_CACHE/apt.log" 2>&1 || semisync_die "apt-get update failed, see $SEMISYNC_CACHE/apt.log"
    apt_updated=1
  fi
  semisync_log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$SEMISYNC_CACHE/apt.log" 2>&1 \
    || semisync_die "apt-get install $* failed, see $SEMISYNC_CACHE/apt.log"
}

ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 22 ]; then return; fi
  local dir="$SEMISYNC_CACHE/node-$SEMISYNC_NODE_VERSION"
  if [ ! -x "$dir/node_modules/.bin/node" ]; then
    command -v npm >/dev/null || semisync_die "neither Node >= 22 nor npm found; install Node.js 22 (https://nodejs.org)"
    semisync_log "installing Node $SEMISYNC_NODE_VERSION from the npm package node@$SEMISYNC_NODE_VERSION"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund "node@$SEMISYNC_NODE_VERSION" >"$dir/install.log" 2>&1 \
      || semisync_die "npm install node@$SEMISYNC_NODE_VERSION failed, see $dir/install.log"
  fi
  "$dir/node_modules/.bin/node" --version >/dev/null || semisync_die "the Node binary in $dir does not run"
}

ensure_npm_deps() {
  local stamp="node_modules/.semisync-lock-stamp"
  if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then return; fi
  semisync_log "npm ci"
  npm ci --no-audit --no-fund >"$SEMISYNC_CACHE/npm-ci.log" 2>&1 || { tail -20 "$SEMISYNC_CACHE/npm-ci.log" >&2; semisync_die "npm ci failed, see $SEMISYNC_CACHE/npm-ci.log"; }
  cp package-lock.json "$stamp"
}

# Examples and the template import the package by name, as users do; inside the repository that
# name resolves to the repository itself.
ensure_self_link() {
  ln -sfn .. node_modules/pulumi-mysql-semisync
}

docker_answers() { timeout 20 docker ${1:+-H "$1"} info >/dev/null 2>&1; }

ensure_docker() {
  local own="unix://$SEMISYNC_RUN/docker.sock"
  if [ -n "${DOCKER_HOST:-}" ] && docker_answers "$DOCKER_HOST"; then
    echo "$DOCKER_HOST" >"$SEMISYNC_CACHE/docker-host"; return
  fi
  if docker_answers "$own"; then echo "$own" >"$SEMISYNC_CACHE/docker-host"; return; fi
  if [ -S /var/run/docker.sock ] && docker_answers "unix:///var/run/docker.sock"; then
    echo "unix:///var/run/docker.sock" >"$SEMISYNC_CACHE/docker-host"; return
  fi
  command -v dockerd >/dev/null || apt_install docker.io
  command -v docker >/dev/null || apt_install docker.io
  semisync_log "starting dockerd (host networking only, no bridge, data in $SEMISYNC_CACHE/docker)"
  mkdir -p "$SEMISYNC_RUN" "$SEMISYNC_CACHE/docker"
  # No bridge and no iptables: containers share the host's network and listen on 127.0.0.1.
  nohup setsid dockerd --bridge=none --iptables=false --ip6tables=false \
    --data-root="$SEMISYNC_CACHE/docker" --exec-root="$SEMISYNC_RUN/exec" \
    --pidfile="$SEMISYNC_RUN/dockerd.pid" --host="$own" \
    >"$SEMISYNC_CACHE/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    if docker_answers "$own"; then echo "$own" >"$SEMISYNC_CACHE/docker-host"; return; fi
    sleep 1
  done
  tail -20 "$SEMISYNC_CACHE/dockerd.log" >&2
  semisync_die "dockerd did not answer within 60 s, see $SEMISYNC_CACHE/dockerd.log"
}

debian_mirror() {
  local m
  m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$m" ] || semisync_die "no Debian mirror found in the apt sources; needed to build the server images"
  echo "$m"
}

# Runs in the background beside the Go builds (see the end of this file), so it must not call
# apt_install: two apt-get runs at once fight over dpkg's lock. ensure_image_tools installs first.
ensure_images() {
  [ "${SEMISYNC_SKIP_IMAGES:-0}" = 1 ] && return
  local host entry image suite pkg root mirror
  host=$(cat "$SEMISYNC_CACHE/docker-host")
  for entry in $SEMISYNC_LOCAL_IMAGES; do
    image=${entry%%=*}; suite=${entry#*=}; pkg=${suite#*:}; suite=${suite%%:*}
    if docker -H "$host" image inspect "$image" >/dev/null 2>&1; then continue; fi
    root="$SEMISYNC_CACHE/roots/${image##*/}"; root=${root/:/-}
    if [ ! -f "$root/.complete" ]; then
      mirror=$(debian_mirror)
      semisync_log "building $image: debootstrap $suite with $pkg (about a minute)"
      rm -rf "$root"; mkdir -p "$(dirname "$root")"
      debootstrap --variant=minbase --include="$pkg" "$suite" "$root" "$mirror" >"$root.log" 2>&1 \
        || { tail -20 "$root.log" >&2; semisync_die "debootstrap $suite failed, see $root.log"; }
      # Trim what a server image never needs, to keep the import fast.
      rm -rf "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale "$root"/var/cache/apt/archives/*.deb
      touch "$root/.complete"
    fi
    semisync_log "importing $image"
    tar -C "$root" --exclude=./.complete -c . | docker -H "$host" import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null \
      || semisync_die "docker import of $image failed"
  done
}

ensure_image_tools() {
  [ "${SEMISYNC_SKIP_IMAGES:-0}" = 1 ] && return
  command -v debootstrap >/dev/null || apt_install debootstrap
}

build_go_main() { # module-dir binary-name package ldflags
  local dir=$1 bin=$2 pkg=$3 ldflags=$4
  command -v go >/dev/null || apt_install golang-go
  semisync_log "building $bin from Go modules (several minutes, cached in $dir)"
  (cd "$dir" && export GOFLAGS=-mod=mod && go mod tidy >"$dir/build.log" 2>&1 \
     && go build -o "bin/$bin" -ldflags "$ldflags" "$pkg" >>"$dir/build.log" 2>&1) \
    || { tail -20 "$dir/build.log" >&2; semisync_die "go build of $bin failed, see $dir/build.log"; }
}

# The Node.js and Python language hosts live inside the sdk/v3 module at SEMISYNC_LANGHOST_VERSION.
build_sdk_language_host() { # language dir
  local language=$1 dir=$2
  mkdir -p "$dir"
  cat >"$dir/go.mod" <<GOMOD
module pulumi-mysql-semisync/pulumi-language-$language

go 1.21

require github.com/pulumi/pulumi/sdk/v3 $SEMISYNC_LANGHOST_VERSION

replace golang.org/x/text => golang.org/x/text v0.3.6
GOMOD
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/sdk/v3/%s/cmd/pulumi-language-%s"\n' "$language" "$language" >"$dir/tools.go"
  build_go_main "$dir" "pulumi-language-$language" "github.com/pulumi/pulumi/sdk/v3/$language/cmd/pulumi-language-$language" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$SEMISYNC_LANGHOST_VERSION"
}

ensure_pulumi() {
  local version dir
  version=$(semisync_pulumi_version)
  [ -n "$version" ] || semisync_die "package.json devDependencies do not pin @pulumi/pulumi to an exact version"
  dir="$SEMISYNC_CACHE/pulumi-cli-v$version"
  if ! { command -v pulumi >/dev/null && pulumi version >/dev/null 2>&1; } && [ ! -x "$dir/bin/pulumi" ]; then
    build_pulumi_cli "$version" "$dir"
  fi
  dir="$SEMISYNC_CACHE/pulumi-language-nodejs-$SEMISYNC_LANGHOST_VERSION"
  if ! command -v pulumi-language-nodejs >/dev/null && [ ! -x "$dir/bin/pulumi-language-nodejs" ]; then
    build_sdk_language_host nodejs "$dir"
  fi
}

# The engine looks for its bundled plugins next to the pulumi binary first.
place_plugins_next_to_cli() {
  local cli_dir
  cli_dir=$(dirname "$(command -v pulumi)")
  [ -w "$cli_dir" ] || return 0
  cp -f "$SEMISYNC_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$cli_dir/" 2>/dev/null || true
  [ -x "$cli_dir/pulumi-language-nodejs" ] || cp -f "$(command -v pulumi-language-nodejs)" "$cli_dir/"
}

# Python programs: the PyPI wheel ships no language host, and the host's own Go module is not
# served; sdk/v3 at SEMISYNC_LANGHOST_VERSION still carries it, with the script it runs programs
# through (pulumi-language-python-exec), which must sit beside it.
ensure_python_host() {
  local dir="$SEMISYNC_CACHE/pulumi-language-python-$SEMISYNC_LANGHOST_VERSION" sdk
  [ -x "$dir/bin/pulumi-language-python" ] && [ -x "$dir/bin/pulumi-language-python-exec" ] && return 0
  build_sdk_language_host python "$dir"
  sdk=$(cd "$dir" && GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3) \
    || semisync_die "cannot locate github.com/pulumi/pulumi/sdk/v3 $SEMISYNC_LANGHOST_VERSION in the Go module cache"
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$dir/bin/pulumi-language-python-exec"
}

# The 3.260 CLI no longer hands the old host a virtualenv option, so Python programs run with this
# virtualenv activated (VIRTUAL_ENV, its bin/ first on PATH); see tests/support/python.ts.
ensure_python_venv() {
  local venv=$SEMISYNC_PYTHON_VENV
  [ "$(cat "$venv/.complete" 2>/dev/null)" = "$SEMISYNC_PYTHON_REQUIREMENTS" ] && return 0
  command -v python3 >/dev/null || apt_install python3 python3-venv
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  semisync_log "making a Python virtualenv: $SEMISYNC_PYTHON_REQUIREMENTS (PyPI)"
  rm -rf "$venv"
  # shellcheck disable=SC2086 # one requirement per word
  { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check $SEMISYNC_PYTHON_REQUIREMENTS; } >"$venv.log" 2>&1 \
    || { tail -20 "$venv.log" >&2; semisync_die "the Python virtualenv failed, see $venv.log"; }
  echo "$SEMISYNC_PYTHON_REQUIREMENTS" >"$venv/.complete"
}

place_python_host_next_to_cli() {
  local cli_dir host
  cli_dir=$(dirname "$(command -v pulumi)")
  [ -w "$cli_dir" ] || return 0
  host="$SEMISYNC_CACHE/pulumi-language-python-$SEMISYNC_LANGHOST_VERSION/bin"
  for f in pulumi-language-python pulumi-language-python-exec; do
    cmp -s "$host/$f" "$cli_dir/$f" || cp -f "$host/$f" "$cli_dir/"
  done
}

# YAML programs (the native plugin's examples and tests): pulumi-language-yaml from its own Go
# module, which has release tags and no replace directives. It goes next to the pulumi binary,
# like pulumi-language-nodejs: found on PATH only, the CLI warns at every plugin lookup.
ensure_yaml_host() {
  local dir="$SEMISYNC_CACHE/pulumi-language-yaml-$SEMISYNC_YAML_HOST_VERSION" cli_dir
  if [ ! -x "$dir/bin/pulumi-language-yaml" ]; then
    command -v go >/dev/null || apt_install golang-go
    semisync_log "building pulumi-language-yaml $SEMISYNC_YAML_HOST_VERSION from Go modules (about 2 minutes, cached in $dir)"
    mkdir -p "$dir"
    GOBIN="$dir/bin.tmp" go install \
      -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$SEMISYNC_YAML_HOST_VERSION" \
      "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$SEMISYNC_YAML_HOST_VERSION" >"$dir/build.log" 2>&1 \
      || { tail -20 "$dir/build.log" >&2; semisync_die "go install of pulumi-language-yaml failed, see $dir/build.log"; }
    rm -rf "$dir/bin" && mv "$dir/bin.tmp" "$dir/bin"
  fi
  cli_dir=$(dirname "$(command -v pulumi)")
  [ -w "$cli_dir" ] || semisync_die "cannot place pulumi-language-yaml next to pulumi: $cli_dir is not writable"
  cmp -s "$dir/bin/pulumi-language-yaml" "$cli_dir/pulumi-language-yaml" || cp -f "$dir/bin/pulumi-language-yaml" "$cli_dir/"
}

# The newest CLI release the Go module proxy serves, resolved at every test run (not pinned), so a
# release that breaks users fails CI on the day it appears: scripts/run-tests.sh runs the
# CLI-driven e2e files on it as well as on the pinned one. Built once per release into
# $SEMISYNC_CACHE like the pinned CLI, with the language host and the dynamic-provider host script
# next to it. Only for the test job (SEMISYNC_NEWEST_CLI=1); a failure here does not stop the
# bootstrap: without the pointer file run-tests.sh counts the lane as failed and says why.
ensure_newest_pulumi() {
  [ "${SEMISYNC_NEWEST_CLI:-0}" = 1 ] || return 0
  local pointer="$SEMISYNC_CACHE/pulumi-cli-newest" info version dir
  rm -f "$pointer"
  command -v go >/dev/null || apt_install golang-go
  info=$(cd "$SEMISYNC_CACHE" && timeout 120 go list -m -json github.com/pulumi/pulumi/pkg/v3@latest 2>"$SEMISYNC_CACHE/pulumi-cli-newest.log") \
    || { semisync_log "cannot resolve the newest github.com/pulumi/pulumi/pkg/v3 (see $SEMISYNC_CACHE/pulumi-cli-newest.log)"; return 0; }
  version=$(sed -n 's/^[[:space:]]*"Version": "v\(.*\)",*$/\1/p' <<<"$info")
  dir="$SEMISYNC_CACHE/pulumi-cli-v$version"
  if [ ! -x "$dir/bin/pulumi" ]; then
    ( build_pulumi_cli "$version" "$dir" ) \
      || { semisync_log "the newest Pulumi CLI (v$version) did not build, see $dir/build.log"; return 0; }
  fi
  cp -f "$SEMISYNC_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$dir/bin/"
  # The same file when the newest release is the pinned one.
  [ "$(command -v pulumi-language-nodejs)" -ef "$dir/bin/pulumi-language-nodejs" ] || cp -f "$(command -v pulumi-language-nodejs)" "$dir/bin/"
  echo "v$version $dir/bin" >"$pointer"
  semisync_log "newest Pulumi CLI: v$version ($dir/bin)"
}

# The CLI's module cannot be `go install`ed (its go.mod has replace directives): a wrapper module
# requires it and repeats that release's replace lines that point at other modules (those into
# its own repository, `=> ../sdk`, are served as the required versions). The pinned CLI and the
# newest one are built the same way. Without the version stamp the Automation API refuses the CLI
# ("Failed to parse Pulumi CLI version").
build_pulumi_cli() { # version dir
  local version=$1 dir=$2 gomod replaces
  command -v go >/dev/null || apt_install golang-go
  gomod=$(cd "$SEMISYNC_CACHE" && timeout 120 go list -m -f '{{.GoMod}}' "github.com/pulumi/pulumi/pkg/v3@v$version") && [ -f "$gomod" ] \
    || semisync_die "cannot fetch the go.mod of github.com/pulumi/pulumi/pkg/v3 v$version from the Go module proxy"
  replaces=$(awk '/^replace[[:space:]]*\($/ { block = 1; next } block && /^\)/ { block = 0; next }
                  block { sub(/^[[:space:]]+/, ""); print "replace " $0; next } /^replace / { print }' "$gomod" \
             | awk '$NF !~ /^[.\/]/')
  mkdir -p "$dir"
  printf 'module pulumi-mysql-semisync/pulumi-cli\n\ngo 1.25\n\nrequire github.com/pulumi/pulumi/pkg/v3 v%s\n\n%s\n' "$version" "$replaces" >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' >"$dir/tools.go"
  build_go_main "$dir" pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
}

ensure_node
source "$SEMISYNC_ROOT/scripts/env.sh"
ensure_npm_deps
ensure_self_link
ensure_docker
ensure_image_tools
# A cold bootstrap is two long jobs of different kinds: the server images wait on the Debian
# mirror and the disk (debootstrap, docker import), the Go builds below keep the CPUs busy. Side
# by side they take about as long as the Go builds alone.
# Its end is seen through a lock and its status through a file, not `wait`: the Go builds start
# thousands of processes, the PIDs wrap (pid_max is often 32768) and bash forgets a finished job's
# status once its PID goes to a new child ("wait: pid … is not a child of this shell"); a plain
# `wait` would wait for the dockerd this script may have started too. The background job holds
# the lock until it exits, however it exits.
images_status=$(mktemp)
exec 9>"$images_status.lock"
flock 9
( set +e; ( set -e; ensure_images ) 9>&-; echo $? >"$images_status" ) &
exec 9>&-
ensure_pulumi
source "$SEMISYNC_ROOT/scripts/env.sh"
place_plugins_next_to_cli
ensure_python_host
place_python_host_next_to_cli
ensure_python_venv
semisync_ensure_sdkgen
ensure_yaml_host
ensure_newest_pulumi
flock "$images_status.lock" true
images_rc=$(cat "$images_status"); rm -f "$images_status" "$images_status.lock"
[ "$images_rc" = 0 ] || semisync_die "the server images did not build (the lines above say which and why)"
semisync_log "ready: node $(node --version), pulumi $(pulumi version), docker at $(cat "$SEMISYNC_CACHE/docker-host")"
