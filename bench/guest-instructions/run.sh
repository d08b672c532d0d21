#!/usr/bin/env bash
# The guest's own instructions per operation, before and after a change of the guest (last:
# issue 18, the guest on aws-sigv4, http and serde_json), counted by callgrind on the guest
# compiled natively behind a host that answers at once (canned_host.rs): no wasmtime, no HTTP, only the guest's work.
#   bench/guest-instructions/run.sh [BEFORE_COMMIT]     (default 8dc4795: the guest before the libraries of issue 18)
# Prints a table; builds in bench/guest-instructions/target-*; about 2 minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
before="${1:-8dc4795}"
command -v valgrind >/dev/null || apt-get install -y -q valgrind >/dev/null
if [ ! -e "$here/checkout-before/.git" ]; then
  git -C "$here" worktree add --force --detach "$here/checkout-before" "$before" >/dev/null 2>&1
fi
git -C "$here/checkout-before" checkout --quiet --detach "$before"
for side in before after; do
  (cd "$here/$side" && CARGO_TARGET_DIR="$here/target-$side" cargo build --release --quiet)
done
instructions() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
printf '%-6s %-5s %14s %14s %7s\n' item op before after ratio
for shape in small large; do
  for op in load save; do
    n=50; [ "$shape" = large ] && n=20
    row=()
    for side in before after; do
      bin="$here/target-$side/release/guest-instructions-$side"
      base=$(instructions "$bin" "$shape" "$op" 0)
      run=$(instructions "$bin" "$shape" "$op" "$n")
      row+=($(( (run - base) / n )))
    done
    printf '%-6s %-5s %14s %14s %7s\n' "$shape" "$op" "${row[0]}" "${row[1]}" "$(python3 -c "print(f'{${row[1]}/${row[0]}:.2f}x')")"
  done
done
