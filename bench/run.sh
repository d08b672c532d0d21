#!/usr/bin/env bash
# Benchmarks (not tests): builds what they need, runs them (bench/run.py), and writes
# bench/results.json, bench/RESULTS.md and bench/results.svg (bench/report.py).
#
#   bench/run.sh           the full run (about 15 minutes on 2 cores, after the first build;
#                          the first build of the Rust bench crate takes ~18 minutes more)
#   bench/run.sh --quick   fewer repetitions (for trying changes)
#   bench/run.sh --typed-items   only what sets and binary cost on Node 24 (bench/typed_items.py,
#                          bench/typed-items.md); the full run ends with it too
#
# Everything it builds or installs stays under bench/ (git-ignored): the Rust bench crate's
# own target dir, bench/node/node_modules, the js-shim packed by npm pack from a copy
# (bench/node/.shim) and installed from that tarball (bench/node/.ours), a venv in
# bench/python/.venv, and clean SDK installs in */.sizes for the size figures. The Jovo
# cold start runs js-shim/test/deploy/coldstart.sh, on the app scripts/test-deploy.sh
# prepared (run here when that app's installed package is not the one packed here).
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$bench/.." && pwd)"

# The component (the project's own build) and the dynalite launcher's node modules.
if [ ! -f "$repo/build/jovo_dynamodb.wasm" ]; then
  "$repo/scripts/install-toolchain.sh"
  "$repo/scripts/build-component.sh"
fi
[ -d "$repo/scripts/node/node_modules" ] || (cd "$repo/scripts/node" && npm ci --no-audit --no-fund --loglevel=error)

# GNU time measures peak RSS (bench/run.py).
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null

# Node: the original plugin, aws-lite (Node 22 and 24 are js-shim's dev dependencies).
node_dir="$bench/node"
install_locked() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    # npm ci only: it never writes the tracked lock files (an npm install fallback would).
    npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json
  fi
}
(cd "$node_dir" && install_locked)
(cd "$repo/js-shim" && install_locked)
# Ours: js-shim as it is now, copied (its own dist/ is left alone), built by its own build
# script, packed by npm pack and installed from the tarball as a user gets it.
rm -rf "$node_dir/.shim" "$node_dir/.ours" && mkdir -p "$node_dir/.shim" "$node_dir/.ours/node_modules/jovo-dynamodb-wasm"
cp -r "$repo/js-shim/src" "$repo/js-shim/scripts" "$repo/js-shim/package.json" "$repo/js-shim/README.md" "$node_dir/.shim/"
rm -rf "$node_dir/.shim/src/generated"
ln -s "$repo/js-shim/node_modules" "$node_dir/.shim/node_modules"
node "$node_dir/.shim/scripts/build.mjs" "$repo/build/jovo_dynamodb.wasm" >/dev/null
tarball="$node_dir/.shim/$(cd "$node_dir/.shim" && npm pack --silent --ignore-scripts)"
tar xzf "$tarball" --strip-components=1 -C "$node_dir/.ours/node_modules/jovo-dynamodb-wasm"

# `bench/run.sh --typed-items`: only what sets and binary cost on Node (bench/typed_items.py).
if [ "${1:-}" = "--typed-items" ]; then
  exec python3 "$bench/typed_items.py"
fi

# Rust: our wasmtime host (blocking and tokio), aws-sdk-dynamodb and the floor, release
# profile, own lock file.
(cd "$bench/rust" && cargo build --release --locked --quiet)


# The Jovo app the cold-start harness bundles: prepared by js-shim's deploy tests, from this
# tarball, when its installed package differs from it.
app_pkg="$repo/js-shim/test/deploy/app/node_modules/jovo-dynamodb-wasm"
if [ ! -f "$repo/js-shim/test/deploy/app/dist/server.lambda.js" ] || ! diff -rq "$app_pkg/dist" "$node_dir/.ours/node_modules/jovo-dynamodb-wasm/dist" >/dev/null 2>&1; then
  mkdir -p "$bench/out"
  echo "run.sh: preparing the deploy app (js-shim/scripts/test-deploy.sh with this tarball)" >&2
  DEPLOY_TARBALL="$tarball" "$repo/js-shim/scripts/test-deploy.sh" >"$bench/out/test-deploy.log" 2>&1 ||
    { tail -30 "$bench/out/test-deploy.log" >&2; exit 1; }
fi

# Python: a venv of the Python host's pinned dependencies and boto3 (the package itself is
# used from host-tests/python/src, nothing is installed there).
py="$bench/python/.venv/bin/python"
pydeps=(wasmtime==50.0.1 'urllib3>=2,<3' aiohttp==3.14.5)
[ -x "$py" ] || python3 -m venv "$bench/python/.venv"
"$py" -m pip install --quiet --disable-pip-version-check "${pydeps[@]}" boto3==1.44.5

# Clean installs, only for measuring the installed sizes.
sizes="$node_dir/.sizes"
version() { node -p "require('$node_dir/node_modules/$1/package.json').version"; }
if [ ! -d "$sizes/sdk/node_modules" ]; then
  mkdir -p "$sizes/sdk" && echo '{"private":true}' > "$sizes/sdk/package.json"
  (cd "$sizes/sdk" && npm install --no-audit --no-fund --loglevel=error \
    "@aws-sdk/client-dynamodb@$(version @aws-sdk/client-dynamodb)" "@aws-sdk/util-dynamodb@$(version @aws-sdk/util-dynamodb)")
fi
if [ ! -d "$sizes/awslite/node_modules" ]; then
  mkdir -p "$sizes/awslite" && echo '{"private":true}' > "$sizes/awslite/package.json"
  (cd "$sizes/awslite" && npm install --no-audit --no-fund --loglevel=error \
    "@aws-lite/client@$(version @aws-lite/client)" "@aws-lite/dynamodb@$(version @aws-lite/dynamodb)")
fi
pysizes="$bench/python/.sizes"
if [ ! -d "$pysizes/boto3" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check --target "$pysizes/boto3" boto3==1.44.5
fi
if [ ! -d "$pysizes/ours" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check --target "$pysizes/ours" "${pydeps[@]}"
fi
rm -rf "$pysizes/ours/jovo_dynamodb" && mkdir -p "$pysizes/ours/jovo_dynamodb"
cp "$repo"/host-tests/python/src/jovo_dynamodb/*.py "$repo/host-tests/python/src/jovo_dynamodb/py.typed" "$pysizes/ours/jovo_dynamodb/"
cp "$repo/build/jovo_dynamodb.wasm" "$pysizes/ours/jovo_dynamodb/component.wasm"

python3 "$bench/run.py" "$@"
python3 "$bench/typed_items.py"
python3 "$bench/report.py"
