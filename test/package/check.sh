#!/usr/bin/env bash
# Packs the library as `npm pack` does from a clean clone, installs the tarball into an empty project the way a new
# user would (`npm install effect-secrets effect`), and uses it from ES modules, CommonJS and strict TypeScript; then
# runs the `effect-secrets` command without and with `@effect/platform-node`; then runs the programs and the command
# again on the oldest Node the package's `engines` allow. Run by CI after the tests; any failure fails CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
node_bin="$root/node_modules/.bin/node"

mkdir "$work/app"
cp "$here"/app.mjs "$here"/app.cjs "$here"/app.ts "$here"/tasks.mjs "$here"/tsconfig.json "$work/app/"
cd "$work/app"
echo '{ "name": "app", "private": true, "type": "module" }' > package.json
npm install --silent --no-audit --no-fund "$work/$tarball" effect@^4.1.0
# An app that only reads secrets installs the library and effect: nothing from the command line's dependencies.
test ! -e node_modules/@effect/platform-node || { echo "@effect/platform-node was installed for a library user"; exit 1; }
"$node_bin" app.mjs
"$node_bin" app.cjs
"$root/node_modules/.bin/tsc" -p tsconfig.json
# A user whose bundler resolves the package reads the same declarations.
"$root/node_modules/.bin/tsc" -p tsconfig.json --module preserve --moduleResolution bundler
echo "package check: ESM, CommonJS and strict TypeScript (NodeNext and bundler resolution) consumers passed"

# The command line, run as a user runs it (`npx effect-secrets`, its shebang finding `node` on the PATH): the
# project's Node first on the PATH.
mkdir "$work/path"
ln -s "$node_bin" "$work/path/node"
export PATH="$work/path:$PATH"
# Without its optional peer dependency, the bin says what to install (and no module-not-found stack).
set +e
output="$(npx --no-install effect-secrets --help 2>&1)"
status=$?
set -e
if [ "$status" -ne 1 ] || ! grep -q "npm install @effect/platform-node" <<<"$output" || grep -q "ERR_MODULE_NOT_FOUND" <<<"$output"; then
  echo "without @effect/platform-node, effect-secrets should print the install line and exit 1; got $status:"
  echo "$output"
  exit 1
fi
npm install --silent --no-audit --no-fund @effect/platform-node@^4.1.0
mkdir -p secrets/db
echo "package-check-password" > secrets/db/password

# Every subcommand, run as a user runs it, on the `node` first on the PATH (the bin's shebang finds it there).
command_works() {
  npx --no-install effect-secrets --help | grep "SUBCOMMANDS" >/dev/null
  FLYTE_SECRETS_DEFAULT_DIR="$PWD/secrets" npx --no-install effect-secrets where db password --json > where.json
  node -e '
    const report = JSON.parse(require("fs").readFileSync("where.json", "utf8"))
    const last = report.attempts.at(-1)
    if (!report.found || last.outcome !== "found" || !last.location.endsWith("/secrets/db/password")) {
      console.error("unexpected where report", report); process.exit(1)
    }'
  if grep -q "package-check-password" where.json; then echo "where printed the secret value"; exit 1; fi
  # doctor, render and run are loaded when they run (chunks of their own), and load the user's module, whose
  # `effect-secrets` must be the package the command runs from.
  FLYTE_SECRETS_DEFAULT_DIR="$PWD/secrets" npx --no-install effect-secrets doctor tasks.mjs | grep "1 found, 0 missing" >/dev/null
  npx --no-install effect-secrets render tasks.mjs | grep "secretName: db" >/dev/null
  FLYTE_SECRETS_DEFAULT_DIR="$PWD/secrets" npx --no-install effect-secrets run --module tasks.mjs -- node -e '
    const value = require("fs").readFileSync(process.env.FLYTE_SECRETS_DEFAULT_DIR + "/db/password", "utf8")
    process.exit(value.trim() === "package-check-password" ? 0 : 1)'
}
command_works
echo "package check: the effect-secrets command works from the installed tarball, and says what is missing"

# The oldest Node the package supports (its `engines`), installed from npm as the project's own Node is: the same ES
# module and CommonJS programs, and the command, run on it.
oldest="$("$node_bin" -p 'require(process.argv[1]).engines.node.replace(/^>=/, "")' "$root/package.json")"
mkdir "$work/oldest-node"
npm install --silent --no-audit --no-fund --prefix "$work/oldest-node" "node@~$oldest.0"
ln -sf "$work/oldest-node/node_modules/.bin/node" "$work/path/node"
node --version | grep -q "^v$oldest\." || { echo "expected Node $oldest on the PATH, got $(node --version)"; exit 1; }
# npx runs the command with the PATH it was given, behind the packages' own bin folders: the command's shebang must
# find this Node there too, not another one.
npx_node="$(npx --no-install -c 'node --version')"
grep -q "^v$oldest\." <<<"$npx_node" || { echo "npx runs the command on Node $npx_node, not $oldest"; exit 1; }
node app.mjs
node app.cjs
command_works
echo "package check: the package and its command run on Node $(node --version), the oldest its engines allow"
