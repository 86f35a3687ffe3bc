#!/usr/bin/env bash
# `npm run plugin`: the native provider plugin as a self-contained tarball, installable with
#   pulumi plugin install resource mysql-semisync <version> --file <tarball>
# It holds the compiled provider code, the schema, the production dependencies (npm ci --omit=dev,
# at the lock file's versions) and the launcher `pulumi-resource-mysql-semisync`, which runs it with
# the `node` on PATH (Node 22+). Nothing outside the tarball is needed: no clone, no NODE_PATH.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SEMISYNC_ROOT"
version=$(node -p 'require("./package.json").version')
name=pulumi-resource-mysql-semisync
out="$SEMISYNC_ROOT/dist/plugin"
stage="$out/$name-v$version"
tarball="$out/$name-v$version-linux-amd64.tar.gz"

semisync_log "building the provider code (tsc)"
npx tsc -p tsconfig.json

rm -rf "$stage" "$tarball"
mkdir -p "$stage/dist" "$stage/provider/native"
# The plugin's own package.json: the production dependencies, with @pulumi/pulumi at the exact
# version the project builds and tests with (devDependencies pins it; the lock file marks it dev).
node -e '
  const pkg = require("./package.json");
  const plugin = { name: "pulumi-resource-mysql-semisync", version: pkg.version, private: true, license: pkg.license,
    engines: pkg.engines, dependencies: { ...pkg.dependencies, "@pulumi/pulumi": pkg.devDependencies["@pulumi/pulumi"] } };
  require("fs").writeFileSync(process.argv[1], JSON.stringify(plugin, null, 2) + "\n");
' "$stage/package.json"
cp package-lock.json "$stage/"
# The compiled provider only: no tests, no declarations, no source maps.
(cd dist && find provider -name '*.js' -print0 | tar --null -T - -cf -) | tar -C "$stage/dist" -xf -
cp provider/native/schema.json "$stage/provider/native/"
cat >"$stage/$name" <<'LAUNCHER'
#!/bin/sh
# The mysql-semisync provider plugin (TypeScript, on @pulumi/pulumi/provider). Needs Node 22+ on PATH.
exec node "$(dirname "$0")/dist/provider/native/main.js" "$@"
LAUNCHER
chmod +x "$stage/$name"

semisync_log "installing the production dependencies into the plugin (npm install --omit=dev)"
# npm install, not ci: the lock file is the project's (its versions are kept where they fit).
(cd "$stage" && npm install --omit=dev --ignore-scripts --no-audit --no-fund >"$out/npm-install.log" 2>&1) \
  || { tail -20 "$out/npm-install.log" >&2; semisync_die "npm install in the plugin folder failed, see $out/npm-install.log"; }
rm -f "$stage/package-lock.json"

tar -C "$stage" -czf "$tarball" .
semisync_log "wrote ${tarball#$SEMISYNC_ROOT/} ($(du -h "$tarball" | cut -f1))"
