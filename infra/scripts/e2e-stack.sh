#!/usr/bin/env bash
# The local stack for the browser tests: its own emulator and gateway on their own ports (so a
# `make run` beside it is left alone), serving web/dist. Playwright starts it and stops it.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
MOTO_PORT="${CONFIDE_E2E_MOTO_PORT:-4610}"
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export CONFIDE_LISTEN="127.0.0.1:${CONFIDE_E2E_PORT:-3110}"
# Twilio's API is the browser tests' own stand-in (e2e/twilio.ts), which records what Confide sends.
export CONFIDE_TWILIO_API_BASE="http://127.0.0.1:${CONFIDE_E2E_TWILIO_PORT:-3111}"
export CONFIDE_SENDGRID_API_BASE="http://127.0.0.1:${CONFIDE_E2E_TWILIO_PORT:-3111}/sendgrid"
export CONFIDE_CAMPAIGN_SEND_RATE=20
# Retries of a failed analysis come at once instead of after minutes.
export CONFIDE_LOCAL_RETRY_SECONDS=1

mkdir -p .local
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >.local/e2e-moto.log 2>&1 &
moto_pid=$!
app_pid=""
stop() {
  trap - EXIT INT TERM
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  kill "$moto_pid" 2>/dev/null
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fs "$AWS_ENDPOINT_URL/moto-api/" >/dev/null 2>&1 && break
  sleep 0.2
done
# In the background and waited for, so that a signal to this script stops both at once.
"${CARGO_TARGET_DIR:-target}/debug/confide-local" &
app_pid=$!
wait "$app_pid"
