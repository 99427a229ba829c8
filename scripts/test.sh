#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up, lint, type-check, pytest
# (including the cross-check against real Keras and the browser tests), and
# the calc test suite again inside Pyodide under Node.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NO_MKDOCS_2_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
echo "== node tests (the browser scripts' modules)"; node --test tests/node/
echo "== pytest"; .venv/bin/python -m pytest "$@"
if [ -f tests/pyodide/run.mjs ]; then
  echo "== calc tests inside Pyodide (Node)"; node tests/pyodide/run.mjs
fi
