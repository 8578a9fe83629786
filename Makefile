# The README's commands. Each installs what it needs into ./.venv first.
.PHONY: run test lint docs sam-build fuzz lighthouse screenshots

run:        ## the whole stack locally, with a demo tenant
	infra/scripts/run.sh

test:       ## every test (what CI runs)
	infra/scripts/test.sh

lint:       ## clippy with warnings as errors; the workspace-hack crate is current
	cargo clippy --workspace --all-targets -- -D warnings
	command -v cargo-hakari >/dev/null 2>&1 || cargo install cargo-hakari --version 0.9.39 --locked
	cargo hakari generate --diff
	cargo hakari manage-deps --dry-run

docs:       ## the book in docs/ (mdBook, installed from crates.io), its links checked
	infra/scripts/docs.sh

sam-build:  ## release arm64 build of every function with SAM
	infra/scripts/sam-build.sh

fuzz:       ## the fuzz targets under libFuzzer (nightly, cargo-bolero), FUZZ_SECONDS each
	infra/scripts/fuzz.sh

lighthouse: ## benchmark: Lighthouse of the signed-in dashboard against a local stack
	infra/scripts/lighthouse.sh

screenshots: ## retake README's screenshots (docs/screenshots) from a local stack
	infra/scripts/screenshots.sh
