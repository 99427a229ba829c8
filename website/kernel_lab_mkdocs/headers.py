"""A ``_headers`` file for the built site (Netlify and Cloudflare Pages read it) that

- lets browsers keep every file the manifest lists (website/kernel_lab_mkdocs/manifest.py: named by its content's
  hash, by this build or by the theme) for a year without asking again:
  ``Cache-Control: public, max-age=31536000, immutable``. A new content is a new name, so a returning reader gets
  a new build at once; the pages themselves (HTML, sitemap, search index) get the host's default (max-age=0,
  must-revalidate on both hosts). Nothing is listed for its name alone: an image called 20240101.png is not a hash;
- refuses to let other sites frame the pages (clickjacking): a meta Content-Security-Policy cannot carry
  frame-ancestors, so it is sent as a header here, with X-Frame-Options for browsers that predate it.

Paths start at site_url's path, so a site built for a sub-path lists its sub-path.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FRAMING", "IMMUTABLE", "headers_file"]

IMMUTABLE = "public, max-age=31536000, immutable"
FRAMING = {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"}


def headers_file(immutable: Iterable[str], prefix: str) -> str:
    """The ``_headers`` text: framing refused on every page, and ``immutable`` (site paths) kept for a year.

    >>> print(headers_file(["assets/app.0123456789.js"], "/docs/"), end="")
    # Every page: no framing by other sites (website/kernel_lab_mkdocs/headers.py).
    /docs/*
      Content-Security-Policy: frame-ancestors 'none'
      X-Frame-Options: DENY
    # Files named by a hash of their content: browsers may keep them.
    /docs/assets/app.0123456789.js
      Cache-Control: public, max-age=31536000, immutable
    """
    framing = "".join(f"  {name}: {value}\n" for name, value in FRAMING.items())
    rules = [f"{prefix}{name}\n  Cache-Control: {IMMUTABLE}\n" for name in sorted(immutable)]
    return (
        "# Every page: no framing by other sites (website/kernel_lab_mkdocs/headers.py).\n"
        f"{prefix}*\n{framing}"
        "# Files named by a hash of their content: browsers may keep them.\n" + "".join(rules)
    )
