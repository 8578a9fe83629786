# The README's commands. Each installs what it needs into ./.venv first.
.PHONY: run test lint sam-build fuzz

run:        ## the whole stack locally, with a demo tenant
	infra/scripts/run.sh

test:       ## every test (what CI runs)
	infra/scripts/test.sh

lint:       ## clippy with warnings as errors
	cargo clippy --workspace --all-targets -- -D warnings

sam-build:  ## release arm64 build of every function with SAM
	infra/scripts/sam-build.sh

fuzz:       ## the fuzz targets under libFuzzer (nightly, cargo-bolero), FUZZ_SECONDS each
	infra/scripts/fuzz.sh
