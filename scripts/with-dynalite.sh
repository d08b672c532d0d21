#!/usr/bin/env bash
# Runs a command with a dynalite server on 127.0.0.1, then stops the server by its PID.
# The command finds the server in DYNAMODB_ENDPOINT.
#   scripts/with-dynalite.sh COMMAND [ARGS...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log="$(mktemp)"
node "$here/node/dynalite-server.cjs" >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q '^listening ' "$log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; echo "dynalite did not start" >&2; exit 1; }
  sleep 0.1
done
endpoint="$(sed -n 's/^listening //p' "$log")"
[ -n "$endpoint" ] || { cat "$log" >&2; echo "dynalite did not start within 10 s" >&2; exit 1; }
echo "dynalite: $endpoint (pid $server_pid)" >&2
DYNAMODB_ENDPOINT="$endpoint" "$@"
