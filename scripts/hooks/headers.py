# MkDocs hook: a `_headers` file in the built site (Netlify and Cloudflare Pages read it) that
# - lets browsers keep every file whose name the build made from a hash of its content for a year without asking
#   again:  Cache-Control: public, max-age=31536000, immutable
#   Those are the theme's own assets (main.<hash>.min.css, bundle.<hash>.min.js ...), the calculators' runtime
#   (scripts/hooks/calculators.py: calc.<hash>.js, calc-worker.<hash>.mjs, python.<hash>.zip and the folder
#   pyodide/<hash>/) and mkdocstrings' renamed stylesheet (scripts/hooks/theme.py). A new content is a new name, so
#   a returning reader gets a new build at once: the pages themselves (HTML, sitemap, search index) get the host's
#   default (max-age=0, must-revalidate on both hosts). Files copied as they are from docs/ or the theme override
#   are never listed, whatever their names (an image called 20240101.png is not a hash).
# - refuses to let other sites frame the pages (clickjacking): a meta Content-Security-Policy cannot carry
#   frame-ancestors, so it is sent as a header here, with X-Frame-Options for browsers that predate it.
# Paths start at site_url's path, so a site built for a sub-path lists its sub-path.

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

__all__ = ["FRAMING", "IMMUTABLE", "hashed_files", "headers_file"]

IMMUTABLE = "public, max-age=31536000, immutable"
FRAMING = {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"}
# A name part of 8 or more hex digits between dots (main.57a0d79d.min.css), or a folder named by one.
HASHED = re.compile(r"(^|/)([^/]*\.)?[0-9a-f]{8,}(\.[^/]*|/.*)$")

authored: set[str] = set()  # site paths of the files copied from docs/ and the theme override (on_files)


def hashed_files(site: Path, exclude: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The files of the built site whose names carry a content hash, as paths relative to it, less ``exclude``."""
    names = (path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file())
    return sorted(name for name in names if HASHED.search(name) and name not in exclude)


def headers_file(site: Path, prefix: str, exclude: set[str] | frozenset[str] = frozenset()) -> str:
    framing = "".join(f"  {name}: {value}\n" for name, value in FRAMING.items())
    rules = [f"{prefix}{name}\n  Cache-Control: {IMMUTABLE}\n" for name in hashed_files(site, exclude)]
    return (
        "# Every page: no framing by other sites (scripts/hooks/headers.py).\n"
        f"{prefix}*\n{framing}"
        "# Files named by a hash of their content: browsers may keep them.\n" + "".join(rules)
    )


def on_files(files: Files, config: MkDocsConfig) -> Files:
    roots = [Path(config.docs_dir).resolve()]
    if config.theme.custom_dir:
        roots.append(Path(config.theme.custom_dir).resolve())
    authored.clear()
    for f in files:
        if f.abs_src_path and any(Path(f.abs_src_path).resolve().is_relative_to(root) for root in roots):
            authored.add(f.dest_uri)
    return files


def on_post_build(config: MkDocsConfig) -> None:
    site = Path(config.site_dir)
    prefix = urlsplit(config.site_url or "/").path or "/"
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    (site / "_headers").write_text(headers_file(site, prefix, authored), encoding="utf-8")
