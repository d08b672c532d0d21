#!/usr/bin/env bash
# Cold start of the bundled Jovo Lambda handler answering one LaunchRequest (table existing),
# ours vs @jovotech/db-dynamodb 4.1.0 vs no database plugin: the same app (app/src, copied into
# original/ with the plugin's import changed, and into app/.work/none/ with the plugin removed),
# all three bundled here with the same esbuild command. The third one is the baseline that
# tells each plugin's own share of the cold start (variant - none).
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

# The baseline: no database plugin at all rather than FileDb. FileDb (@jovotech/db-filedb) is
# a plugin too, with its own code and a JSON file read and written per request, so "variant -
# FileDb" would hide part of what a plugin costs; with none, the difference is everything the
# plugin adds: its code loaded and run, and its load and save round trips to dynalite. Without
# a plugin Jovo keeps $user.data in memory, so the app still answers (always visit number 1,
# which lambda-runner.cjs accepts with firstVisit `any`). It lives under app/ (git-ignored
# .work/) so it resolves app/node_modules: the very framework files ours is bundled with.
none_dir="$deploy_dir/app/.work/none"
rm -rf "$none_dir" && mkdir -p "$none_dir"
cp -R "$deploy_dir/app/src" "$none_dir/src"
cp "$deploy_dir/app/tsconfig.json" "$none_dir/tsconfig.json"
sed -i -e "/from 'jovo-dynamodb-wasm'/d" -e '/^    new DynamoDb({$/,/^    }),$/d' "$none_dir/src/app.ts"
if grep -q DynamoDb "$none_dir/src/app.ts"; then
  echo "coldstart.sh: could not remove the plugin from app.ts (its layout changed?)" >&2
  exit 1
fi
(cd "$none_dir" && node "$deploy_dir/app/node_modules/typescript/bin/tsc" -p .)

rm -rf "$out_dir"
for variant in ours original none; do
  # (the same esbuild version in app/ and original/, pinned in both package.json files)
  case "$variant" in
    ours) app="$deploy_dir/app" esbuild="$deploy_dir/app/node_modules/.bin/esbuild" ;;
    original) app="$deploy_dir/original" esbuild="$deploy_dir/original/node_modules/.bin/esbuild" ;;
    none) app="$none_dir" esbuild="$deploy_dir/app/node_modules/.bin/esbuild" ;;
  esac
  (cd "$app" && "$esbuild" dist/server.lambda.js "${flags[@]}" \
    --outfile="$out_dir/$variant/index.js" --log-level=error)
done
ls -l "$out_dir"/*/index.js >&2

cd "$package_dir"
exec node test/deploy/coldstart.mjs "$@"
