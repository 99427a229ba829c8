"""The site as `mkdocs build --strict` makes it: calculators rendered at build time from calc, the runtime
copied in, pages without calculators left alone, nothing pointing off the site's origin.

Run time: about 2 s once the runtime cache (build/site-runtime/, made by scripts/build_site_runtime.mjs) exists;
about 10 s more the first time on a fresh machine.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import re
import subprocess
import zipfile
from collections.abc import Iterator
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from kernel_lab import calculators
from kernel_lab_mkdocs.bundle import bundle
from kernel_lab_mkdocs.runtime import COMPRESSED

ROOT = Path(__file__).resolve().parents[1]
ASSETS = "assets/kernel-lab"
CALC_PAGES = {
    "receptive_field": "receptive-field",
    "effective_field": "effective-field",
    "kernel_compare": "compare",
    "inception": "inception",
    "layer": "layer",
    "analyzer": "analyzer",
}


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    return built_site


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("name", sorted(CALC_PAGES))
def test_calculator_page_has_form_and_build_time_result(site: Path, name: str) -> None:
    page = (site / CALC_PAGES[name] / "index.html").read_text()
    assert f'data-calc="{name}" data-state="static"' in page
    found = elements(page)
    ids = {a.get("id") for _, a in found}
    labels = {a.get("for") for t, a in found if t == "label"}
    for spec in calculators.inputs(name):
        control = [a for t, a in found if a.get("name") == spec.name and t in ("input", "select", "textarea")]
        assert len(control) == 1, spec.name
        assert control[0]["id"] in labels, f"{spec.name} has no label"
        described = (control[0].get("aria-describedby") or "").split()
        assert described and all(d in ids for d in described)
    if name != "analyzer":  # the analyzer's default input is read from a file named on the page
        assert calculators.render(name) in page


def test_analyzer_page_renders_its_example_model(site: Path) -> None:
    page = (site / "analyzer" / "index.html").read_text()
    model = (ROOT / "docs" / "assets" / "models" / "two-stems.json").read_text()
    assert calculators.run("analyzer", {"source": model}) in page


def test_home_page_short_answer_comes_from_calc(site: Path) -> None:
    page = (site / "index.html").read_text()
    assert calculators.figure("short_answer") in page
    assert 'data-calc="' not in page  # a figure, not a calculator: no form, no worker


def test_pages_without_calculators_are_left_alone(site: Path) -> None:
    for page in ("index.html", "methods/index.html", "authors/index.html"):
        html = (site / page).read_text()
        assert 'data-calc="' not in html and "python-worker" not in html and "klEarly" not in html
        assert 'rel="preload"' not in html, page  # the authors' page quotes data-calc=&quot; in its text


def one(site: Path, pattern: str) -> Path:
    """The one file of the site's runtime named like ``pattern`` (its name carries a hash)."""
    found = list((site / ASSETS).glob(pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


def pyodide_folder(site: Path) -> Path:
    return site / ASSETS / str(worker_settings(site)["pyodide"])


def test_runtime_is_in_the_site(site: Path) -> None:
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        assert (pyodide_folder(site) / name).stat().st_size > 0, name
    # The widget and the worker ship as they are written (each bundled with its modules into one file): settings
    # reach them as data, not rewritten source.
    entry = ROOT / "website" / "assets" / "calculators" / "main.js"
    assert one(site, "calculators.*.js").read_bytes() == bundle(entry, "iife")
    assert one(site, "calculators.*.css").read_bytes() == (ROOT / "website" / "assets" / "calculators.css").read_bytes()
    worker = one(site, "python-worker.*.mjs").read_bytes()
    assert worker == bundle(ROOT / "website" / "assets" / "python-worker.mjs", "esm")
    assert b'from "./worker/' not in worker, "one file: the worker's modules are in it"
    with zipfile.ZipFile(io.BytesIO((site / ASSETS / worker_settings(site)["python"]).read_bytes())) as zf:
        shipped = {n: zf.read(n) for n in zf.namelist()}
    expected = {f"calc/{p.name}": p.read_bytes() for p in (ROOT / "calc").glob("*.py")}
    expected |= {f"kernel_lab/{p.name}": p.read_bytes() for p in (ROOT / "website" / "kernel_lab").glob("*.py")}
    assert {n: data for n, data in shipped.items() if "__pycache__/" not in n} == expected
    # With the runtime build, each module's bytecode beside it (compiled by Pyodide's Python, unchecked hash).
    compiled = {n for n in shipped if "__pycache__/" in n}
    if compiled:
        assert compiled == {n.replace("/", "/__pycache__/").removesuffix(".py") + ".cpython-314.pyc" for n in expected}
        assert all(shipped[n][4:8] == b"\x01\x00\x00\x00" for n in compiled)  # hash-based, unchecked


def worker_settings(site: Path) -> dict[str, Any]:
    """The settings the build gives the worker: the JSON query of the address every calculator names in its
    data-worker (relative to calculators.js's folder), the same on every calculator page and naming the shipped
    worker."""
    found = set()
    for path in CALC_PAGES.values():
        found |= set(
            re.findall(
                r'<div class="kl-calc" data-calc="[a-z_]+"[^>]* data-worker="([^"]+)"',
                (site / path / "index.html").read_text(),
            )
        )
    assert len(found) == 1, found
    address = html_unescape(found.pop())
    name, _, query = address.partition("?")
    assert name == one(site, "python-worker.*.mjs").name
    settings: dict[str, Any] = json.loads(unquote(query))
    return settings


def test_large_files_also_ship_compressed_and_the_worker_knows_which(site: Path) -> None:
    """NAME.xz beside NAME (decompressed with Python's lzma here: one xz stream, its blocks checked by CRC32, which
    the browser's decoder verifies), listed in the worker's settings with the decoder it loads; python.zip too."""
    settings = worker_settings(site)
    if not settings["snapshot"]:
        pytest.skip("no precompiled runtime in this build (no Node?): the site ships Pyodide's own files")
    folder = settings["pyodide"]
    python = settings["python"]
    assert set(settings["xz"]) <= {f"{folder}{n}" for n in COMPRESSED} | {python}
    assert python in settings["xz"]
    for name in [f"{folder}{n}" for n in COMPRESSED] + [python]:
        original = (site / ASSETS / name).read_bytes()
        if name not in settings["xz"]:  # only where compression saves little (the short lock file)
            assert len(original) < 4096, name
            continue
        packed = (site / ASSETS / (name + ".xz")).read_bytes()
        assert lzma.decompress(packed, format=lzma.FORMAT_XZ) == original, name
        assert packed[6:8] == b"\x00\x01", (name, "stream flags: CRC32")
        assert len(packed) < 0.5 * len(original), name
    # The decoder is a WebAssembly module (Node compiles it) with the exports the worker calls.
    exports = subprocess.run(
        [
            "node",
            "-e",
            "const fs = require('fs'); const m = new WebAssembly.Module(fs.readFileSync(process.argv[1]));"
            " console.log(WebAssembly.Module.exports(m).map((e) => e.name).join(' '));"
            " for (const s of WebAssembly.Module.customSections(m, 'license')) console.log(Buffer.from(s).toString())",
            site / ASSETS / settings["unxz"],
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "xz-embedded by Lasse Collin and Igor Pavlov. License: Public domain" in exports, "its notice goes with it"
    assert "walloc (c) 2020 Igalia, S.L. License: MIT" in exports and "xzwasm (c) Steve Sanderson" in exports
    worker = (site / ASSETS / one(site, "python-worker.*.mjs").name).read_text()
    used = set(re.findall(r"\bx\.(\w+)", worker))
    assert used == {"create_context", "supply_input", "get_next_output", "destroy_context", "memory"}, used
    assert used <= set(exports.split()), exports
    assert re.fullmatch(r"[0-9a-f]{20}", settings["build"])
    assert not list((site / ASSETS).rglob("*.bin")), "no memory snapshot is downloaded: browsers make their own"


def test_stdlib_is_precompiled_and_trimmed(site: Path) -> None:
    """Only what the site's Python and Pyodide's start-up import, as .pyc; every module calc and kernel_lab name
    is there."""
    if not worker_settings(site)["snapshot"]:
        pytest.skip("no precompiled runtime in this build (no Node?)")
    with zipfile.ZipFile(pyodide_folder(site) / "python_stdlib.zip") as zf:
        names = set(zf.namelist())
    assert "json/__init__.pyc" in names and "json/__init__.py" not in names
    assert not any(n.startswith(("unittest/", "xml/", "email/", "multiprocessing/")) for n in names)
    for module in ("gzip", "zipfile/__init__", "argparse", "shlex", "inspect", "dataclasses", "random"):
        assert f"{module}.pyc" in names, module


def test_the_build_id_changes_with_the_sites_python(site: Path) -> None:
    """The worker's snapshot cache key: the shipped one is this build's, and any change to calc or kernel_lab
    (python.zip) or to the runtime files gives another."""
    from kernel_lab_mkdocs.runtime import PYODIDE_FILES, build_id

    package = (site / ASSETS / worker_settings(site)["python"]).read_bytes()
    worker = one(site, "python-worker.*.mjs").read_bytes()
    files = [pyodide_folder(site) / n for n in PYODIDE_FILES]
    assert worker_settings(site)["build"] == build_id(package, worker, files)
    assert build_id(package + b" ", worker, files) != build_id(package, worker, files)
    assert build_id(package, worker + b" ", files) != build_id(package, worker, files)
    assert build_id(package, worker, files[:-1]) != build_id(package, worker, files)


def test_authors_speed_page_shows_the_recorded_benchmarks(site: Path) -> None:
    """The benchmark tables are the figures rendered from benchmarks/*.json (kernel_lab_mkdocs/benchmarks.py): the
    site's speed on its page, the authors' loop on the authors' page."""
    from kernel_lab_mkdocs import benchmarks as report

    page = (site / "site-speed" / "index.html").read_text()
    for name, figure in report.FIGURES.items():
        where = (site / "authors" / "index.html").read_text() if name == "authors_loop" else page
        assert figure("") in where, name
    assert "data-figure" not in page and "--8&lt;--" not in page


def test_nothing_points_off_the_origin(site: Path) -> None:
    """Scripts, styles, images and fonts all come from the site; links to elsewhere are only <a href>."""
    for path in site.rglob("*.html"):
        for tag, attrs in elements(path.read_text()):
            for attr in ("src", "href"):
                value = attrs.get(attr) or ""
                if tag == "a" or not value:
                    continue
                if tag == "link" and attrs.get("rel") == "canonical":
                    continue  # the site's own URL (site_url), not a request
                assert not re.match(r"^(https?:)?//", value), f"{path.relative_to(site)}: <{tag} {attr}={value}>"
    for css in site.rglob("*.css"):
        assert "fonts.googleapis" not in css.read_text(), css


def test_the_plugin_leaves_pages_without_markers_untouched() -> None:
    from tests.site_plugin import plugin

    html = "<h1>Plain</h1><p>No calculators here.</p>"
    assert plugin().on_page_content(html, page=None, config=None, files=None) is html  # type: ignore[arg-type]


def calculator_heads(site: Path) -> Iterator[tuple[str, Path, str]]:
    """Each calculator page: its calculator's name, its file and the text of its head."""
    for name, path in CALC_PAGES.items():
        page = site / path / "index.html"
        text = page.read_text()
        yield name, page, text[: text.index("</head>")]


def test_calculator_pages_fetch_the_compressed_runtime_from_their_head(site: Path) -> None:
    """On a first visit the head's second early-start.js, after the stylesheets, preloads the Pyodide files the worker
    fetches (python.zip is fetched by the worker itself, when it boots without a snapshot); calculator pages only,
    each pointing at a real file."""
    xz = [n for n in worker_settings(site)["xz"] if n.startswith("pyodide/")]
    for name, page, head in calculator_heads(site):
        found = re.findall(r'<script data-preloads="([^"]*)">', head)
        assert len(found) == 1, name
        assert head.rindex('rel="stylesheet"') < head.index("<script data-preloads="), "after the page's styles"
        files = found[0].split()
        assert sorted(files) == sorted(f"../{ASSETS}/{n}.xz" for n in xz), name
        assert all((page.parent / href).resolve().is_file() for href in files)
    assert "data-preloads" not in (site / "index.html").read_text()


def test_calculator_pages_start_the_worker_from_their_head_on_a_warm_visit(site: Path) -> None:
    """Each calculator page's head carries early-start.js with the worker's URL and the key the worker keeps this
    build's snapshot under (python-worker.mjs SNAPSHOT_URL: pyodide/snapshot-<build>.bin beside it)."""
    worker = one(site, "python-worker.*.mjs")
    build = worker_settings(site)["build"]
    for name, page, head in calculator_heads(site):
        found = re.findall(r'<script data-worker="([^"]+)" data-snapshot="([^"]+)">', head)
        assert len(found) == 1, name
        assert head.index("<script data-worker=") < head.index('rel="stylesheet"'), "before the styles, which hold it"
        worker_url, snapshot_url = found[0]
        address, _, query = html_unescape(worker_url).partition("?")  # the worker, with its settings as the query
        assert (page.parent / address).resolve() == worker.resolve(), name
        assert json.loads(unquote(query)) == worker_settings(site), name
        assert (page.parent / snapshot_url).resolve() == worker.parent / "pyodide" / f"snapshot-{build}.bin", name
    assert "data-snapshot" not in (site / "index.html").read_text()


def test_runtime_files_are_named_by_the_hash_of_their_content(site: Path) -> None:
    """calculators.<h>.js, calculators.<h>.css, python-worker.<h>.mjs, python.<h>.zip, xz.<h>.wasm: h is the file's
    SHA-256
    (10 hex digits), python.<h>.zip.xz's that of the file it decompresses to; pyodide/<h>/: h hashes the folder's
    listing of names and file hashes. Another content is another name."""
    for path in (site / ASSETS).glob("*.*.*"):
        digest = path.name.split(".")[1]
        content = path.read_bytes()
        if path.suffix == ".xz":
            content = lzma.decompress(content, format=lzma.FORMAT_XZ)
        assert digest == hashlib.sha256(content).hexdigest()[:10], path.name
    folder = pyodide_folder(site)
    listing = "".join(
        f"{p.name} {hashlib.sha256(p.read_bytes()).hexdigest()}\n"
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
    )
    assert folder.name == hashlib.sha256(listing.encode()).hexdigest()[:10]
    patterns: tuple[str, ...] = ("calculators.*.js", "calculators.*.css", "python-worker.*.mjs", "python.*.zip")
    if worker_settings(site)["unxz"]:
        patterns += ("python.*.zip.xz", "xz.*.wasm")
    hashed = [one(site, pattern).name for pattern in patterns]
    assert sorted(p.name for p in (site / ASSETS).iterdir()) == sorted(["pyodide", *hashed]), "all carry a hash"
    assert [p.name for p in (site / ASSETS / "pyodide").iterdir()] == [folder.name]
    for page in ("layer/index.html", "index.html", "404.html"):
        html = (site / page).read_text()
        assert one(site, "calculators.*.js").name in html and one(site, "calculators.*.css").name in html, page
        assert "kernel-lab/calculators.js" not in html and "kernel-lab/calculators.css" not in html, page


def test_mkdocstrings_stylesheet_is_named_by_its_content_hash_in_every_page(site: Path) -> None:
    """mkdocstrings writes assets/_mkdocstrings.css; the build ships it as _mkdocstrings.<h>.css (h: the first 10 hex
    digits of its SHA-256), and every page, 404.html included, links that name."""
    [css] = (site / "assets").glob("_mkdocstrings*.css")
    assert css.name == f"_mkdocstrings.{hashlib.sha256(css.read_bytes()).hexdigest()[:10]}.css"
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10 and site / "404.html" in pages
    for page in pages:
        html = page.read_text()
        assert f"assets/{css.name}" in html and not re.search(r'href="[^"]*_mkdocstrings\.css"', html), page


def test_headers_file_keeps_exactly_the_hashed_files_for_a_year(site: Path) -> None:
    """_headers (Netlify / Cloudflare Pages): one rule per file named by its content's hash, each
    `Cache-Control: public, max-age=31536000, immutable`; pages, the search index and unhashed files get none."""
    from scripts.bench.hosts import header_rules

    rules = header_rules((site / "_headers").read_text())
    assert rules[0] == ("/*", {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"})
    rules = rules[1:]  # the rest: the hashed files
    assert all(h == {"Cache-Control": "public, max-age=31536000, immutable"} for _, h in rules)
    listed = {path for path, _ in rules}
    assert all(path.startswith("/") and "*" not in path for path in listed)
    runtime = {"/" + p.relative_to(site).as_posix() for p in (site / ASSETS).rglob("*") if p.is_file()}
    theme = {
        "/" + p.relative_to(site).as_posix()
        for pattern in ("assets/javascripts/bundle.*.min.js*", "assets/javascripts/workers/*.min.js*")
        for p in site.glob(pattern)
    } | {"/" + p.relative_to(site).as_posix() for p in site.glob("assets/stylesheets/*.min.css*")}
    assert theme and all(re.search(r"\.[0-9a-f]{8}\.", p) for p in theme)  # the theme's own hashed names
    [mkdocstrings] = ["/" + p.relative_to(site).as_posix() for p in site.glob("assets/_mkdocstrings*.css")]
    assert listed == runtime | theme | {mkdocstrings}
    for path in listed:
        assert (site / path[1:]).is_file(), path
