"""_headers from the manifest (website/kernel_lab_mkdocs/headers.py, manifest.py): only the files the build named
by their content's hash are kept for a year (a docs image whose name happens to be hex digits is not), and every page
refuses to be framed (issue 22)."""

from __future__ import annotations

import sys

from kernel_lab_mkdocs.headers import headers_file
from kernel_lab_mkdocs.manifest import Manifest
from scripts.bench.hosts import header_rules

IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}


def _rules(site_url_path: str) -> tuple[list[tuple[str, dict[str, str]]], str]:
    manifest = Manifest()
    hashed = manifest.name("assets/kernel-lab/calculators.js", b"js")
    # What the site also holds but the build did not name by content: an authored image whose name is hex digits.
    assert "images/20240101.png" not in manifest.immutable and "images/photo.deadbeef.jpg" not in manifest.immutable
    return header_rules(headers_file(manifest.immutable, site_url_path)), hashed


def test_only_files_the_build_hashed_are_kept_for_a_year() -> None:
    rules, hashed = _rules("/kernel-lab/")
    cached = {path for path, h in rules if h == IMMUTABLE}
    assert cached == {f"/kernel-lab/{hashed}"}
    assert hashed.startswith("assets/kernel-lab/calculators.") and hashed.endswith(".js") and hashed.count(".") == 2


def test_every_page_refuses_framing() -> None:
    rules, _ = _rules("/")
    framing = [(path, h) for path, h in rules if "X-Frame-Options" in h]
    assert framing == [("/*", {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"})]
    assert sys.modules["scripts.bench.hosts"]._matches("/*", "/layer/index.html")
