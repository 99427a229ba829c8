#!/usr/bin/env bash
# Download the pinned pure-Python wheels (requirements.txt beside this file) that
# run.mjs installs into Pyodide. Idempotent: a wheel already in wheels/ is kept.
# Every wheel must be py3-none-any: the npm Pyodide package has no micropip and
# cannot load compiled extensions built for CPython.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="$here/wheels"
mkdir -p "$dest"
PY="${PYTHON:-$root/.venv/bin/python}"
[ -x "$PY" ] || PY=python3

missing=()
while read -r line; do
  spec="${line%%#*}"
  spec="$(echo "$spec" | tr -d '[:space:]')"
  [ -n "$spec" ] || continue
  name="${spec%%==*}"
  version="${spec##*==}"
  # Wheel file names use underscores and may differ in case from the requirement.
  pattern="$(echo "$name" | tr '[:upper:]-' '[:lower:]_')-${version}-"
  if ! ls "$dest" 2>/dev/null | tr '[:upper:]' '[:lower:]' | grep -q "^${pattern}.*py3-none-any\.whl$"; then
    missing+=("$spec")
  fi
done < "$here/requirements.txt"

if [ ${#missing[@]} -eq 0 ]; then
  echo "fetch_wheels: all wheels present in tests/pyodide/wheels/"
  exit 0
fi
echo "fetch_wheels: downloading ${missing[*]}"
"$PY" -m pip download --quiet --disable-pip-version-check --only-binary=:all: --platform any \
  --python-version 3.14 --implementation py --no-deps --dest "$dest" "${missing[@]}"
