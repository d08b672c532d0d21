#!/usr/bin/env bash
# Visits per second and CPU per visit of the example app composed with the WASI build (served
# by wasmtime's wasi:http host) next to the Rust host's tokio store doing the same visit, at
# concurrency 1 and 16 against dynalite (host-tests/wasi/examples/throughput.rs). Prints a
# Markdown table and writes it to bench/wasi-throughput.md with the commit it measured.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory component example >/dev/null
table="$(cargo --locked run --quiet --release -p jovo-dynamodb-wasi-tests --example throughput)"
printf '%s\n' "$table"
{
  echo "# Composed WASI example vs the Rust tokio store (bench/wasi-throughput.sh)"
  echo
  echo "Commit $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%Y-%m-%d). Each row runs for 5 s against"
  echo "dynalite; CPU is the measuring process's (for the composed example: the wasi:http server, the"
  echo "component and the small HTTP clients driving it; for the tokio store: the store)."
  echo
  printf '%s\n' "$table"
} > bench/wasi-throughput.md
