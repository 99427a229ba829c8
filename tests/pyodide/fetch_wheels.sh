#!/usr/bin/env bash
# Download the pinned pure-Python wheels (requirements.txt beside this file, with
# their sha256) that run.mjs installs into Pyodide. Idempotent: a wheel already in
# wheels/ with the pinned hash is kept; a wrong one is replaced. Every wheel must be
# py3-none-any: the npm Pyodide package has no micropip and cannot load extensions
# compiled for CPython.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="$here/wheels"
mkdir -p "$dest"
PY="${PYTHON:-$root/.venv/bin/python}"
[ -x "$PY" ] || PY=python3

missing="$(mktemp)"
trap 'rm -f "$missing"' EXIT
while read -r line; do
  spec="${line%%#*}"
  [ -n "${spec// /}" ] || continue
  req="${spec%% *}"                    # name==version
  hash="${spec##*--hash=sha256:}"
  name="$(echo "${req%%==*}" | tr '[:upper:]-' '[:lower:]_')"
  version="${req##*==}"
  ok=0
  for f in "$dest"/*.whl; do
    [ -e "$f" ] || continue
    base="$(basename "$f" | tr '[:upper:]' '[:lower:]')"
    case "$base" in "${name}-${version}-"*py3-none-any.whl) ;; *) continue ;; esac
    if [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$hash" ]; then ok=1; else rm -f "$f"; fi
  done
  [ "$ok" = 1 ] || echo "$spec" >> "$missing"
done < "$here/requirements.txt"

if [ ! -s "$missing" ]; then
  echo "fetch_wheels: all wheels present in tests/pyodide/wheels/"
  exit 0
fi
echo "fetch_wheels: downloading $(cut -d' ' -f1 "$missing" | tr '\n' ' ')"
# Hashes in the file put pip in --require-hashes mode: a wheel that differs from the pin is refused.
"$PY" -m pip download --quiet --disable-pip-version-check --only-binary=:all: --platform any \
  --python-version 3.14 --implementation py --no-deps --dest "$dest" -r "$missing"
