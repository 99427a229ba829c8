"""The pages for readers speak about convolutions, not about how the site was made: no process words (goals met or
missed, budgets) and no site engineering (the browser runtime's snapshot, the theme patch, ...), which live on the
authors' pages. Which page is which comes from the nav in mkdocs.yml: everything in the "For authors" section is the
authors', and so is the API reference; every other page in the nav is a reader page, so a new page is checked as
soon as it is in the nav.

Also: the Methods page states the timing settings and thresholds that scripts/examples/timing.py and stats.py
apply.

Run time: one `mkdocs build` (about 2 s once build/site-runtime/ exists).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from mkdocs.utils.yaml import yaml_load

from kernel_lab_mkdocs import benchmarks as report
from kernel_lab_mkdocs import stats
from scripts.examples import timing

ROOT = Path(__file__).resolve().parents[1]
AUTHORS_SECTION = "For authors"  # a nav section: every page in it is the authors'
NOT_FOR_READERS = ("api.md",)  # the API reference, generated from calc's docstrings

PROCESS_WORDS = re.compile(r"\b(goals?|met|missed|budgets?|benchmark records?)\b", re.I)
ENGINEERING_WORDS = re.compile(
    r"snapshot|theme.patch|precompiled|bytecode|stdlib|gzip|web worker|cache storage|main-thread|"
    r"instant navigation|build_site_runtime|scripts/bench|benchmarks/|KERNEL_LAB_",
    re.I,
)
# How the pages are made: the example runner's modules and files, where it stores its records, and build words.
RUNNER_MODULES = sorted(p.stem for p in (ROOT / "scripts" / "examples").glob("*.py") if not p.stem.startswith("_"))
BUILD_WORDS = re.compile(
    r"\bscripts[./]\w|\b(?:" + "|".join(RUNNER_MODULES) + r")\.py\b|\.toml\b|\bresults/|\btiming\.json\b|"
    r"\bbuild[- ]time\b|\bat build\b|\brendered\b|\bmkdocs\b|\bhooks?\b|\brunner\b|\bmarkers?\b",
    re.I,
)


def _pages(entries: list[Any]) -> list[str]:
    """The Markdown files of a nav list, sections included, in nav order."""
    found: list[str] = []
    for entry in entries:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        found += _pages(value) if isinstance(value, list) else [value]
    return found


def _section(entries: list[Any], title: str) -> list[Any]:
    """The entries of the nav section called ``title``, at any depth ([] when there is none)."""
    for entry in entries:
        if isinstance(entry, dict):
            name, value = next(iter(entry.items()))
            if name == title:
                return [entry]
            if isinstance(value, list) and (found := _section(value, title)):
                return found
    return []


def nav_by_side() -> tuple[list[str], list[str]]:
    """(reader pages, authors' pages) of mkdocs.yml's nav."""
    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as f:
        nav = yaml_load(f)["nav"]
    authors = _pages(_section(nav, AUTHORS_SECTION))
    readers = [page for page in _pages(nav) if page not in authors and page not in NOT_FOR_READERS]
    return readers, authors + list(NOT_FOR_READERS)


READERS, AUTHORS = nav_by_side()


def built(site: Path, page: str) -> str:
    """The built HTML of docs/PAGE (directory URLs)."""
    stem = page.removesuffix(".md")
    return (site / ("index.html" if stem == "index" else f"{stem}/index.html")).read_text(encoding="utf-8")


class _ArticleText(HTMLParser):
    """The text of a page's <article> (the page itself, without the theme's navigation), scripts and styles
    left out."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0  # open <article> elements
        self.skip = 0  # open <script> and <style> elements
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.inside += tag == "article"
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.inside -= tag == "article"
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if self.inside and not self.skip:
            self.parts.append(data)


def article_text(html: str) -> str:
    parser = _ArticleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    return built_site


def test_the_nav_has_both_sides() -> None:
    assert {"index.md", "methods.md", "examples.md"} <= set(READERS)
    assert {"authors.md", "site-speed.md", "api.md"} <= set(AUTHORS)
    assert not set(READERS) & set(AUTHORS)


def test_article_text_is_the_page_without_the_theme() -> None:
    html = "<nav>Goals</nav><article><h1>Methods</h1><script>snapshot()</script><p>a<br>b <em>met</em></p></article>"
    assert article_text(html) == "Methods a b met"


