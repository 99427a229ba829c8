"""The browser scripts bundled from their ES modules (website/kernel_lab_mkdocs/bundle.py): what esbuild makes, the
cache that spares a rebuild from running it again, and the errors that name the entry."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from kernel_lab_mkdocs import bundle as bundling
from kernel_lab_mkdocs.bundle import BundleError, bundle

pytestmark = pytest.mark.skipif(not bundling.ESBUILD.exists(), reason="esbuild not installed (npm ci)")


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An entry importing one module, and a cache of its own (in memory and on disk)."""
    monkeypatch.setattr(bundling, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(bundling, "_memory", {})
    src = tmp_path / "src"
    src.mkdir()
    (src / "words.js").write_text('export function greeting(name) {\n  return "Hello, " + name;\n}\n')
    (src / "main.js").write_text('import { greeting } from "./words.js";\nwindow.klGreeting = greeting("reader");\n')
    return src


def test_an_entry_and_what_it_imports_become_one_script(modules: Path) -> None:
    script = bundle(modules / "main.js", "iife").decode()
    assert script.startswith('"use strict";\n(() => {'), script[:40]
    assert 'return "Hello, " + name;' in script and 'window.klGreeting = greeting("reader");' in script
    assert "import " not in script and "export " not in script
    module = bundle(modules / "main.js", "esm").decode()
    assert "(() => {" not in module and 'greeting("reader")' in module


def test_the_same_sources_give_the_same_bytes_without_running_esbuild_again(
    modules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = bundle(modules / "main.js", "iife")

    def no_esbuild(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("esbuild ran again")

    monkeypatch.setattr(subprocess, "run", no_esbuild)
    assert bundle(modules / "main.js", "iife") == first  # from memory
    monkeypatch.setattr(bundling, "_memory", {})
    assert bundle(modules / "main.js", "iife") == first  # from build/bundles/ (a new `mkdocs build`)


def test_an_edited_import_is_bundled_again(modules: Path) -> None:
    before = bundle(modules / "main.js", "iife")
    (modules / "words.js").write_text('export function greeting(name) {\n  return "Hi, " + name;\n}\n')
    after = bundle(modules / "main.js", "iife")
    assert b'"Hi, "' in after and b'"Hello, "' in before


def test_esbuild_refusing_the_sources_is_an_error_naming_the_entry(modules: Path) -> None:
    (modules / "words.js").write_text("export function greeting(name {\n")
    with pytest.raises(BundleError, match=r"(?s)esbuild could not bundle \S*main\.js:\n.*words\.js"):
        bundle(modules / "main.js", "iife")


def test_esbuild_missing_is_an_error_naming_the_entry(modules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundling, "ESBUILD", bundling.ROOT / "node_modules" / ".bin" / "no-esbuild")
    with pytest.raises(BundleError, match=r"cannot bundle .*main\.js: node_modules/\.bin/no-esbuild is missing"):
        bundle(modules / "main.js", "iife")
