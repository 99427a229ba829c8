"""The site's _headers as Netlify and Cloudflare Pages apply it (scripts/bench/hosts.py, policy "headers": the
hashed names immutable for a year, every other file the hosts' default max-age=0, must-revalidate): a reader's
second visit, in a persistent Chromium profile, asks the host for no hashed file at all, only for the page and
the few unhashed files, and still recomputes from the snapshot its browser made."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.bench.hosts import Host, header_rules, serve
from tests.browser.test_snapshot_browser import boot, first_visit_makes_a_snapshot, profile, recomputes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Host, Path]]:
    """The site built for, and served by, a host that applies its _headers."""
    site = tmp_path_factory.mktemp("headers-site")
    with serve(site, "plain", "headers") as h:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KERNEL_LAB_SITE_URL": h.url}
        cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)]
        subprocess.run(cmd, cwd=ROOT, env=env, check=True)
        yield h, site


def test_the_second_visit_asks_for_no_hashed_file(browser: Any, host: tuple[Host, Path], tmp_path: Path) -> None:
    h, site = host
    hashed = {path for path, _ in header_rules((site / "_headers").read_text())}
    with profile(browser, tmp_path, h.url.rstrip("/")) as p:
        h.reset()
        first_visit_makes_a_snapshot(p, h.url).close()
        first = h.answered()
        # Paths as the host's rules see them: the worker's address carries its settings as a query.
        runtime = {path.split("?")[0] for path in first if "/kernel-lab/" in path}
        assert runtime and runtime <= hashed, runtime - hashed  # what the first visit fetched is all covered
        h.reset()
        page = p.visit(h.url)
        assert boot(page)["boot"] == "snapshot", boot(page)
        recomputes(page)
        page.wait_for_load_state("networkidle")
        second = {path.split("?")[0] for path in h.answered()}
        assert "/layer/" in second  # the page itself is asked for again (a new build shows at once)
        assert not second & hashed, sorted(second & hashed)
        assert not p.errors
