#!/usr/bin/env bash
# Where the component's CPU goes, counted in instructions (valgrind's callgrind), for the
# large item: (1) the Rust host with the component in wasmtime against the stub server,
# collecting only inside DynamoDbStore::load_user / save_user, grouped by
# bench/profile_groups.py into the component's JIT code, wasmtime, JSON, memcpy, ...;
# (2) the guest's own code compiled natively (bench-guest-native), whose symbols callgrind
# can name, to see which of the guest's steps cost what. Needs bench/run.sh to have built
# the bench crate. Writes bench/out/profile/; takes about 3 minutes.
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$bench/rust/target/release"
out="$bench/out/profile"
mkdir -p "$out"
cd "$out"
shape="${1:-large}"
ops=20

exec 3< <(exec node "$bench/servers/stub.cjs")
stub_pid=$!
trap 'kill "$stub_pid" 2>/dev/null || true' EXIT
read -r line <&3
endpoint="${line#listening }"

# Under valgrind the CPU features differ, so wasmtime compiles anew: give it its own cache.
export JOVO_DYNAMODB_CACHE_DIR="$out/compile-cache"
for op in load_user save_user; do
  valgrind --tool=callgrind --toggle-collect="jovo_dynamodb_host::runtime::DynamoDbStore::$op" \
    --callgrind-out-file="ours-$shape-$op.out" "$bin/bench-ours" "$endpoint" latency "$shape" "$ops" 1 0 >/dev/null 2>"ours-$shape-$op.log"
done
valgrind --tool=callgrind --callgrind-out-file="native-$shape.out" "$bin/bench-guest-native" "$shape" "$ops" >/dev/null 2>"native-$shape.log"

# load: $ops calls; save: $ops + 1 (latency mode saves once before it starts).
python3 "$bench/profile_groups.py" "ours-$shape-load_user.out" "$ops"
python3 "$bench/profile_groups.py" "ours-$shape-save_user.out" "$((ops + 1))"
echo "guest natively, inclusive instructions per operation ($ops loads, $((ops + 1)) saves):"
callgrind_annotate --inclusive=yes --auto=no --threshold=100 "native-$shape.out" |
  grep -E "jovo_dynamodb_wasm::(client::Client<H>::(load_user|save_user)|client::parse_item|protocol::(put_item|parse_response)|marshal::(marshal_item|unmarshal_item)|signing::signature_headers) |serde_json::ser::to_vec |serde_json::value::to_value " |
  grep -v "'2" | sed -E 's/ \[.*$//; s#/root/.cargo/registry/src/[^/]*/##; s#/work/main/##'
