#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: Python packages into .venv (from the
# lock file), npm packages (from package-lock.json), and Debian's Chromium, Firefox
# and WebKitGTK for the browser tests. Re-running skips whatever is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages from requirements.txt"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi

# The project's own packages, installed editable (their sources stay where they are): calc (pyproject.toml), and
# the site's Python with its MkDocs plugins (website/pyproject.toml: kernel_lab, kernel_lab_mkdocs, and the
# plugins' entry points that mkdocs.yml names). scripts/ and tests/ run from the repository's root.
site_packages=$(.venv/bin/python -c "import sysconfig; print(sysconfig.get_path('purelib'))")
rm -f "$site_packages/kernel-lab.pth"  # the path file of earlier set-ups
editable_stamp=.venv/.editable.sha256
want=$(cat pyproject.toml website/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$editable_stamp" 2>/dev/null)" != "$want" ] || ! .venv/bin/python -c "import calc, kernel_lab_mkdocs" 2>/dev/null; then
  echo "setup: installing calc and the site's packages (editable)"
  # Python 3.11's venv carries setuptools (>= 64 builds editable installs); elsewhere pip fetches it to build.
  isolation=$(.venv/bin/python -c "import setuptools" 2>/dev/null && echo --no-build-isolation || true)
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps $isolation -e . -e website
  echo "$want" > "$editable_stamp"
fi

npm_stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing npm packages from package-lock.json"
  # puppeteer-core (Firefox for the engine tests) has no install script and downloads no browser; the variable
  # makes sure of it should a dependency ever add one.
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$npm_stamp"
fi

# Debian's browsers for the browser tests: chromium (driven by Playwright), firefox-esr (by npm puppeteer-core over
# WebDriver BiDi), webkit2gtk-driver (WebKitWebDriver and WebKitGTK's MiniBrowser) and xvfb (MiniBrowser's display).
# SKIP_CHROMIUM=1 leaves Chromium out, SKIP_ENGINES=1 Firefox and WebKit (their tests then skip, saying why).
apt_packages=()
if [ "${SKIP_CHROMIUM:-0}" != 1 ] && [ ! -x /usr/bin/chromium ]; then
  apt_packages+=(chromium)
fi
if [ "${SKIP_ENGINES:-0}" != 1 ]; then
  command -v firefox-esr >/dev/null || apt_packages+=(firefox-esr)
  command -v WebKitWebDriver >/dev/null || apt_packages+=(webkit2gtk-driver)
  command -v Xvfb >/dev/null || apt_packages+=(xvfb)
fi
# Licence texts the site's licences page quotes (website/kernel_lab_mkdocs/licences.py, from Debian's copyright
# files): emscripten-doc's (Emscripten and the runtime libraries it links into Pyodide's wasm: musl, libc++,
# compiler-rt; its 0.9 MB documentation package shares the 800 MB compiler's copyright file) and CPython's python3.N
# (the libmpdec CPython bundles; unpinned: Debian replaces its security updates).
[ -f /usr/share/doc/emscripten-doc/copyright ] || apt_packages+=("emscripten-doc=3.1.6~dfsg-5")
compgen -G "/usr/share/doc/python3.[0-9]*/copyright" >/dev/null || apt_packages+=(python3)
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "setup: installing Debian's ${apt_packages[*]} (browser tests, licence texts)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi
# Pure-Python wheels (pytest, hypothesis, ...) for running the calc tests inside Pyodide.
if [ -f tests/pyodide/fetch_wheels.sh ]; then
  bash tests/pyodide/fetch_wheels.sh
fi
echo "setup: ready"
