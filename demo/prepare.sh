#!/usr/bin/env bash
# Builds what `make demo` runs, each step skipped when its inputs did not change:
#   - the Jovo app of js-shim/test/deploy/app (the Jovo template's shape) with this package
#     installed from its `npm pack` tarball, compiled by tsc and bundled exactly as
#     `jovo deploy:code` does (esbuild --bundle --platform=node --format=cjs):
#     build/demo/jovo-lambda.cjs
#   - a venv with the Python package installed: build/demo/venv
# The Rust demo binary is built by the Makefile (`make host`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/build/demo"
mkdir -p "$out"
fingerprint() { cat "$@" | sha256sum | cut -d' ' -f1; }
quiet_npm() { npm "$@" --no-audit --no-fund --loglevel=error >/dev/null; }

# The package, packed as it would be published (prepack builds dist/ from the component).
shim="$root/js-shim"
if [ ! -f "$shim/node_modules/.package-lock.json" ] || [ "$shim/package-lock.json" -nt "$shim/node_modules/.package-lock.json" ]; then
  (cd "$shim" && quiet_npm ci && touch node_modules/.package-lock.json)
fi
shim_inputs="$(fingerprint "$root/build/jovo_dynamodb.wasm" "$shim/package.json" "$shim/scripts/build.mjs" \
  $(find "$shim/src" -type f | sort))"
if [ "$(cat "$out/.shim" 2>/dev/null)" != "$shim_inputs" ] || ! ls "$out"/jovo-dynamodb-wasm-*.tgz >/dev/null 2>&1; then
  rm -f "$out"/jovo-dynamodb-wasm-*.tgz
  (cd "$shim" && npm pack --pack-destination "$out" --loglevel=error >/dev/null)
  echo "$shim_inputs" >"$out/.shim"
fi
tarball="$(ls "$out"/jovo-dynamodb-wasm-*.tgz)"

# The Jovo app with that tarball, compiled and bundled.
app="$root/js-shim/test/deploy/app"
if [ ! -f "$app/node_modules/.package-lock.json" ] || [ "$app/package-lock.json" -nt "$app/node_modules/.package-lock.json" ]; then
  (cd "$app" && quiet_npm ci && touch node_modules/.package-lock.json)
fi
app_inputs="$(fingerprint "$tarball" "$app/package.json" "$app/tsconfig.json" $(find "$app/src" -type f | sort))"
if [ "$(cat "$out/.app" 2>/dev/null)" != "$app_inputs" ] || [ ! -f "$out/jovo-lambda.cjs" ]; then
  (cd "$app" && quiet_npm install --no-save "$tarball" && node_modules/.bin/tsc -p tsconfig.json &&
    node_modules/.bin/esbuild --bundle --platform=node --format=cjs --log-level=error \
      --outfile="$out/jovo-lambda.cjs" dist/server.lambda.js)
  echo "$app_inputs" >"$out/.app"
fi

# Python: the package and its runtime dependencies only.
venv="$out/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
py_inputs="$(fingerprint "$root/build/jovo_dynamodb.wasm" "$root/host-tests/python/pyproject.toml" "$root/host-tests/python/setup.py" \
  $(find "$root/host-tests/python/src" -name '*.py' | sort))"
if [ "$(cat "$out/.python" 2>/dev/null)" != "$py_inputs" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$root/host-tests/python"
  echo "$py_inputs" >"$out/.python"
fi
