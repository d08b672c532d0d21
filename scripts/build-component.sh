#!/usr/bin/env bash
# Builds the guest for wasm32 and wraps each core module into a component (with jco):
# build/jovo_dynamodb.wasm (world `persistence`, our hosts) and build/jovo_dynamodb_wasi.wasm
# (world `persistence-wasi`, the same sources with the `wasi` feature, for wasm-native
# runtimes). Quick when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck disable=SC1091
source build/toolchain.env

# build_core <features>: builds one core module and sets $core to its path
build_core() {
case "$TOOLCHAIN" in
  rustup)
    # Each world in its own target directory, so building one never invalidates the other.
    local target=target/wasm32-unknown-unknown/wasm-release
    [ -n "$1" ] && target=target/wasi-guest/wasm32-unknown-unknown/wasm-release
    cargo build --quiet --target wasm32-unknown-unknown --profile wasm-release -p jovo-dynamodb-wasm \
      ${1:+--features "$1" --target-dir target/wasi-guest}
    core=$target/jovo_dynamodb_wasm.wasm
    ;;
  debian-build-std)
    # Debian's rustc may be older than the workspace's lock file allows, so the guest alone
    # (its own workspace, without dev-dependencies) is resolved anew with dependency
    # versions that this rustc accepts.
    src=build/guest-fallback${1:+-$1}
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
      /usr/bin/cargo build --quiet --target wasm32-unknown-unknown --profile wasm-release -Zbuild-std=std,panic_abort \
      ${1:+--features "$1"})
    core=$src/target/wasm32-unknown-unknown/wasm-release/jovo_dynamodb_wasm.wasm
    ;;
  *) echo "unknown TOOLCHAIN '$TOOLCHAIN' in build/toolchain.env; run scripts/install-toolchain.sh" >&2; exit 1 ;;
esac
}

# componentize <core module> <component>
componentize() {
  if [ ! -f "$2" ] || [ "$1" -nt "$2" ]; then
    scripts/node/node_modules/.bin/jco new "$1" -o "$2.tmp" >/dev/null
    mv "$2.tmp" "$2"
  fi
  echo "component: $2 ($(stat -c %s "$2") bytes, $(gzip -9c "$2" | wc -c) gzipped)" >&2
}

out=build/jovo_dynamodb.wasm
build_core ""
componentize "$core" "$out"
build_core wasi
componentize "$core" build/jovo_dynamodb_wasi.wasm
# The Rust host embeds the component (include_bytes!) so that a project depending on it
# needs nothing else; its copy follows every build (a stale copy fails its tests).
embedded=host-tests/rust/component/jovo_dynamodb.wasm
if [ -d "$(dirname "$embedded")" ] && ! cmp -s "$out" "$embedded"; then
  cp "$out" "$embedded"
fi
