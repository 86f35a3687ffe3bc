# Puts the bootstrapped tools on PATH and points Docker/testcontainers at the engine. Sourced.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
_pv=$(semisync_pulumi_version)
# Each directory is put in front, so the last one listed wins. The CLI's directory must come
# before the language host's: the bootstrap copies the language host next to the CLI, and the CLI
# warns ("using pulumi-language-nodejs from $PATH at … expected …") at every plugin lookup when
# the copy $PATH finds first is not the one next to its own binary.
for _d in "$SEMISYNC_CACHE/node-$SEMISYNC_NODE_VERSION/node_modules/.bin" \
          "$SEMISYNC_CACHE/pulumi-language-nodejs-$SEMISYNC_LANGHOST_VERSION/bin" \
          "$SEMISYNC_CACHE/pulumi-language-python-$SEMISYNC_LANGHOST_VERSION/bin" \
          "$SEMISYNC_CACHE/pulumi-cli-v$_pv/bin" \
          "$SEMISYNC_ROOT/node_modules/.bin"; do
  [ -d "$_d" ] && case ":$PATH:" in *":$_d:"*) ;; *) PATH="$_d:$PATH" ;; esac
done
# The dynamic-provider host script ships inside @pulumi/pulumi; the engine finds it on PATH.
PATH="$PATH:$SEMISYNC_ROOT/node_modules/@pulumi/pulumi"
export PATH
if [ -f "$SEMISYNC_CACHE/docker-host" ]; then
  export DOCKER_HOST=$(cat "$SEMISYNC_CACHE/docker-host")
fi
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_HOME="$SEMISYNC_CACHE/pulumi-home"
# Python programs run with this virtualenv activated (tests/support/languages.ts), never the shell.
export SEMISYNC_CACHE SEMISYNC_ROOT SEMISYNC_PYTHON_VENV
unset _d _pv
