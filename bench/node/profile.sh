#!/usr/bin/env bash
# Where Node's CPU goes per operation: `node --cpu-prof` of bench.mjs (small item, stub,
# concurrency 1), summarised by cpuprofile.mjs, for ours, aws-lite and the original on one
# Node version. Needs bench/run.sh to have installed everything. Writes bench/out/cpuprof/.
#
#   bench/node/profile.sh [node-binary] [ops=3000]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node_bin="${1:-node}"
ops="${2:-3000}"
warmup=300
out="$here/../out/cpuprof/$("$node_bin" --version)"
rm -rf "$out" && mkdir -p "$out"
exec 3< <(exec node "$here/../servers/stub.cjs")
stub_pid=$!
trap 'kill "$stub_pid" 2>/dev/null || true' EXIT
read -r line <&3
endpoint="${line#listening }"
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
for client in ours awslite original floor; do
  "$node_bin" --cpu-prof --cpu-prof-dir="$out/$client" --cpu-prof-interval 50 "$here/bench.mjs" "$client" "$endpoint" latency small "$ops" 1 "$warmup" >"$out/$client.jsonl"
  echo "== $client ($("$node_bin" --version)): $(python3 -c "
import json,sys
for l in open(sys.argv[1]): d=json.loads(l); print(d['op'], round(d['cpu_us']), 'us CPU/op;', end=' ')" "$out/$client.jsonl")"
  # every operation of the run, warm-up included (a load and a save each)
  node "$here/cpuprofile.mjs" "$out/$client"/*.cpuprofile 15 $((2 * ops + 2 * warmup + 1))
done
