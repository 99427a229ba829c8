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


def test_the_libraries_inside_pyodides_wasm_carry_their_full_texts(built_site: Path) -> None:
    """mpdecimal, Emscripten's runtime (musl, LLVM's libc++ and compiler-rt) and the decoder's MIT parts carry their
    licence texts, read from the installed Debian packages (scripts/setup.sh); HACL*, whose own text no package
    here carries, says so and gives the MIT terms it is under."""
    sections = _sections((built_site / "licences" / "index.html").read_text())
    mpdecimal = sections["mpdecimal (libmpdec)"]
    assert "Stefan Krah" in mpdecimal and "Redistribution and use in source and binary forms" in mpdecimal
    assert "Not found at build time" not in mpdecimal
    emscripten = next(body for name, body in sections.items() if name.startswith("Emscripten"))
    for words in (
        "The Emscripten Authors",  # Emscripten's own code: MIT or NCSA
        "University of Illinois/NCSA Open Source License",
        "Rich Felker",  # musl
        "system/lib/libcxx/*",
        "As an exception",  # LLVM's exception to Apache-2.0
        "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",  # Apache-2.0 itself
    ):
        assert words in emscripten, words
    assert "Not found at build time" not in emscripten
    decoder = next(body for name, body in sections.items() if name.startswith("xz-decompress"))
    assert "walloc (c) 2020 Igalia" in decoder and "Permission is hereby granted, free of charge" in decoder
    hacl = next(body for name, body in sections.items() if name.startswith("HACL*"))
    assert "Not found at build time" in hacl and "Permission is hereby granted, free of charge" in hacl


def test_only_the_copyright_paragraphs_for_the_parts_shipped_are_quoted(tmp_path: Path) -> None:
    """A Debian copyright file in the machine-readable format: the Files paragraphs for the paths named and the
    License paragraphs they name are quoted, nothing else."""
    from kernel_lab_mkdocs.licences import _copyright_paragraphs

    text = "\n\n".join(
        [
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x",
            "Files:\n *\nCopyright: 2020 The Authors\nLicense: Expat or NCSA",
            "Files: tests/third_party/*\nCopyright: 1999 Someone Else\nLicense: GPL-2",
            "Files:\n system/lib/libc/*\n system/lib/other.c\nCopyright: 2005 Libc People\nLicense: Apache-2.0 with X",
            "License: Expat\n Permission is hereby granted",
            "License: NCSA\n University of Illinois terms",
            "License: GPL-2\n See /usr/share/common-licenses/GPL-2.",
            "License: Apache-2.0\n Apache terms",
        ]
    )
    chosen = _copyright_paragraphs(text, ("*", "system/lib/"))
    joined = "\n".join(chosen)
    assert "The Authors" in joined and "Libc People" in joined and "Someone Else" not in joined
    assert "Permission is hereby granted" in joined and "University of Illinois terms" in joined
    assert "Apache terms" in joined and "GPL" not in joined
    assert len(chosen) == 5


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
