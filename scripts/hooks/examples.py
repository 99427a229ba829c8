# MkDocs hook: renders the stored example results (results/, written by
# scripts/examples/) into docs/examples.md and docs/fact-check.md at build
# time. Pages ask for pieces with markers such as <!-- kernel-lab:sweep -->;
# every other page is returned untouched.

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.examples import factcheck, render  # noqa: E402

PAGES = {"examples.md", "fact-check.md"}


def on_config(config: Any, **kwargs: Any) -> Any:
    for path in ("examples", "results"):
        if str(ROOT / path) not in config["watch"]:
            config["watch"].append(str(ROOT / path))
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any, **kwargs: Any) -> str:
    if page.file.src_uri not in PAGES:
        return markdown
    return render.render_markers(markdown, extra=factcheck.RENDERERS)
