"""The memory snapshot a reader's browser makes and starts later visits from (website/assets/python-worker.mjs), in
Chromium with a persistent profile (a disk cache and Cache Storage, as a reader's browser has), the site served
under a sub-path: the second visit starts from the snapshot; every way it can fail (a corrupt entry, making it
fails, no Cache Storage) leaves a page that recomputes after a normal boot. No request leaves the site's origin,
the snapshot worker's included."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kernel_lab import calculators
from scripts.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.conftest import SUBPATH
from tests.browser.test_site_browser import READY, output_text, text_of, wait_for_result

SNAPSHOT_DONE = "() => window.klSnapshot !== undefined"


class Profile:
    """A persistent Chromium profile with every request its pages and workers made."""

    def __init__(self, context: Any, origin: str) -> None:
        self.context = context
        self.requests: list[str] = []
        self.errors: list[str] = []
        context.on("request", lambda r: self.requests.append(r.url))
        context.on("weberror", lambda e: self.errors.append(str(e.error)))
        self.origin = origin

    def off_origin(self) -> list[str]:
        return [u for u in self.requests if not u.startswith((self.origin, "data:", "blob:"))]

    def visit(self, url: str) -> Any:
        """A new tab on the one-layer page, once the calculator has answered; returns the page."""
        page = self.context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url + "layer/")
        page.wait_for_selector(READY)
        return page


@contextlib.contextmanager
def profile(browser: Any, folder: Path, origin: str, args: tuple[str, ...] = ()) -> Iterator[Profile]:
    context = browser.browser_type.launch_persistent_context(
        str(folder), executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *args]
    )
    try:
        yield Profile(context, origin)
    finally:
        context.close()


def origin_of(site_url: str) -> str:
    return site_url.split("/" + SUBPATH)[0]


def boot(page: Any) -> dict[str, Any]:
    timings: dict[str, Any] = page.evaluate("() => window.klWorkerTimings")
    return timings


def recomputes(page: Any) -> None:
    before = output_text(page)
    page.fill('[name="filters"]', "32")
    assert wait_for_result(page, before) == text_of(page, calculators.run("layer", {"filters": "32"}))


def first_visit_makes_a_snapshot(p: Profile, site_url: str) -> Any:
    page = p.visit(site_url)
    assert boot(page)["boot"] == "normal" and boot(page)["makeSnapshot"] is True
    ready = len(p.requests)
    page.wait_for_function(SNAPSHOT_DONE, timeout=60_000)
    made = page.evaluate("() => window.klSnapshot")
    assert made["made"] is True and made["bytes"] > 1_000_000, made
    assert 0 < made["stored"] < 2 * made["bytes"], made
    # The snapshot maker starts Python from the files the page's worker decompressed and kept: it fetches no .xz
    # (not even from the HTTP cache) and no decoder.
    assert [u for u in p.requests[:ready] if "/xz." in u], "the worker's requests are seen (its decoder)"
    fetched = [u for u in p.requests[ready:] if u.endswith(".xz") or "/xz." in u]
    assert fetched == [], fetched
    return page


def test_the_second_visit_starts_from_the_snapshot_this_browser_made(
    browser: Any, site_url: str, tmp_path: Path
) -> None:
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        first_visit_makes_a_snapshot(p, site_url).close()
        page = p.visit(site_url)
        assert boot(page)["boot"] == "snapshot", boot(page)
        assert boot(page)["makeSnapshot"] is False
        recomputes(page)
        # Under the sub-path, in the site's own cache, under this build's id.
        keys = page.evaluate("async () => (await (await caches.open('kernel-lab-python')).keys()).map(r => r.url)")
        snapshots = [k for k in keys if k.startswith(site_url + "assets/kernel-lab/pyodide/snapshot-")]
        assert len(snapshots) == 1 and all(k.startswith(site_url + "assets/kernel-lab/") for k in keys), keys
        assert not p.off_origin(), p.off_origin()
        assert not any(u.endswith(".bin") for u in p.requests), "the snapshot is never downloaded"
        assert not p.errors


def test_a_corrupt_snapshot_entry_means_a_normal_boot(browser: Any, site_url: str, tmp_path: Path) -> None:
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        page = first_visit_makes_a_snapshot(p, site_url)
        page.evaluate(
            """async () => {
                const cache = await caches.open("kernel-lab-python");
                for (const request of await cache.keys()) await cache.put(request, new Response("not a snapshot"));
            }"""
        )
        page.close()
        page = p.visit(site_url)
        assert boot(page)["boot"] == "normal" and boot(page)["snapshotError"], boot(page)
        assert boot(page)["makeSnapshot"] is True, "after one that failed to load, a new snapshot is made"
        recomputes(page)
        assert page.get_attribute("[data-calc]", "data-state") == "ready"


def test_when_making_the_snapshot_fails_the_page_still_works(browser: Any, site_url: str, tmp_path: Path) -> None:
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        # The snapshot worker's import of Pyodide's JavaScript fails (the first fetch of pyodide.mjs is the page's
        # worker's; routing also turns the HTTP cache off, so the later fetches reach the route). Its other files
        # it reads from the copies the page's worker kept.
        fetches: list[str] = []

        def second_fails(route: Any) -> None:
            fetches.append(route.request.url)
            if len(fetches) > 1:
                route.abort()
            else:
                route.continue_()

        p.context.route("**/pyodide.mjs", second_fails)
        page = p.visit(site_url)
        page.wait_for_function(SNAPSHOT_DONE, timeout=60_000)
        assert page.evaluate("() => window.klSnapshot.made") is False
        assert len(fetches) >= 2
        recomputes(page)
        assert page.locator(".kl-status").inner_text() == ""  # no notice: the page is interactive
        page.close()
        p.context.unroute("**/pyodide.mjs")
        page = p.visit(site_url)
        assert boot(page)["boot"] == "normal"
        recomputes(page)


def test_without_cache_storage_the_worker_boots_normally(browser: Any, site_url: str, tmp_path: Path) -> None:
    """Served over plain HTTP from a name that is not localhost, the page is not a secure context: no Cache
    Storage. The worker boots normally, asks for no snapshot, and the calculator recomputes."""
    host = "kernel-lab.test"
    insecure = site_url.replace("127.0.0.1", host)
    rule = f"--host-resolver-rules=MAP {host} 127.0.0.1"
    with profile(browser, tmp_path, origin_of(insecure), (rule,)) as p:
        page = p.visit(insecure)
        assert page.evaluate("() => window.isSecureContext || typeof caches !== 'undefined'") is False
        assert boot(page)["boot"] == "normal" and boot(page)["makeSnapshot"] is False
        recomputes(page)
        page.close()
        assert boot(p.visit(insecure))["boot"] == "normal"
        assert not p.off_origin(), p.off_origin()


def test_a_corrupt_compressed_file_means_the_original_files(browser: Any, site_url: str, tmp_path: Path) -> None:
    """An .xz that breaks part-way (here: the wasm's: an xz stream header, then garbage) does not leave
    Python waiting: the worker boots again from the original files and the calculator recomputes."""
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        broken = b"\xfd7zXZ\x00\x00\x01\x69\x22\xde\x36" + bytes(range(256)) * 64
        p.context.route("**/pyodide.asm.wasm.xz", lambda route: route.fulfill(status=200, body=broken))
        page = p.visit(site_url)
        assert boot(page)["fileError"], boot(page)
        assert any(u.endswith("/pyodide.asm.wasm") for u in p.requests)
        recomputes(page)


def test_a_truncated_compressed_file_means_the_original_files(browser: Any, site_url: str, tmp_path: Path) -> None:
    """An .xz cut short (here the standard library's, which decodes cleanly as far as it goes) is an error at its
    end, not a short file: the worker boots again from the original files and the calculator recomputes."""
    with profile(browser, tmp_path, origin_of(site_url)) as p:

        def first_half(route: Any) -> None:
            body = route.fetch().body()
            route.fulfill(status=200, body=body[: len(body) // 2])

        p.context.route("**/python_stdlib.zip.xz", first_half)
        page = p.visit(site_url)
        assert "truncated" in boot(page)["fileError"], boot(page)
        assert any(u.endswith("/python_stdlib.zip") for u in p.requests)
        recomputes(page)


def started_by(page: Any) -> str:
    """Who started the page's worker: "early" (the head, on a warm visit) or "calculators.js"."""
    detail: str = page.evaluate('() => performance.getEntriesByName("kl-worker-start")[0].detail')
    return detail


def test_a_warm_visit_starts_the_worker_from_the_head(browser: Any, site_url: str, tmp_path: Path) -> None:
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        page = first_visit_makes_a_snapshot(p, site_url)
        assert started_by(page) == "calculators.js"
        page.close()
        before = len(p.requests)
        page = p.visit(site_url)
        assert started_by(page) == "early" and boot(page)["boot"] == "snapshot"
        assert page.evaluate("() => performance.getEntriesByName('kl-worker-start').length") == 1, "one worker"
        assert not [u for u in p.requests[before:] if u.endswith(".xz")], "nothing preloaded on a warm visit"
        recomputes(page)
        assert not p.errors


def test_a_snapshot_gone_from_cache_storage_means_a_normal_boot_and_a_new_snapshot(
    browser: Any, site_url: str, tmp_path: Path
) -> None:
    """localStorage still names the snapshot (so the head starts the worker) but Cache Storage lost it (evicted,
    cleared): the worker boots normally, the page recomputes, and the browser makes the snapshot again."""
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        page = first_visit_makes_a_snapshot(p, site_url)
        page.evaluate("async () => { await caches.delete('kernel-lab-python'); }")
        page.close()
        page = p.visit(site_url)
        assert started_by(page) == "early" and boot(page)["boot"] == "normal", boot(page)
        recomputes(page)
        page.wait_for_function(SNAPSHOT_DONE, timeout=60_000)
        assert page.evaluate("() => window.klSnapshot.made") is True
        page.close()
        assert boot(p.visit(site_url))["boot"] == "snapshot"


def test_without_the_decoder_the_worker_fetches_the_original_files(browser: Any, site_url: str, tmp_path: Path) -> None:
    """The decoder (xz.<h>.wasm) cannot be fetched: the compressed files come as the originals instead, and the
    page works."""
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        p.context.route("**/xz.*.wasm", lambda route: route.abort())
        page = p.visit(site_url)
        assert any(u.endswith("/pyodide.asm.wasm") for u in p.requests)
        assert any(u.endswith("/python_stdlib.zip") for u in p.requests)
        recomputes(page)


def test_a_warm_visit_reads_the_decompressed_files_it_kept(browser: Any, site_url: str, tmp_path: Path) -> None:
    """Beside the snapshot the browser keeps each compressed file decompressed, under its own name; a start from
    the snapshot reads Pyodide's files from there, not from the .xz files."""
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        first_visit_makes_a_snapshot(p, site_url).close()
        page = p.visit(site_url)
        assert boot(page)["boot"] == "snapshot"
        kept = page.evaluate("async () => (await (await caches.open('kernel-lab-python')).keys()).map(r => r.url)")
        for name in ("pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip"):
            assert any(u.endswith("/" + name) for u in kept), (name, kept)
            assert name in boot(page)["copies"], boot(page)
        recomputes(page)
