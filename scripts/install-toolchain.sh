#!/usr/bin/env bash
# Installs what building the component and running the tests need, on a fresh Debian
# machine with rustup, Node 20 and Python 3.11 (as root, package registries only).
# Idempotent and quick when everything is there.
#
# The wasm target: `rustup target add wasm32-unknown-unknown`. When that cannot be had,
# Debian's rustc-web + rust-web-src + lld-19 build the standard library for wasm32 from
# source (-Zbuild-std); build-component.sh reads build/toolchain.env to know which.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/build"
env_file="$root/build/toolchain.env"

have_rustup_target() {
  command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown
}

install_wasm_target() {
  if [ "${JOVO_FORCE_TOOLCHAIN_FALLBACK:-}" != 1 ]; then
    if have_rustup_target || rustup target add wasm32-unknown-unknown >&2; then
      echo "TOOLCHAIN=rustup" >"$env_file"
      echo "toolchain: rustup target wasm32-unknown-unknown" >&2
      return
    fi
    echo "rustup could not add wasm32-unknown-unknown; falling back to Debian's rustc-web" >&2
  fi
  if ! { [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] && [ -x /usr/lib/llvm-19/bin/wasm-ld ]; }; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rustc-web cargo-web rust-web-src lld-19 >&2
  fi
  echo "TOOLCHAIN=debian-build-std" >"$env_file"
  echo "toolchain: Debian rustc-web with -Zbuild-std" >&2
}

install_node_tools() {
  local dir="$root/scripts/node"
  # Reinstall only when the lock file changed since the last install. `npm ci`, which never
  # writes the tracked lock file: it lists the optional packages of every platform jco's
  # dependencies support, so npm ci accepts it on each.
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2 && touch node_modules/.package-lock.json)
  fi
}

if [ ! -f "$env_file" ] || ! grep -q '^TOOLCHAIN=' "$env_file" || { grep -q '^TOOLCHAIN=rustup' "$env_file" && ! have_rustup_target; }; then
  install_wasm_target
fi
install_node_tools

# The example app component (examples/visit-counter) is a plain wasm32-wasip2 build. Without
# rustup (the Debian fallback) it cannot be built, and `make example` says so.
if command -v rustup >/dev/null && ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2; then
  rustup target add wasm32-wasip2 >&2 || echo "rustup could not add wasm32-wasip2: make example will fail" >&2
fi
