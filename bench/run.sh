#!/usr/bin/env bash
# Benchmarks (not tests): builds what they need, runs them (bench/run.py), and writes
# bench/results.json, bench/RESULTS.md and bench/results.svg (bench/report.py).
#
#   bench/run.sh           the full run (about 10 minutes on 2 cores, after the first build)
#   bench/run.sh --quick   fewer repetitions (for trying changes)
#
# Everything it builds or installs stays under bench/ (git-ignored): the Rust bench crate's
# own target dir, bench/node/node_modules, a copy of js-shim built in bench/node/.shim,
# a venv in bench/python/.venv, and clean SDK installs in */.sizes for the size figures.
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

# Rust: our wasmtime host, aws-sdk-dynamodb and the floor, release profile, own lock file.
(cd "$bench/rust" && cargo build --release --locked --quiet)

# Node: the original plugin, jco, Node 24; then the js-shim as it is now, copied and
# transpiled here (its own dist/ and node_modules are left alone).
node_dir="$bench/node"
if [ ! -f "$node_dir/node_modules/.package-lock.json" ] || [ "$node_dir/package-lock.json" -nt "$node_dir/node_modules/.package-lock.json" ]; then
  (cd "$node_dir" && { npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; })
  touch "$node_dir/node_modules/.package-lock.json"
fi
rm -rf "$node_dir/.shim" && mkdir -p "$node_dir/.shim/scripts"
cp -r "$repo/js-shim/src" "$repo/js-shim/package.json" "$node_dir/.shim/"
cp "$repo/js-shim/scripts/build.mjs" "$node_dir/.shim/scripts/"
ln -s ../node_modules "$node_dir/.shim/node_modules"
node "$node_dir/.shim/scripts/build.mjs" "$repo/build/jovo_dynamodb.wasm" 2>/dev/null

# Python: a venv of the Python host's pinned dependencies and boto3 (the package itself is
# used from host-tests/python/src, nothing is installed there).
py="$bench/python/.venv/bin/python"
[ -x "$py" ] || python3 -m venv "$bench/python/.venv"
"$py" -m pip install --quiet --disable-pip-version-check wasmtime==50.0.1 'urllib3>=2,<3' boto3==1.44.5

# Clean installs, only for measuring the SDKs' installed sizes.
sizes="$node_dir/.sizes"
if [ ! -d "$sizes/node_modules" ]; then
  version() { node -p "require('$node_dir/node_modules/$1/package.json').version"; }
  mkdir -p "$sizes" && echo '{"private":true}' > "$sizes/package.json"
  (cd "$sizes" && npm install --no-audit --no-fund --loglevel=error \
    "@aws-sdk/client-dynamodb@$(version @aws-sdk/client-dynamodb)" "@aws-sdk/util-dynamodb@$(version @aws-sdk/util-dynamodb)")
fi
pysizes="$bench/python/.sizes"
if [ ! -d "$pysizes/boto3" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check --target "$pysizes/boto3" boto3==1.44.5
fi
if [ ! -d "$pysizes/ours" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check --target "$pysizes/ours" wasmtime==50.0.1 'urllib3>=2,<3'
  mkdir -p "$pysizes/ours/jovo_dynamodb"
  cp "$repo"/host-tests/python/src/jovo_dynamodb/*.py "$repo/host-tests/python/src/jovo_dynamodb/py.typed" "$pysizes/ours/jovo_dynamodb/"
  cp "$repo/build/jovo_dynamodb.wasm" "$pysizes/ours/jovo_dynamodb/component.wasm"
fi

python3 "$bench/run.py" "$@"
python3 "$bench/report.py"
