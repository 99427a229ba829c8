# MkDocs hook: the stored example runs (results/, written by `python -m scripts.examples`) into the pages that ask
# for them with the site's one marker syntax (scripts/hooks/markers.py), e.g.
#   <div data-figure="example" data-arg="article_7x7"></div>      <div data-figure="fact_check"></div>
# FIGURES names them. It runs before the calculators hook, which renders the other figure names and stops the
# build at a name nobody knows. Headings that figures add (each example's title) go into the page's table of
# contents. Pages without such markers are returned untouched.

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from kernel_lab.html import Markup
from scripts.examples import factcheck, render, render_accuracy, render_effective, render_home, render_timing
from scripts.examples.store import Data, RecordError
from scripts.hooks.markers import Marker, substitute

ROOT = Path(__file__).resolve().parents[2]
FIGURES: dict[str, Callable[[Data, str], Markup]] = {
    **render.FIGURES,
    **render_accuracy.FIGURES,
    **render_effective.FIGURES,
    **render_home.FIGURES,
    **render_timing.FIGURES,
    "fact_check": factcheck.claims,
}
_HEADING = re.compile(r'<h(?P<level>[1-6]) id="(?P<id>[^"]+)"[^>]*>(?P<title>.*?)<a class="headerlink"', re.S)
_TAG = re.compile(r"<[^>]+>")
_stored: list[Data] = []  # this build's results, read once
log = logging.getLogger("mkdocs.hooks.examples")  # under "mkdocs.": `mkdocs build --strict` fails on its warnings


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    for path in (ROOT / "examples", ROOT / "results"):
        if str(path) not in config.watch:
            config.watch.append(str(path))
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    _stored.clear()  # under `mkdocs serve`, each build reads the results again


@event_priority(50)  # before the calculators hook (priority 0), which refuses figure names it does not know
def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if "data-figure" not in html:
        return html
    added = False

    def figure(marker: Marker) -> str | None:
        nonlocal added
        if marker.name not in FIGURES:
            return None  # the calculators hook's
        try:
            if not _stored:
                _stored.append(Data(ROOT))
                for problem in _stored[0].dropped:
                    log.warning("stored result left out: %s", problem)
            added = True
            return str(FIGURES[marker.name](_stored[0], marker.arg))
        except RecordError as e:
            raise PluginError(f"{page.file.src_uri}: stored result unusable: {e}") from None

    out = substitute(html, page.file.src_uri, {"figure": figure})
    if added:
        page.toc = table_of_contents(out, page.file.src_uri)
    return out


def table_of_contents(html: str, where: str) -> TableOfContents:
    """The table of contents of a page's HTML, from its headings with a permalink (those Markdown wrote and those
    figures added), nested by level as Python-Markdown's toc extension nests them."""
    top: list[AnchorLink] = []
    open_: list[AnchorLink] = []
    seen: set[str] = set()
    for m in _HEADING.finditer(html):
        if m["id"] in seen:
            raise PluginError(f"{where}: two headings with the id {m['id']!r}")
        seen.add(m["id"])
        link = AnchorLink(_TAG.sub("", m["title"]).strip(), m["id"], int(m["level"]))
        while open_ and open_[-1].level >= link.level:
            open_.pop()
        (open_[-1].children if open_ else top).append(link)
        open_.append(link)
    if top:
        top[0].active = True  # type: ignore[attr-defined]  # as mkdocs.structure.toc.get_toc marks it
    return TableOfContents(top)
