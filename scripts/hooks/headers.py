# MkDocs hook: a `_headers` file in the built site (Netlify and Cloudflare Pages read it) that lets browsers keep
# every file whose name carries a hash of its content for a year without asking again:
#   Cache-Control: public, max-age=31536000, immutable
# Those are the theme's own assets (main.<hash>.min.css, bundle.<hash>.min.js ...) and the calculators' runtime
# (scripts/hooks/calculators.py: calc.<hash>.js, calc-worker.<hash>.mjs, python.<hash>.zip and the folder
# pyodide/<hash>/). A new content is a new name, so a returning reader gets a new build at once: the pages
# themselves (HTML, sitemap, search index) get the host's default (max-age=0, must-revalidate on both hosts).
# Paths start at site_url's path, so a site built for a sub-path lists its sub-path.

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig

IMMUTABLE = "public, max-age=31536000, immutable"
# A name part of 8 or more hex digits between dots (main.57a0d79d.min.css), or a folder named by one.
HASHED = re.compile(r"(^|/)([^/]*\.)?[0-9a-f]{8,}(\.[^/]*|/.*)$")


def hashed_files(site: Path) -> list[str]:
    """The files of the built site whose names carry a content hash, as paths relative to it."""
    names = (path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file())
    return sorted(name for name in names if HASHED.search(name))


def headers_file(site: Path, prefix: str) -> str:
    rules = [f"{prefix}{name}\n  Cache-Control: {IMMUTABLE}\n" for name in hashed_files(site)]
    return "# Files named by a hash of their content: browsers may keep them (scripts/hooks/headers.py).\n" + "".join(
        rules
    )


def on_post_build(config: MkDocsConfig) -> None:
    site = Path(config.site_dir)
    prefix = urlsplit(config.site_url or "/").path or "/"
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    (site / "_headers").write_text(headers_file(site, prefix), encoding="utf-8")
