"""The browser scripts the site ships, bundled from their ES modules by esbuild (pinned in package.json, installed
into node_modules/ by scripts/setup.sh) at build time: one file per entry, not minified (readable in the browser's
developer tools, each module under a comment naming its source), no source map.

A bundle is cached in memory and in ``build/bundles/``, keyed on the entry, the format, esbuild's version and the
bytes of every file it was made of (esbuild's metafile lists them), so a rebuild under `mkdocs serve` that changed
none of them does not run esbuild.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

__all__ = ["BundleError", "bundle"]

ROOT = Path(__file__).resolve().parents[2]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
CACHE = ROOT / "build" / "bundles"
# Not minified; no newer syntax lowered (the browsers the site supports run what the sources use). A classic
# script (iife) is strict as its modules were.
OPTIONS = {
    "iife": ["--format=iife", '--banner:js="use strict";'],
    "esm": ["--format=esm"],
}
COMMON = ["--bundle", "--charset=utf8", "--legal-comments=inline", "--log-level=warning"]

_memory: dict[str, tuple[dict[str, str], bytes]] = {}  # key -> (input path -> sha256, bundle)


class BundleError(RuntimeError):
    """esbuild is missing or could not bundle an entry (the message names the entry)."""


def bundle(entry: Path, fmt: Literal["iife", "esm"]) -> bytes:
    """The script ``entry`` (an ES module) bundled with everything it imports, as a classic script (``iife``) or an
    ES module (``esm``).

    Parameters:
        entry: the entry module.
        fmt: ``"iife"`` (one function run at once: for a ``<script src>``) or ``"esm"`` (a module: a module
            worker, ``<script type="module">``).

    Returns:
        The bundle's bytes (UTF-8), the same for the same sources.

    Raises:
        BundleError: esbuild is not installed or failed; the message names the entry and says why.
    """
    entry = entry.resolve()
    key = _key(entry, fmt)
    for cached in (_memory.get(key), _from_disk(key)):
        if cached is not None and _unchanged(cached[0]):
            _memory[key] = cached
            return cached[1]
    inputs, output = _run_esbuild(entry, fmt)
    _memory[key] = (inputs, output)
    _to_disk(key, inputs, output)
    return output


def _key(entry: Path, fmt: str) -> str:
    """What a bundle depends on besides its inputs' bytes: the entry, the format, the options, esbuild's version."""
    version = ROOT / "node_modules" / "esbuild" / "package.json"
    release = json.loads(version.read_text())["version"] if version.exists() else "missing"
    text = json.dumps([str(entry), fmt, OPTIONS[fmt], COMMON, release])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _unchanged(inputs: dict[str, str]) -> bool:
    return all(_digest(ROOT / name) == digest for name, digest in inputs.items())


def _run_esbuild(entry: Path, fmt: str) -> tuple[dict[str, str], bytes]:
    """esbuild's bundle of ``entry`` and the files it read (its metafile), relative to ROOT."""
    name = entry.relative_to(ROOT) if entry.is_relative_to(ROOT) else entry
    if not ESBUILD.exists():
        raise BundleError(
            f"cannot bundle {name}: {ESBUILD.relative_to(ROOT)} is missing (run `npm ci`: scripts/setup.sh)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        out, meta = Path(tmp) / "bundle.js", Path(tmp) / "meta.json"
        # Run from ROOT: the comments naming each module in the bundle are then paths in the repository.
        cmd = [str(ESBUILD), str(name), *COMMON, *OPTIONS[fmt], f"--outfile={out}", f"--metafile={meta}"]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True)
        if done.returncode != 0 or not out.exists() or not meta.exists():
            why = done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode}"
            raise BundleError(f"esbuild could not bundle {name}:\n{why}")
        read = json.loads(meta.read_text())["inputs"]
        output = out.read_bytes()
    inputs = {path: _digest(ROOT / path) for path in sorted(read)}
    return inputs, output


def _from_disk(key: str) -> tuple[dict[str, str], bytes] | None:
    try:
        inputs = json.loads((CACHE / f"{key}.json").read_text())
        return inputs, (CACHE / f"{key}.js").read_bytes()
    except (OSError, ValueError):
        return None


def _to_disk(key: str, inputs: dict[str, str], output: bytes) -> None:
    """The list of inputs (what _from_disk checks) goes last: a write cut short is not taken for a bundle."""
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / f"{key}.json").unlink(missing_ok=True)
        (CACHE / f"{key}.js").write_bytes(output)
        (CACHE / f"{key}.json").write_text(json.dumps(inputs, indent=1))
    except OSError:
        pass  # a read-only checkout: bundled again next time
