#!/usr/bin/env bash
# Benchmark, not a test: Lighthouse of the signed-in dashboard against a local stack of its own
# (the browser tests' stack script), in Debian's Chromium. Prints the scores README quotes.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
(cd web/bench && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error)

start_local_stack_for_bench
CONFIDE_BENCH_URL="$BENCH_URL" node web/bench/lighthouse.mjs
