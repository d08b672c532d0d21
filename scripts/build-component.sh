#!/usr/bin/env bash
# Builds the guest for wasm32 and wraps the core module into the component
# build/jovo_dynamodb.wasm (with jco). Quick when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck disable=SC1091
source build/toolchain.env
out=build/jovo_dynamodb.wasm

case "$TOOLCHAIN" in
  rustup)
    cargo build --quiet --target wasm32-unknown-unknown --profile wasm-release -p jovo-dynamodb-wasm
    core=target/wasm32-unknown-unknown/wasm-release/jovo_dynamodb_wasm.wasm
    ;;
  debian-build-std)
    # Debian's rustc is older than the workspace's lock file allows, so the guest alone is
    # resolved anew with dependency versions that this rustc accepts.
    src=build/guest-fallback
    mkdir -p "$src"
    cp -r src wit "$src/"
    sed -e '/^\[workspace\]/,/^$/d' -e '/^\[workspace.package\]/,/^$/d' \
        -e 's/\.workspace = true/ = "2021"/' Cargo.toml | sed -e 's/^license = "2021"/license = "Apache-2.0"/' -e 's/^rust-version = "2021"/rust-version = "1.85"/' >"$src/Cargo.toml"
    (cd "$src" && CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld \
      /usr/bin/cargo build --quiet --target wasm32-unknown-unknown --profile wasm-release -Zbuild-std=std,panic_abort)
    core=$src/target/wasm32-unknown-unknown/wasm-release/jovo_dynamodb_wasm.wasm
    ;;
  *) echo "unknown TOOLCHAIN '$TOOLCHAIN' in build/toolchain.env; run scripts/install-toolchain.sh" >&2; exit 1 ;;
esac

if [ ! -f "$out" ] || [ "$core" -nt "$out" ]; then
  scripts/node/node_modules/.bin/jco new "$core" -o "$out.tmp" >/dev/null
  mv "$out.tmp" "$out"
fi
echo "component: $out ($(stat -c %s "$out") bytes, $(gzip -9c "$out" | wc -c) gzipped)" >&2