@pytest.mark.parametrize("page", READERS)
def test_reader_pages_use_no_process_words(site: Path, page: str) -> None:
    text = article_text(built(site, page))
    assert text, page
    assert [m[0] for m in PROCESS_WORDS.finditer(text)] == [], page


@pytest.mark.parametrize("page", READERS)
def test_reader_pages_leave_the_site_engineering_to_the_authors(site: Path, page: str) -> None:
    text = article_text(built(site, page))
    assert [m[0] for m in ENGINEERING_WORDS.finditer(text)] == [], page


@pytest.mark.parametrize("page", READERS)
def test_reader_pages_leave_how_they_are_made_to_the_authors(site: Path, page: str) -> None:
    """No runner module or file, no records' folder, no build vocabulary: readers read about convolutions."""
    text = article_text(built(site, page))
    assert [m[0] for m in BUILD_WORDS.finditer(text)] == [], page


def test_the_authors_pages_are_found_in_the_nav_at_any_depth() -> None:
    assert "authors.md" in AUTHORS and "site-speed.md" in AUTHORS
    assert BUILD_WORDS.search("python -m scripts.examples writes results/x/timing.json at build time")
    assert not BUILD_WORDS.search("plain Keras scripts. The build of PyTorch that PyPI serves")


def test_the_engineering_is_on_the_authors_side(site: Path) -> None:
    """The benchmark tables and the runtime's description moved off Methods; Methods links to where they went."""
    authors = "".join(built(site, page) for page in AUTHORS)
    methods = built(site, "methods.md")
    for name, figure in report.FIGURES.items():
        shown = str(figure(""))
        assert shown in authors and shown not in methods, name
    assert ENGINEERING_WORDS.search(article_text(authors))
    hrefs = re.findall(r'<a href="([^"]+)"', methods.split("<article", 1)[1])
    assert any(href.rstrip("/").endswith(page.removesuffix(".md")) for href in hrefs for page in AUTHORS)


# What the Methods page says about the timings, sentence by sentence: (where the figure sits, the constant it
# must state). Numbers are read from the rendered page, so a number typed into the page fails once the code changes.
_N = r"(\d[\d,.]*)"
TIMING_METHOD: dict[str, tuple[str, tuple[float, ...]]] = {
    "IQR_LIMIT": (rf"steady when its IQR is at most {_N}% of its median", (100 * stats.IQR_LIMIT,)),
    "CONFIDENCE": (rf"Within runs ?: a {_N}% confidence interval", (100 * stats.CONFIDENCE,)),
    "HALF_WIDTH_LIMIT": (rf"precise when its half-width is at most {_N}%", (100 * stats.HALF_WIDTH_LIMIT,)),
    "RUNS": (rf"timed in {_N} separate processes", (timing.RUNS,)),
    "BATCHES": (rf"batches of {_N}, {_N} and {_N} images", tuple(timing.BATCHES)),
    "SAMPLE_S": (rf"A call shorter than {_N} ms is repeated", (1000 * timing.SAMPLE_S,)),
    "MIN_SAMPLE_S": (rf"never lasts less than {_N} ms", (1000 * timing.MIN_SAMPLE_S,)),
    "MIN_ROUNDS": (rf"at least {_N} rounds", (timing.MIN_ROUNDS,)),
    "MAX_ROUNDS": (rf"gets more, up to {_N},", (timing.MAX_ROUNDS,)),
    "PEAK_SIZE": (rf"product of two {_N}×{_N} matrices", (timing.PEAK_SIZE, timing.PEAK_SIZE)),
}


@pytest.mark.parametrize("name", sorted(TIMING_METHOD))
def test_methods_states_the_timing_settings_and_thresholds_the_code_applies(site: Path, name: str) -> None:
    pattern, constants = TIMING_METHOD[name]
    text = article_text(built(site, "methods.md"))
    found = re.findall(pattern, text)
    assert len(found) == 1, (name, pattern, found)
    numbers = found[0] if isinstance(found[0], tuple) else (found[0],)
    assert [float(n.replace(",", "")) for n in numbers] == pytest.approx(constants), name
