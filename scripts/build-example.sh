#!/usr/bin/env bash
# Builds the example app component examples/visit-counter (wasm32-wasip2, its own crate and
# lock file) into build/visit_counter.wasm. The tests and `make demo` compose it with
# build/jovo_dynamodb_wasi.wasm (wac-graph, as `wac plug` does). Quick when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root/examples/visit-counter" && cargo build --locked --quiet --release)
out="$root/build/visit_counter.wasm"
built="$root/examples/visit-counter/target/wasm32-wasip2/release/visit_counter.wasm"
if ! cmp -s "$built" "$out"; then
  cp "$built" "$out"
fi
echo "example: $out ($(stat -c %s "$out") bytes, $(gzip -9c "$out" | wc -c) gzipped)" >&2
