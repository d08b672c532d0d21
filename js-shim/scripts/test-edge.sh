#!/usr/bin/env bash
# The edge and browser suite of the js-shim: the edge entry (src/edge) in Node.js, the workerd
# example in workerd, and the browser example in headless Chromium, each against a dynalite
# it starts on 127.0.0.1. Installs what is missing (Debian's chromium via apt, npm packages),
# builds, runs test/edge/*.test.js on Node 24 and the edge entry's API tests on Node 20 and 22
# (the engine needs no JSPI, so every Node.js runs the edge entry).
# Idempotent; exits non-zero on any failure.
set -euo pipefail
package_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_dir="$(cd "$package_dir/.." && pwd)"
cd "$package_dir"

# Chromium from Debian (playwright's own browser downloads are not reachable from here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-edge.sh: /usr/bin/chromium is missing; run as root or apt-get install chromium" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# npm packages, each reinstalled only when its lock file changed since the last install:
# the package's own (jco, esbuild, dynalite, Node 22 and 24), then workerd and playwright-core, which live in
# test/edge/ so that the package and its main suite do not carry them. `npm ci` only, which
# never writes the tracked lock files (they list every platform's optional packages; see
# test.sh).
install_locked() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json
  fi
}
install_locked
(cd test/edge && install_locked)

# The component (built by the project's scripts on a fresh checkout), then dist/.
if [ ! -f "$repo_dir/build/jovo_dynamodb.wasm" ]; then
  "$repo_dir/scripts/install-toolchain.sh"
  "$repo_dir/scripts/build-component.sh"
fi
node scripts/build.mjs "$repo_dir/build/jovo_dynamodb.wasm"

node22="$package_dir/node_modules/node-22/bin/node"
node24="$package_dir/node_modules/node-24/bin/node"
status=0
echo "== edge tests on Node $("$node24" --version): edge entry, workerd, Chromium ==" >&2
"$node24" --test --test-concurrency=1 --test-reporter=spec test/edge/*.test.js || status=1
for runtime in node "$node22"; do
  echo "== edge entry on Node $("$runtime" --version) ==" >&2
  "$runtime" --test --test-reporter=spec test/edge/edge-api.test.js || status=1
done
exit "$status"
