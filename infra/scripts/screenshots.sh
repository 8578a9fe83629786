#!/usr/bin/env bash
# Retakes the README's screenshots (docs/screenshots/) from a local stack of their own.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_venv
ensure_chromium
cd "$ROOT"
"$ROOT/infra/scripts/web.sh"
cargo build -q -p confide-local
export CONFIDE_E2E_PORT="${CONFIDE_E2E_PORT:-3120}" CONFIDE_E2E_MOTO_PORT="${CONFIDE_E2E_MOTO_PORT:-4620}"
"$ROOT/infra/scripts/e2e-stack.sh" >.local/screenshots-stack.log 2>&1 &
stack_pid=$!
trap 'kill $stack_pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$CONFIDE_E2E_PORT/v1/health" >/dev/null 2>&1 && break
  sleep 0.5
done
CONFIDE_BENCH_URL="http://127.0.0.1:$CONFIDE_E2E_PORT" node web/scripts/screenshots.mjs
