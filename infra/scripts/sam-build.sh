#!/usr/bin/env bash
# `sam build` of every function (release, arm64, via cargo-lambda + zig from PyPI), then the sizes
# of the bootstrap binaries. Slow on a cold target dir (release builds of the AWS SDK and DB-ESDK).
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_venv lint build
cd "$ROOT"
export PATH="$VENV/bin:$PATH"
sam build --template template.yaml "$@"
echo "bootstrap and deploy zip sizes:"
find .aws-sam/build -name bootstrap | sort | xargs "$VENV/bin/python" infra/scripts/zip_sizes.py
