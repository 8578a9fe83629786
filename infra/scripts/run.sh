#!/usr/bin/env bash
# The whole of Confide on this machine: AWS emulator, resources from template.yaml, demo tenant,
# local API gateway. Ctrl-C stops everything this script started.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_venv
cd "$ROOT"

MOTO_PORT="${CONFIDE_MOTO_PORT:-4566}"
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local

moto_pid=""
app_pid=""
cleanup() {
  trap - EXIT INT TERM
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null
  wait 2>/dev/null || true
  echo "stopped everything this script started"
}
trap cleanup EXIT INT TERM

if curl -fs "$AWS_ENDPOINT_URL/moto-api/" >/dev/null 2>&1; then
  echo "using the emulator already running at $AWS_ENDPOINT_URL"
else
  mkdir -p .local
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >.local/moto.log 2>&1 &
  moto_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "$AWS_ENDPOINT_URL/moto-api/" >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "emulator started at $AWS_ENDPOINT_URL (log: .local/moto.log)"
fi

"$ROOT/infra/scripts/web.sh"
cargo build -q -p confide-local
# In the background and waited for, so that a signal to this script stops everything at once.
"${CARGO_TARGET_DIR:-target}/debug/confide-local" &
app_pid=$!
wait "$app_pid"
