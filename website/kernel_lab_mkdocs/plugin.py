"""The kernel-lab MkDocs plugin: calculators and figures in pages, the Python runtime in the site, and what a host
needs to serve it (licence notices, a Content-Security-Policy, ``_headers``).

Named in mkdocs.yml's ``plugins:`` (registered under the ``mkdocs.plugins`` entry point by website/pyproject.toml);
its options are :class:`KernelLabConfig`. The theme's start-up patch is a plugin of its own (kernel-lab-theme,
website/kernel_lab_mkdocs/theme.py), off by leaving it out.

One build, in event order:

1. ``on_config``: this build's state (:class:`~kernel_lab_mkdocs.manifest.Manifest`,
   :class:`~kernel_lab_mkdocs.runtime.Runtime`, :class:`~kernel_lab_mkdocs.figures.Sources`) on the plugin, and
   the folders `mkdocs serve` watches.
2. ``on_files``: the runtime's files, named by their content; the licences page.
3. ``on_env`` (all files known): the theme's hashed files into the manifest, for ``_headers``.
4. ``on_page_content``: each marker (website/kernel_lab_mkdocs/markers.py) replaced, calculators by their form and
   result, figures from the one registry (website/kernel_lab_mkdocs/figures.py).
5. ``on_post_page``, ``on_post_template``: hashed names in the pages; a calculator page's head starts the runtime.
6. ``on_post_build``: the Content-Security-Policy into every page, then ``_headers``.

Under `mkdocs serve` (one instance for every rebuild) a rebuild makes only what the edit touched: each figure's and
calculator's HTML is kept, keyed on what it reads (figures.INPUTS: stamps of results/, examples/, benchmarks/ and
docs/' data files), and all of it is made anew, by modules imported afresh, when the Python that makes it changed
(the shipped packages, this package). Compiling the site's Python for the browser, when only its bytecode is out of
date, runs after the build, which ships it as source meanwhile (runtime.fast_runtime).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

import kernel_lab_mkdocs
from kernel_lab_mkdocs import csp, headers, licences
from kernel_lab_mkdocs.manifest import Manifest
from kernel_lab_mkdocs.markers import Marker, UnknownMarker, substitute
from kernel_lab_mkdocs.store import RecordError

if TYPE_CHECKING:  # imported in on_config: afresh when the sources changed (_reimported)
    from kernel_lab_mkdocs.figures import Sources
    from kernel_lab_mkdocs.runtime import Runtime

__all__ = ["KernelLabConfig", "KernelLabPlugin", "table_of_contents"]

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("mkdocs.plugins.kernel_lab")
# Material names its built scripts and styles by their content: name.<8 hex digits>.min.js / .min.css.
_THEME_HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(js|css)(\.map)?$")
_HEADING = re.compile(r'<h(?P<level>[1-6]) id="(?P<id>[^"]+)"[^>]*>(?P<title>.*?)<a class="headerlink"', re.S)
_TAG = re.compile(r"<[^>]+>")
# The plugin's own modules that a rebuild keeps although the sources changed: those holding state or classes
# another plugin or module checks by identity (the manifest, RecordError, UnknownMarker), and those that make
# nothing from calc or the site's Python. The others (figures, widgets, the runtime, the renderers) are imported
# afresh with the packages, so that what they make from calc is made by the edited calc.
_KEPT = {"plugin", "theme", "theme_patch", "manifest", "markers", "store", "bundle", "csp", "headers", "licences"}


class KernelLabConfig(base.Config):  # type: ignore[no-untyped-call]  # mkdocs.config.base is untyped here
    """The plugin's options (mkdocs.yml, ``plugins: - kernel-lab: ...``)."""

    runtime = c.Choice(("fast", "plain"), default="fast")
    """fast: the standard library precompiled and trimmed to what the shipped packages import (built with Node), the
    large files also shipped xz-compressed, and a memory snapshot kept by the browser after the first visit. plain:
    Pyodide's own files as its release ships them (the browser benchmark's baseline)."""
    packages = c.ListOfItems(c.Type(str), default=["calc", "kernel_lab"])
    """The Python packages shipped to the browser in python.zip (their .py files), importable where MkDocs runs."""
    calculators = c.Type(str, default="kernel_lab.calculators")
    """The module whose CALCULATORS, inputs(), render(), run() and figure() the calculator markers use."""
    figures = c.Type(str, default="kernel_lab_mkdocs.figures")
    """The module of the figure registry the figure markers use: FIGURES (each figure by name, called with the build's
    sources and the marker's data-arg), INPUTS (what each figure reads besides code, for the cache under mkdocs
    serve) and Sources."""
    late_files = c.ListOfItems(c.Type(str), default=["assets/_mkdocstrings.css"])
    """Files other plugins write into the site while rendering (mkdocstrings' stylesheet): renamed by their content
    before the first page is written, so that a host may let browsers keep them."""
    licences = c.Type(bool, default=True)
    """A licences page (licences/) with the notices of the third-party software the site ships."""
    csp = c.Type(bool, default=True)
    """A Content-Security-Policy meta tag in every page: scripts from the site and the hashed inline ones only (not
    under mkdocs serve, whose live reload is an inline script it adds to each page)."""
    headers = c.Type(bool, default=True)
    """A _headers file (Netlify, Cloudflare Pages): no framing, and the hashed files cached for a year."""


