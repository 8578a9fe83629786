#!/usr/bin/env bash
# The fuzz targets under libFuzzer with AddressSanitizer: cargo-bolero on the nightly toolchain, each
# target for FUZZ_SECONDS (default 60). `make test` runs the same targets as property tests on stable;
# this is the longer, coverage-guided search, kept out of CI for its cold nightly build of every crate.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzzing needs a nightly toolchain (rustup toolchain install nightly)" >&2
  exit 1
fi
command -v cargo-bolero >/dev/null 2>&1 || cargo install cargo-bolero --version 0.13.4 --locked
target_dir="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/fuzz}"
seconds="${FUZZ_SECONDS:-60}"
targets=(
  "confide-shared every_route_body_parses_or_refuses_cleanly"
  "confide-shared an_error_never_quotes_more_than_forty_characters_of_a_body"
  "confide-shared text_checks_take_any_string"
  "confide-shared stripe_webhook_bodies_and_signatures"
  "confide-shared contacts_csv_imports_or_refuses_every_row"
  "confide-shared twilio_webhook_forms_and_signatures"
  "confide-shared any_text_is_pseudonymised_and_restored"
  "confide-local gateway::tests::any_query_string_decodes"
  "confide-local gateway::tests::encoded_query_values_round_trip"
  "confide-local gateway::tests::any_request_becomes_an_event_lambda_http_reads"
  "confide-local gateway::tests::any_path_is_matched_or_not"
  "confide-local jwt::tests::any_authorization_header_is_refused_cleanly"
)
for entry in "${targets[@]}"; do
  read -r package target <<<"$entry"
  echo "== $package $target (${seconds}s)"
  cargo bolero test --toolchain nightly --package "$package" --target-dir "$target_dir" \
    -T "${seconds}s" "$target"
done
