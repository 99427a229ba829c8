"""scripts/hooks/headers.py on a small site: only the files the build named by their content's hash are kept for a
year (a docs image whose name happens to be hex digits is not), and every page refuses to be framed (issue 22)."""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from scripts.bench.hosts import header_rules
from scripts.hooks import headers

IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}


def _build(tmp_path: Path, site_url: str) -> list[tuple[str, dict[str, str]]]:
    docs, site = tmp_path / "docs", tmp_path / "site"
    (docs / "images").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    (docs / "images" / "20240101.png").write_bytes(b"\x89PNG")
    (docs / "images" / "photo.deadbeef.jpg").write_bytes(b"jpg")
    config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    config.load_dict({"site_name": "t", "docs_dir": str(docs), "site_dir": str(site), "site_url": site_url})
    failed, _ = config.validate()
    assert not failed, failed
    files = Files([File(p.relative_to(docs).as_posix(), str(docs), str(site), False) for p in docs.rglob("*.*")])
    runtime = tmp_path / "runtime"  # a hook's file from outside docs/ (calculators.py adds Pyodide's like this)
    (runtime / "assets" / "kernel-lab").mkdir(parents=True)
    (runtime / "assets" / "kernel-lab" / "calc.0123456789.js").write_text("js")
    files.append(File("assets/kernel-lab/calc.0123456789.js", str(runtime), str(site), False))
    getattr(headers, "on_files", lambda files, config: files)(files, config)  # the hook may have none
    for f in files:  # what MkDocs would write
        (site / f.dest_uri).parent.mkdir(parents=True, exist_ok=True)
        (site / f.dest_uri).write_bytes(Path(f.abs_src_path or "").read_bytes())
    headers.on_post_build(config)
    return header_rules((site / "_headers").read_text())


def test_only_files_the_build_hashed_are_kept_for_a_year(tmp_path: Path) -> None:
    rules = _build(tmp_path, "https://example.org/kernel-lab/")
    cached = {path for path, h in rules if h == IMMUTABLE}
    assert cached == {"/kernel-lab/assets/kernel-lab/calc.0123456789.js"}  # not the two images from docs/


def test_every_page_refuses_framing(tmp_path: Path) -> None:
    rules = _build(tmp_path, "https://example.org/")
    framing = [(path, h) for path, h in rules if "X-Frame-Options" in h]
    assert framing == [("/*", {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"})]
    assert sys.modules["scripts.bench.hosts"]._matches("/*", "/layer/index.html")
