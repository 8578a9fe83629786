# Sourced by the other scripts: makes sure the project venv holds the tools they need.
# Everything comes from PyPI into ./.venv; nothing is installed system-wide.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
MOTO_VERSION="5.2.5"

ensure_venv() {
  # $@: extra requirement sets: "lint" (cfn-lint, sam), "build" (cargo-lambda, ziglang),
  # "api" (schemathesis, which tests the API from its OpenAPI document), "pii" (Faker, which writes
  # the pseudonymisation test's second corpus)
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
  fi
  local wanted=("moto[server]==$MOTO_VERSION")
  for set in "$@"; do
    case "$set" in
      lint) wanted+=("cfn-lint==1.58.*" "aws-sam-cli==1.170.*") ;;
      build) wanted+=("cargo-lambda==1.9.*" "ziglang==0.*") ;;
      api) wanted+=("schemathesis==4.32.*") ;;
      pii) wanted+=("faker==38.3.0") ;;
    esac
  done
  local stamp="$VENV/.installed-$(printf '%s\n' "${wanted[@]}" | sha1sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    echo "installing into .venv: ${wanted[*]}" >&2
    "$VENV/bin/pip" install -q "${wanted[@]}"
    touch "$stamp"
  fi
}

ensure_chromium() {
  # The browser tests drive Debian's Chromium; Playwright's own browser downloads are not used.
  export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
  if [ ! -x "$CHROMIUM" ]; then
    echo "installing Debian's chromium for the browser tests" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

start_local_stack_for_bench() {
  # Builds the web app and the gateway, then starts the browser tests' stack (own emulator and
  # gateway) on ports of its own, in the background until the calling script exits; waits for its
  # health route. Sets BENCH_URL.
  ensure_venv
  ensure_chromium
  "$ROOT/infra/scripts/web.sh"
  (cd "$ROOT" && cargo build -q -p confide-local)
  export CONFIDE_E2E_PORT="${CONFIDE_E2E_PORT:-3120}" CONFIDE_E2E_MOTO_PORT="${CONFIDE_E2E_MOTO_PORT:-4620}"
  mkdir -p "$ROOT/.local"
  "$ROOT/infra/scripts/e2e-stack.sh" >"$ROOT/.local/bench-stack.log" 2>&1 &
  local stack_pid=$!
  trap "kill $stack_pid 2>/dev/null; wait 2>/dev/null" EXIT
  BENCH_URL="http://127.0.0.1:$CONFIDE_E2E_PORT"
  for _ in $(seq 1 300); do
    curl -fs "$BENCH_URL/v1/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "the local stack did not start (see .local/bench-stack.log)" >&2
  return 1
}

export SAM_CLI_TELEMETRY=0
export AWS_REGION="${AWS_REGION:-eu-west-1}"

ensure_mdbook() {
  # mdBook from crates.io, built once into a tools directory beside cargo's cached target directory
  # (outside the clone, as CI caches it). Sets MDBOOK.
  local version="0.5.4"
  local tools="${CONFIDE_TOOLS:-$HOME/.cache/confide/tools}"
  MDBOOK="$tools/bin/mdbook"
  if [ ! -x "$MDBOOK" ] || [ "$("$MDBOOK" --version)" != "mdbook v$version" ]; then
    echo "installing mdbook $version into $tools" >&2
    cargo install -q mdbook --version "$version" --locked --no-default-features --root "$tools"
  fi
}