class KernelLabPlugin(BasePlugin[KernelLabConfig]):  # type: ignore[no-untyped-call]
    """Calculators, figures and the Python runtime in the site. State lives on the instance: what one build made
    (reset in on_config), and, under `mkdocs serve`, what survives rebuilds (the plugin defines on_startup, so
    MkDocs keeps the instance)."""

    def __init__(self) -> None:
        self.manifest = Manifest()
        self.runtime: Runtime | None = None
        self.sources: Sources | None = None
        self._late_done = False
        self.serving = False
        # What survives rebuilds under `mkdocs serve`: a hash of the Python that makes figures and calculators
        # (the shipped packages and this plugin's folder) as last imported, and each figure's and calculator's HTML
        # by what it was made from (``_cached``), emptied when that Python changes.
        self._code = ""
        self._made: dict[tuple[Any, ...], str] = {}
        self._used: set[tuple[Any, ...]] = set()  # the keys of _made this build used (the others go after it)
        self.stamps: dict[str, str] = {}  # this build's inputs of the figures besides code: name -> stamp
        # The runtime's compiling job left for after the build (see on_post_build), and the thread running it.
        self._job: Callable[[], object] | None = None
        self._queued: Callable[[], object] | None = None
        self._jobs_lock = threading.Lock()
        self._jobs_thread: threading.Thread | None = None
        self._licences: tuple[Any, str] | None = None  # the licences page, by what was installed when it was made
        self._templates = _CompiledTemplates()  # Jinja's compiled templates (the theme's, mkdocstrings')
        self._formatter: Callable[[], Callable[[str, int], str]] | None = None  # mkdocstrings' signature formatter

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        packages = {name: _package_folder(name) for name in self.config.packages}
        code = _sources_hash([*packages.values(), Path(kernel_lab_mkdocs.__file__).parent])
        if code != self._code:
            # Under `mkdocs serve` a rebuild must see edited sources: forget the shipped packages' modules and the
            # modules that make figures and calculators from them; the cached HTML was made by the old ones.
            for name in [m for m in sys.modules if _reimported(m, packages)]:
                del sys.modules[name]
                top, _, sub = name.partition(".")
                if top == "kernel_lab_mkdocs" and "." not in sub:
                    vars(kernel_lab_mkdocs).pop(sub, None)  # else `from kernel_lab_mkdocs import x` finds the old x
            self._code = code
            self._made.clear()
        for path in (*packages.values(), ROOT / "website", ROOT / "examples", ROOT / "results"):
            if str(path) not in config.watch:
                config.watch.append(str(path))
        # What figures read besides the code, by the names figures.INPUTS uses: each folder's file names, sizes and
        # modification times (docs/: its data files, the Markdown left out).
        folders = {"results": ROOT / "results", "examples": ROOT / "examples", "benchmarks": ROOT / "benchmarks"}
        self.stamps = {name: _stamp(path) for name, path in folders.items()}
        self.stamps["docs"] = _stamp(Path(config.docs_dir), skip=".md")
        runtime = importlib.import_module("kernel_lab_mkdocs.runtime")
        figures = importlib.import_module(self.config.figures)
        self.manifest = Manifest()
        later = self._compile_later if self.serving else None
        self.runtime = runtime.Runtime(packages, fast=self.config.runtime == "fast", later=later)
        self.sources = figures.Sources(ROOT, self.runtime, self.config.calculators)
        self._late_done = False
        self._used = set()
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.runtime is not None
        self.runtime.add_files(files, config, self.manifest)
        if self.config.licences:

            def page() -> str:
                found = list(licences.notices())
                if not any(n.texts for n in found):
                    raise PluginError("licences: no licence text found in the installed packages")
                return licences.page_markdown(found)

            # Made from the installed software: kept while nothing is installed or removed (licences.py is not
            # imported afresh: an edit of it needs a new `mkdocs serve`).
            installed = _installed()
            if self._licences is None or self._licences[0] != installed:
                self._licences = (installed, page())
            files.append(File.generated(config, licences.PAGE, content=self._licences[1]))
        if self.serving:
            self._share_templates(config)
        return files

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        if self.serving:  # the theme's templates compiled once, not on every rebuild
            env.bytecode_cache = self._templates
        theme_dirs = [Path(d).resolve() for d in config.theme.dirs if d != config.theme.custom_dir]
        for f in files:
            if not (f.abs_src_path and _THEME_HASHED.search(f.dest_uri)):
                continue  # (the name first: resolving every file's path took 0.1 s of each rebuild)
            if any(Path(f.abs_src_path).resolve().is_relative_to(d) for d in theme_dirs):
                self.manifest.add(f.dest_uri)
        return env

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if "data-calc" not in html and "data-figure" not in html:
            return html
        count = 0
        docs_dir = Path(config.docs_dir)
        assert self.sources is not None
        sources = self.sources
        calculators = sources.calculators
        runtime = self.runtime
        figures = importlib.import_module(self.config.figures)
        widgets = importlib.import_module("kernel_lab_mkdocs.widgets")

        def widget(marker: Marker) -> str:
            nonlocal count
            if marker.name not in calculators.CALCULATORS:
                raise UnknownMarker(marker.name)
            count += 1
            download = runtime.first_download if runtime else ""
            worker = runtime.worker_for(None) if runtime and runtime.worker else ""
            # The form and default result depend on the code, the marker, the files its "@path" values name and
            # docs/' data files.
            read = tuple(sorted(_file_stamp(docs_dir / v[1:]) for v in marker.attrs.values() if v.startswith("@")))
            attrs = tuple(sorted(marker.attrs.items()))
            key = ("calc", self.config.calculators, marker.name, attrs, read, count, download, worker)
            return self._cached(
                key,
                ("docs",),
                lambda: str(widgets.render_widget(marker, f"kl{count}", docs_dir, calculators, download, worker)),
            )

        def figure(marker: Marker) -> str:
            if marker.name not in figures.FIGURES:
                raise UnknownMarker(marker.name)
            try:
                return self._cached(
                    ("figure", marker.name, marker.arg),
                    figures.INPUTS.get(marker.name),  # None: made from this build (shipped_size), never cached
                    lambda: str(figures.FIGURES[marker.name](sources, marker.arg)),
                )
            except RecordError as e:
                raise PluginError(f"{page.file.src_uri}: stored result unusable: {e}") from None

        out = substitute(html, page.file.src_uri, {"calc": widget, "figure": figure})
        if len(_HEADING.findall(out)) > len(_HEADING.findall(html)):  # figures added headings (an example's title)
            page.toc = table_of_contents(out, page.file.src_uri)
        return out

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        self._rename_late_files(config)
        output = self.manifest.rewrite(output)
        return self.runtime.head(output, page) if self.runtime else output

    def on_post_template(self, output: str, template_name: str, config: MkDocsConfig) -> str:
        self._rename_late_files(config)
        return self.manifest.rewrite(output)  # 404.html

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self._job is not None:  # the runtime's compiling, which this build did not wait for
            self._start(self._job)
            self._job = None
        self._made = {key: made for key, made in self._made.items() if key in self._used}  # only what pages use
        site = Path(config.site_dir)
        # Not under `mkdocs serve`: its live reload is an inline script the server adds to each page it serves
        # (another each time), which the policy would refuse, and the page would not reload after an edit.
        if self.config.csp and not self.serving:
            csp.add_policy(site)
        if self.config.headers:
            prefix = urlsplit(config.site_url or "/").path or "/"
            prefix = prefix if prefix.endswith("/") else prefix + "/"
            (site / "_headers").write_text(headers.headers_file(self.manifest.immutable, prefix), encoding="utf-8")

    def _cached(self, key: tuple[Any, ...], inputs: tuple[str, ...] | None, make: Callable[[], str]) -> str:
        """A figure's or calculator's HTML, made once for ``key`` and the stamps of the ``inputs`` it reads (see
        figures.INPUTS) as long as the code is unchanged: under `mkdocs serve` an edit of one page makes only what
        it changed. Made every time when ``inputs`` is None or there are no stamps (a plugin used outside a build,
        as tests do)."""
        if inputs is None or not self.stamps:
            return make()
        key = (*key, *(self.stamps[name] for name in inputs))
        if key not in self._made:
            self._made[key] = make()
        self._used.add(key)
        return self._made[key]

    def _share_templates(self, config: MkDocsConfig) -> None:
        """mkdocstrings makes its handlers anew for every build, and their Jinja environment compiles its templates
        again (1.5 s of a rebuild): under `mkdocs serve` they get the compiled templates the plugin keeps. Nothing
        when mkdocstrings is absent or its handlers are not where its 1.x keeps them."""
        plugin = config.plugins.get("mkdocstrings")
        try:
            handlers = plugin.handlers  # type: ignore[union-attr]
            env = handlers.get_handler(plugin.config.default_handler).env  # type: ignore[union-attr]
        except (AttributeError, RuntimeError):  # no mkdocstrings, or not the one this was written for
            return
        self._remember_signatures()
        if isinstance(env, jinja2.Environment):
            env.bytecode_cache = self._templates

    def _remember_signatures(self) -> None:
        """mkdocstrings-python formats each long signature on the API page by running ruff, a process each (34 per
        build): under `mkdocs serve` the formatted signatures are remembered (the formatter is a function of the
        code and the line length). Nothing when its formatter is not where its 2.x keeps it."""
        try:
            from mkdocstrings_handlers.python._internal import rendering
        except ImportError:
            return
        get = getattr(rendering, "_get_formatter", None)
        if get is None or get is self._formatter:
            return
        remembered = functools.lru_cache(maxsize=None)(get())
        self._formatter = lambda: remembered
        rendering._get_formatter = self._formatter  # type: ignore[assignment]  # a plain function for its cached one

    def _compile_later(self, job: Callable[[], object]) -> None:
        """Under `mkdocs serve`: the runtime's compiling of the site's Python, which this build ships as source
        meanwhile (kernel_lab_mkdocs.runtime.fast_runtime), to run after the build."""
        self._job = job

    def _start(self, job: Callable[[], object]) -> None:
        """``job`` on a thread of its own, after the one running (a newer job replaces one still waiting)."""
        with self._jobs_lock:
            self._queued = job
            if self._jobs_thread is None:
                self._jobs_thread = threading.Thread(target=self._run_jobs, name="kernel-lab runtime", daemon=True)
                self._jobs_thread.start()

    def _run_jobs(self) -> None:
        while True:
            with self._jobs_lock:
                job, self._queued = self._queued, None
                if job is None:
                    self._jobs_thread = None
                    return
            started = time.monotonic()
            try:
                done = job()
            except Exception:
                done = None
                log.exception("kernel-lab: compiling the site's Python after the build")
            if done is None:  # the next rebuild that needs it runs it again, in the build
                log.info("kernel-lab: compiling the site's Python after the build failed")
            else:
                log.info(
                    "kernel-lab: the site's Python compiled after the build, in %.2f s", time.monotonic() - started
                )

    def _rename_late_files(self, config: MkDocsConfig) -> None:
        """The late files (written by other plugins at on_env, which ends before any page is written) renamed by
        their content, once per build."""
        if self._late_done:
            return
        self._late_done = True
        for path in self.config.late_files:
            written = Path(config.site_dir) / path
            if written.is_file():
                hashed = self.manifest.name(path, written.read_bytes())
                written.replace(Path(config.site_dir) / hashed)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in memory between rebuilds. Jinja checks each against its source's checksum,
    so an edited template is compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def _installed() -> tuple[tuple[str, int], ...]:
    """When the software the licences page is made from was last installed or removed: the modification times of
    the folders it lives in (Python's packages, node_modules and npm's record of it, Debian's docs and
    licences)."""
    packages = [Path(p) for p in sys.path if "site-packages" in p or "dist-packages" in p]
    places = [*packages, ROOT / "node_modules", ROOT / "node_modules" / ".package-lock.json"]
    places += [Path("/usr/share/doc"), Path("/usr/share/common-licenses")]
    return tuple((str(p), p.stat().st_mtime_ns) for p in places if p.exists())


def _reimported(module: str, packages: dict[str, Path]) -> bool:
    """A module to import afresh when the sources change: a shipped package's, or one of this plugin's that makes
    HTML from them (not in _KEPT)."""
    top, _, rest = module.partition(".")
    return top in packages or (top == "kernel_lab_mkdocs" and bool(rest) and rest.split(".")[0] not in _KEPT)


def _sources_hash(folders: list[Path]) -> str:
    """A hash of every file under ``folders`` (names and bytes; bytecode caches left out)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path}\0".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


def _stamp(folder: Path, skip: str = "") -> str:
    """The names, sizes and modification times of the files under ``folder`` (``skip``: a suffix left out), as a
    hash: another stamp when a file is added, removed or written."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not (skip and path.suffix == skip):
                digest.update(repr(_file_stamp(path)).encode())
    return digest.hexdigest()


def _package_folder(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise PluginError(f"kernel-lab: packages: {name!r} is not an importable package here")
    return Path(next(iter(spec.submodule_search_locations)))


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
