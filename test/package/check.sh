#!/usr/bin/env bash
# Packs the library as `npm pack` does from a clean clone, installs the tarball into an empty project the way a new
# user would (`npm install effect-secrets effect`), and uses it from ES modules, CommonJS and strict TypeScript. Run
# by CI after the tests; any failure fails CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
node_bin="$root/node_modules/.bin/node"

mkdir "$work/app"
cp "$here"/app.mjs "$here"/app.cjs "$here"/app.ts "$here"/tsconfig.json "$work/app/"
cd "$work/app"
echo '{ "name": "app", "private": true, "type": "module" }' > package.json
npm install --silent --no-audit --no-fund "$work/$tarball" effect@^4.1.0
# An app that only reads secrets installs the library and effect: nothing from the command line's dependencies.
test ! -e node_modules/@effect/platform-node || { echo "@effect/platform-node was installed for a library user"; exit 1; }
"$node_bin" app.mjs
"$node_bin" app.cjs
"$root/node_modules/.bin/tsc" -p tsconfig.json
echo "package check: ESM, CommonJS and strict TypeScript consumers passed"
