#!/usr/bin/env bash
# Retakes the README's screenshots (docs/screenshots/) from a local stack of their own.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
start_local_stack_for_bench
CONFIDE_BENCH_URL="$BENCH_URL" node web/scripts/screenshots.mjs
