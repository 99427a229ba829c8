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
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from kernel_lab_mkdocs import csp, headers, licences
from kernel_lab_mkdocs.figures import FIGURES, Sources
from kernel_lab_mkdocs.manifest import Manifest
from kernel_lab_mkdocs.markers import Marker, UnknownMarker, substitute
from kernel_lab_mkdocs.runtime import Runtime
from kernel_lab_mkdocs.store import RecordError
from kernel_lab_mkdocs.widgets import render_widget

__all__ = ["KernelLabConfig", "KernelLabPlugin", "table_of_contents"]

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("mkdocs.plugins.kernel_lab")
# Material names its built scripts and styles by their content: name.<8 hex digits>.min.js / .min.css.
_THEME_HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(js|css)(\.map)?$")
_HEADING = re.compile(r'<h(?P<level>[1-6]) id="(?P<id>[^"]+)"[^>]*>(?P<title>.*?)<a class="headerlink"', re.S)
_TAG = re.compile(r"<[^>]+>")


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
    late_files = c.ListOfItems(c.Type(str), default=["assets/_mkdocstrings.css"])
    """Files other plugins write into the site while rendering (mkdocstrings' stylesheet): renamed by their content
    before the first page is written, so that a host may let browsers keep them."""
    licences = c.Type(bool, default=True)
    """A licences page (licences/) with the notices of the third-party software the site ships."""
    csp = c.Type(bool, default=True)
    """A Content-Security-Policy meta tag in every page: scripts from the site and the hashed inline ones only."""
    headers = c.Type(bool, default=True)
    """A _headers file (Netlify, Cloudflare Pages): no framing, and the hashed files cached for a year."""


class KernelLabPlugin(BasePlugin[KernelLabConfig]):  # type: ignore[no-untyped-call]
    """Calculators, figures and the Python runtime in the site. State lives on the instance: what one build made
    (reset in on_config), and, under `mkdocs serve`, what survives rebuilds (the plugin defines on_startup, so
    MkDocs keeps the instance)."""

    def __init__(self) -> None:
        self.manifest = Manifest()
        self.runtime: Runtime | None = None
        self.sources = Sources(ROOT)
        self._late_done = False

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        packages = {name: _package_folder(name) for name in self.config.packages}
        # Under `mkdocs serve` a rebuild must see edited sources: forget the shipped packages' modules.
        for name in [m for m in sys.modules if m.split(".")[0] in packages]:
            del sys.modules[name]
        for path in (*packages.values(), ROOT / "website", ROOT / "examples", ROOT / "results"):
            if str(path) not in config.watch:
                config.watch.append(str(path))
        self.manifest = Manifest()
        self.runtime = Runtime(packages, fast=self.config.runtime == "fast")
        self.sources = Sources(ROOT, self.runtime, self.config.calculators)
        self._late_done = False
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.runtime is not None
        self.runtime.add_files(files, config, self.manifest)
        if self.config.licences:
            found = list(licences.notices())
            if not any(n.texts for n in found):
                raise PluginError("licences: no licence text found in the installed packages")
            files.append(File.generated(config, licences.PAGE, content=licences.page_markdown(found)))
        return files

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        theme_dirs = [Path(d).resolve() for d in config.theme.dirs if d != config.theme.custom_dir]
        for f in files:
            src = Path(f.abs_src_path).resolve() if f.abs_src_path else None
            if src and _THEME_HASHED.search(f.dest_uri) and any(src.is_relative_to(d) for d in theme_dirs):
                self.manifest.add(f.dest_uri)
        return env

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if "data-calc" not in html and "data-figure" not in html:
            return html
        count = 0
        docs_dir = Path(config.docs_dir)
        calculators = self.sources.calculators
        runtime = self.runtime

        def widget(marker: Marker) -> str:
            nonlocal count
            if marker.name not in calculators.CALCULATORS:
                raise UnknownMarker(marker.name)
            count += 1
            download = runtime.first_download if runtime else ""
            worker = runtime.worker_for(None) if runtime and runtime.worker else ""
            return str(render_widget(marker, f"kl{count}", docs_dir, calculators, download, worker))

        def figure(marker: Marker) -> str:
            if marker.name not in FIGURES:
                raise UnknownMarker(marker.name)
            try:
                return str(FIGURES[marker.name](self.sources, marker.arg))
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
        site = Path(config.site_dir)
        if self.config.csp:
            csp.add_policy(site)
        if self.config.headers:
            prefix = urlsplit(config.site_url or "/").path or "/"
            prefix = prefix if prefix.endswith("/") else prefix + "/"
            (site / "_headers").write_text(headers.headers_file(self.manifest.immutable, prefix), encoding="utf-8")

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
