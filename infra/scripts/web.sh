#!/usr/bin/env bash
# Builds the web app into web/dist when its sources, its lock file or the API description changed:
# writes the OpenAPI document the Rust types produce to web/openapi.json, installs the locked npm
# packages (npm ci) when package-lock.json changed, then type-checks and bundles (npm run build),
# which prints the initial JavaScript size against its budget.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
WEB="$ROOT/web"

cargo build -q -p confide-shared --bin confide-openapi
"${CARGO_TARGET_DIR:-target}/debug/confide-openapi" >"$WEB/openapi.json.new"
if cmp -s "$WEB/openapi.json.new" "$WEB/openapi.json"; then
  rm "$WEB/openapi.json.new"
else
  mv "$WEB/openapi.json.new" "$WEB/openapi.json"
fi

cd "$WEB"
lock_stamp="node_modules/.confide-lock-$(sha1sum package-lock.json | cut -c1-12)"
if [ ! -f "$lock_stamp" ]; then
  echo "== npm ci (web/)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lock_stamp"
fi

sources_hash="$(cat openapi.json package-lock.json index.html vite.config.ts tsconfig.json eslint.config.js \
  $(find src scripts eslint -type f ! -name 'api-schema.ts' | LC_ALL=C sort) | sha1sum | cut -c1-16)"
if [ -f dist/.sources-hash ] && [ "$(cat dist/.sources-hash)" = "$sources_hash" ]; then
  echo "web app up to date (web/dist)"
  exit 0
fi
echo "== npm run build (web/)"
npm run -s build
echo "$sources_hash" >dist/.sources-hash
