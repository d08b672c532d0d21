#!/usr/bin/env bash
# The long fuzz run: the guest's property tests (tests/properties.rs) with many cases per
# property, so that at least 1,000,000 generated cases run in total. Prints the number of
# properties, the total cases and the wall time.
#   scripts/fuzz.sh                       # 200,000 cases per property
#   PROPTEST_CASES=1000000 scripts/fuzz.sh
# A failing case is shrunk and printed by proptest, and saved to
# tests/properties.proptest-regressions so that every later run tries it first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cases="${PROPTEST_CASES:-200000}"
cargo="cargo --locked"

# Build first, so that the wall time below is the fuzzing alone.
$cargo test --release -p jovo-dynamodb-wasm --test properties --no-run
properties=$($cargo test --release -p jovo-dynamodb-wasm --test properties -- --list 2>/dev/null | grep -c ': test$')
total=$((properties * cases))
echo "fuzz: $properties properties x $cases cases = $total cases" >&2

start=$(date +%s.%N)
PROPTEST_CASES="$cases" $cargo test --release -p jovo-dynamodb-wasm --test properties
end=$(date +%s.%N)
wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')
rate=$(awk -v t="$total" -v w="$wall" 'BEGIN { printf "%.0f", t / w }')
echo "fuzz: $total cases ($properties properties x $cases) passed in ${wall} s wall time (${rate} cases/s)"
