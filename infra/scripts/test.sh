#!/usr/bin/env bash
# Every test: template checks, formatting, unit tests and the integration tests against the local
# stack (each test binary starts its own emulator on a free port).
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_venv lint api pii
cd "$ROOT"
start=$(date +%s)

echo "== cfn-lint template.yaml"
"$VENV/bin/cfn-lint" template.yaml
echo "== sam validate --lint"
"$VENV/bin/sam" validate --lint --template template.yaml
echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== the Faker corpus is what Faker writes (shared/tests/pii/faker/)"
"$VENV/bin/python" shared/tests/pii/faker/generate.py | cmp - shared/tests/pii/faker/sentences.json \
  || { echo "shared/tests/pii/faker/sentences.json differs from generate.py's output: regenerate it" >&2; exit 1; }

echo "== cargo test"
export CONFIDE_MOTO_SERVER="$VENV/bin/moto_server"
export CONFIDE_SCHEMATHESIS="$VENV/bin/schemathesis"
cargo test --workspace --no-fail-fast "$@"

echo "== docs: the book builds, no internal link is broken"
"$ROOT/infra/scripts/docs.sh"

echo "== web app: build (type-checks against the API's OpenAPI document), unit tests"
"$ROOT/infra/scripts/web.sh"
(cd web && npm test --silent)

echo "== web app: browser tests (Playwright in Debian's Chromium, against a local stack)"
ensure_chromium
cargo build -q -p confide-local
(cd web && npx playwright test)

echo "test command took $(( $(date +%s) - start )) s"
