# Fixtures for the browser tests: the site built once (mkdocs build --strict) and served from a local
# http.server under a sub-path, as GitHub Pages serves project sites; Debian's Chromium driven by Playwright.
# Every page records its page errors and every request that leaves the site's origin.

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
SUBPATH = "kernel-lab"

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} missing: run scripts/setup.sh (installs Debian's chromium)", allow_module_level=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def build_site(dest: Path, site_url: str) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KERNEL_LAB_SITE_URL": site_url}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(dest)]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


@pytest.fixture(scope="session")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the built site, served under /kernel-lab/ from 127.0.0.1."""
    top = tmp_path_factory.mktemp("www")
    handler = functools.partial(_QuietHandler, directory=str(top))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    url = f"http://127.0.0.1:{server.server_port}/{SUBPATH}/"
    build_site(top / SUBPATH, url)  # site_url must match for Material's instant navigation
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def theme_ready(page: Any) -> None:
    """Wait for the theme's scripts, which run after the first paint (website/overrides/main.html), to have
    mounted the page's components."""
    page.wait_for_function("() => window.component$ !== undefined && document.querySelector('.md-sidebar[style]')")


class Watched:
    """A Playwright page with the page errors and off-origin requests it saw."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page = page
        self.errors: list[str] = []
        self.off_origin: list[str] = []
        self.requests: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

        def on_request(request: Any) -> None:
            self.requests.append(request.url)
            if not request.url.startswith(origin) and not request.url.startswith(("data:", "blob:")):
                self.off_origin.append(request.url)

        page.on("request", on_request)


@pytest.fixture
def watched(browser: Any, site_url: str) -> Iterator[Watched]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    origin = site_url.split("/" + SUBPATH)[0]
    w = Watched(page, origin)
    # A worker's requests are seen by the context, not the page.
    context.on(
        "request",
        lambda r: (
            w.off_origin.append(r.url)
            if not r.url.startswith(origin) and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    yield w
    context.close()


def click_nav(page: Any, href_end: str) -> None:
    """Click the sidebar's link to the page whose address ends with ``href_end`` as a person does: opening its
    section of the navigation first when it is folded (mkdocs.yml groups the pages)."""
    link = page.locator(f'.md-sidebar--primary a.md-nav__link[href$="{href_end}"]').first
    if not link.is_visible():
        section = f'.md-sidebar--primary li.md-nav__item--nested:has(a.md-nav__link[href$="{href_end}"]) > label'
        page.locator(section).first.click()
    link.click()
