#!/usr/bin/env bash
# Installed size of this package vs @jovotech/db-dynamodb 4.1.0 with its @aws-sdk
# dependencies: `du` of a clean `npm install` of each into an empty folder. The peer
# dependency @jovotech/framework is left out of both (--legacy-peer-deps).
# Run after scripts/test.sh has built dist/.
set -euo pipefail
package_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

install_into() {
  mkdir -p "$work/$1" && (cd "$work/$1" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error --legacy-peer-deps "$2" >/dev/null)
  echo "$1: $(du -sh "$work/$1/node_modules" | cut -f1) on disk ($(du -sb "$work/$1/node_modules" | cut -f1) bytes), $(find "$work/$1/node_modules" -type f | wc -l) files"
}

tarball="$(cd "$work" && npm pack --silent "$package_dir")"
install_into ours "$work/$tarball"
install_into original "@jovotech/db-dynamodb@4.1.0"
echo "ours in detail (bytes):"
(cd "$work/ours/node_modules/jovo-dynamodb-wasm" && du -b dist/* | sort -k2)
