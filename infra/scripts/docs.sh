#!/usr/bin/env bash
# Builds the book in docs/ with mdBook into docs/book/, then checks that every link inside it (and
# every README link into docs/) reaches a page and, where it names one, a heading.
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_mdbook
cd "$ROOT"
"$MDBOOK" build docs
python3 infra/scripts/check-links.py docs/book README.md
