#!/usr/bin/env bash
# Benchmark, not a test: Lighthouse of the signed-in dashboard against a local stack of its own
# (the browser tests' stack script), in Debian's Chromium. Prints the scores README quotes.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_venv
ensure_chromium
cd "$ROOT"
"$ROOT/infra/scripts/web.sh"
cargo build -q -p confide-local
(cd web/bench && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error)

export CONFIDE_E2E_PORT="${CONFIDE_E2E_PORT:-3120}" CONFIDE_E2E_MOTO_PORT="${CONFIDE_E2E_MOTO_PORT:-4620}"
"$ROOT/infra/scripts/e2e-stack.sh" >.local/lighthouse-stack.log 2>&1 &
stack_pid=$!
trap 'kill $stack_pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$CONFIDE_E2E_PORT/v1/health" >/dev/null 2>&1 && break
  sleep 0.5
done
CONFIDE_BENCH_URL="http://127.0.0.1:$CONFIDE_E2E_PORT" node web/bench/lighthouse.mjs
