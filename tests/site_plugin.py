"""The kernel-lab plugin outside a build, for tests: a page's HTML through its markers, with the stored results of
a given project folder (the real one unless a test makes a copy)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kernel_lab_mkdocs.figures import Sources
from kernel_lab_mkdocs.plugin import KernelLabPlugin

ROOT = Path(__file__).resolve().parents[1]


def plugin(root: Path = ROOT) -> KernelLabPlugin:
    """A plugin as on_config leaves it, reading ``root``'s results/ and examples/, without a runtime."""
    made = KernelLabPlugin()
    failed, _ = made.load_config({})
    assert not failed, failed
    made.sources = Sources(root)
    return made


def page_content(html: str, src_uri: str = "page.md", root: Path = ROOT) -> tuple[str, Any]:
    """``html`` (a page's Markdown output) through the plugin's on_page_content: (HTML, the page, whose ``toc``
    the plugin set where figures added headings)."""
    page = SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), toc=None)
    config = SimpleNamespace(docs_dir=str(ROOT / "docs"))
    out = plugin(root).on_page_content(html, page, config, None)  # type: ignore[arg-type]
    return out, page
