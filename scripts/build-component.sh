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
    # Debian's rustc may be older than the workspace's lock file allows, so the guest alone
    # (its own workspace, without dev-dependencies) is resolved anew with dependency
    # versions that this rustc accepts.
    src=build/guest-fallback
    mkdir -p "$src"
    rm -rf "$src/src" "$src/wit"
    cp -r src wit "$src/"
    {
      echo '[workspace]'
      sed -e '/^\[workspace\]/,/^$/d' -e '/^\[workspace.package\]/,/^$/d' -e '/^\[dev-dependencies\]/,/^$/d' \
          -e 's/^edition.workspace = true/edition = "2021"/' -e 's/^license.workspace = true/license = "Apache-2.0"/' \
          -e 's/^rust-version.workspace = true/rust-version = "1.85"/' Cargo.toml
    } >"$src/Cargo.toml"
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
# The Rust host embeds the component (include_bytes!) so that a project depending on it
# needs nothing else; its copy follows every build (a stale copy fails its tests).
embedded=host-tests/rust/component/jovo_dynamodb.wasm
if [ -d "$(dirname "$embedded")" ] && ! cmp -s "$out" "$embedded"; then
  cp "$out" "$embedded"
fi
echo "component: $out ($(stat -c %s "$out") bytes, $(gzip -9c "$out" | wc -c) gzipped)" >&2
