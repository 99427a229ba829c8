"""Licence notices (issue 22): the built site has a licences page, generated from the installed packages, linked
from every page's footer, and every file the site ships that is not the project's own is covered by a notice that
carries a licence text or says which one is missing. The project's own licence is in the repository."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The project's own files in the built site (pages, their index and sitemap, the calculators' code and data).
OWN = (
    "*.html", "sitemap.xml", "sitemap.xml.gz", "objects.inv", "search/search_index.json", "_headers",
    "assets/kernel-lab/calculators.*.js",
    "assets/kernel-lab/calculators.*.css",
    "assets/kernel-lab/python-worker.*.mjs",
    "assets/kernel-lab/python.*.zip", "assets/kernel-lab/python.*.zip.xz", "assets/models/two-stems.json",
)  # fmt: skip


def _sections(page: str) -> dict[str, str]:
    """The licences page's sections, by heading."""
    parts = re.split(r"<h2 id=\"[^\"]*\">(.*?)<a class=\"headerlink\"", page)
    return {unescape(re.sub(r"<[^>]+>", "", parts[i])).strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _patterns(section: str) -> list[str]:
    files = re.search(r"Files in this site: (.*?)</p>", section, re.S)
    assert files, section[:200]
    return [unescape(p) for p in re.findall(r"<code>(.*?)</code>", files[1])]


def test_every_shipped_third_party_file_is_covered_by_a_notice(built_site: Path) -> None:
    sections = _sections((built_site / "licences" / "index.html").read_text())
    assert {"Pyodide", "zlib"} <= set(sections) and any(s.startswith("CPython") for s in sections)
    covered = {pattern: name for name, body in sections.items() for pattern in _patterns(body)}
    shipped = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*") if p.is_file())
    third_party = [f for f in shipped if not any(fnmatch.fnmatchcase(f, own) for own in OWN)]
    assert len(third_party) > 20  # the runtime, the theme's assets, the models' configurations
    uncovered = [f for f in third_party if not any(fnmatch.fnmatchcase(f, p) for p in covered)]
    assert uncovered == []
    for name, body in sections.items():  # a licence text, or the page says what is missing
        assert "<pre" in body or "Not found at build time" in body, name
    assert "Mozilla Public License" in sections["Pyodide"]
    assert "PYTHON SOFTWARE FOUNDATION" in next(body for name, body in sections.items() if name.startswith("CPython"))


def test_every_page_links_the_licences_from_its_footer(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        footer = re.search(r"<footer.*?</footer>", page.read_text(), re.S)
        target = r"\./" if page == built_site / "licences" / "index.html" else r"[^\"]*licences/"  # itself: ./
        assert footer and re.search(rf'<a href="{target}"[^>]*data-licences', footer[0]), page


def test_the_project_declares_its_own_licence() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"file": "LICENSE"}
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "License :: OSI Approved :: MIT License" in project["classifiers"]
