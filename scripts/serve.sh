#!/usr/bin/env bash
# Set up, then serve the site with live reload on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_CHROMIUM=1 bash scripts/setup.sh
export NO_MKDOCS_2_WARNING=1
exec .venv/bin/mkdocs serve "$@"
