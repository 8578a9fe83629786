#!/usr/bin/env bash
# Retakes the README's screenshots (docs/screenshots/) from a local stack of their own.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_venv
ensure_chromium
cd "$ROOT"
"$ROOT/infra/scripts/web.sh"
cargo build -q -p confide-local
start_local_stack_for_bench
CONFIDE_BENCH_URL="$BENCH_URL" node web/scripts/screenshots.mjs
