#!/usr/bin/env bash
# Cold start of the bundled Jovo Lambda handler answering one LaunchRequest (table existing),
# ours vs @jovotech/db-dynamodb 4.1.0: the same app (app/src, copied into original/ with the
# plugin's import changed), both bundled here with the same esbuild command.
#
#   test/deploy/coldstart.sh [--runs 15] [--nodes 20,22,24]   interleaved runs, summaries
#   test/deploy/coldstart.sh --serve                          dynalite + both bundles ready,
#                                                             commands printed, for other tools
#
# The bundle command is `esbuild --bundle --platform=node --format=cjs`; with
# BUNDLE_FLAGS=template it is the Jovo template's bundle script instead (--minify --keep-names,
# the CLI and aws-sdk external). Ours is bundled from app/dist and the package installed there
# from the npm pack tarball by scripts/test-deploy.sh: run that first, and again after changing
# the package. Installs original/'s dependencies when needed.
set -euo pipefail
deploy_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package_dir="$(cd "$deploy_dir/../.." && pwd)"
out_dir="$deploy_dir/.work/coldstart"

case "${BUNDLE_FLAGS:-exact}" in
  exact) flags=(--bundle --platform=node --format=cjs) ;;
  template) flags=(--bundle --minify --keep-names --platform=node --format=cjs
    --external:aws-sdk '--external:@oclif/*' '--external:@jovotech/cli*') ;;
  *) echo "coldstart.sh: BUNDLE_FLAGS is exact or template" >&2; exit 2 ;;
esac

if [ ! -f "$deploy_dir/app/dist/server.lambda.js" ] || [ ! -d "$deploy_dir/app/node_modules/jovo-dynamodb-wasm" ]; then
  echo "coldstart.sh: the app is not built: run scripts/test-deploy.sh first" >&2
  exit 1
fi

cd "$deploy_dir/original"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error   # never writes the tracked lock file
  touch node_modules/.package-lock.json
fi
rm -rf src dist
cp -R ../app/src src
cp ../app/tsconfig.json tsconfig.json
sed -i "s#from 'jovo-dynamodb-wasm'#from '@jovotech/db-dynamodb'#" src/app.ts
grep -q "from '@jovotech/db-dynamodb'" src/app.ts
node node_modules/typescript/bin/tsc -p .

rm -rf "$out_dir"
for variant in ours original; do
  app="$deploy_dir/app"; [ "$variant" = original ] && app="$deploy_dir/original"
  (cd "$app" && node_modules/.bin/esbuild dist/server.lambda.js "${flags[@]}" \
    --outfile="$out_dir/$variant/index.js" --log-level=error)
done
ls -l "$out_dir"/*/index.js >&2

cd "$package_dir"
exec node test/deploy/coldstart.mjs "$@"
