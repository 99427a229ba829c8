"""Failures a reader's browser meets, each ending in words on the page instead of a calculator that stays
"loading": a request that runs too long (the watchdog restarts Python), runtime files that fail in every way a
host or a network can fail them (404, truncated, dropped mid-download, a host that never answers), no network at
all (the page retries when the connection returns), site data blocked, a file too large for the analyzer, and a
memory snapshot that is corrupt or that the storage quota refuses."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from calc._model import MAX_CONFIG_BYTES
from calc.text import nbytes
from kernel_lab import calculators
from kernel_lab_mkdocs.widgets import MAX_MODEL_FILE_BYTES
from tests.browser.conftest import Watched
from tests.browser.test_site_browser import (
    READY,
    goto_ready,
    output_text,
    text_of,
    type_and_compare,
    wait_for_result,
)
from tests.browser.test_snapshot_browser import boot, origin_of, profile, recomputes

STATUS = "() => document.querySelector('[data-calc] .kl-status').textContent"
STATE = "() => document.querySelector('[data-calc]').dataset.state"


def poll(page: Any, script: str, timeout: float = 30.0) -> Any:
    """``page.evaluate(script)`` until it is truthy; its value. (Playwright's wait_for_function evaluates with
    eval, which the site's CSP refuses.)"""
    end = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"not true after {timeout} s: {script} (status: {page.evaluate(STATUS)!r})")
        page.wait_for_timeout(100)


def status_when(page: Any, state: str, timeout: float = 30.0) -> str:
    """The calculator's status line once its data-state is ``state``."""
    poll(page, f"() => document.querySelector('[data-calc]').dataset.state === {json.dumps(state)}", timeout)
    return str(page.evaluate(STATUS))


# --- the watchdog ------------------------------------------------------------------------------------------
HANG = "4242"  # filters: the worker served by hanging_worker spins for ten minutes on this value


def hanging_worker(route: Any) -> None:
    """The calculators' worker, made to hang on one input (a request that never ends, on demand)."""
    response = route.fetch()
    body = response.text()
    spin = f"if (msg.inputs && msg.inputs.filters === {json.dumps(HANG)})"
    spin += " for (const end = Date.now() + 6e5; Date.now() < end; );"
    patched = body.replace("function answer(msg) {", "function answer(msg) {" + spin, 1)
    assert patched != body, "the worker no longer has function answer(msg)"
    route.fulfill(response=response, body=patched)


def test_a_request_that_runs_too_long_restarts_python_and_says_so(watched: Watched, site_url: str) -> None:
    page = watched.page
    # The worker's address carries its settings as a query: match the file with or without one.
    page.context.route(re.compile(r"/python-worker\.[0-9a-f]+\.mjs(\?|$)"), hanging_worker)
    goto_ready(page, site_url + "layer/")
    page.fill('[name="filters"]', HANG)
    start = time.monotonic()
    status = poll(page, f"() => ({STATUS})().startsWith('Stopped') && ({STATUS})()", timeout=60)
    assert time.monotonic() - start < 25, "the watchdog stops a request after about 10 s"
    assert "10 s" in status and "restarted Python" in status
    assert page.get_attribute("[data-calc-output]", "data-stale") == "true"
    type_and_compare(page, "layer", "filters", "32")  # Python runs again
    assert page.evaluate(STATUS) == ""


CRAFTED = "receptive-field/?kernel_sizes=" + ",".join(["30000"] * 8) + "&padding=same"


def test_the_crafted_link_of_issue_22_does_not_freeze_the_calculators(watched: Watched, site_url: str) -> None:
    """Eight 30000-wide kernels with 'same' padding: computed, refused by Python, or stopped by the watchdog;
    whichever, the calculator answers the next input soon after."""
    page = watched.page
    start = time.monotonic()
    page.goto(site_url + CRAFTED)
    page.wait_for_selector(READY, timeout=60_000)
    before = output_text(page)
    page.fill('[name="kernel_sizes"]', "3, 3")
    expected = calculators.run("receptive_field", {"kernel_sizes": "3, 3", "padding": "same"})
    assert wait_for_result(page, before) == text_of(page, expected)
    assert time.monotonic() - start < 40


# --- the runtime's files fail ------------------------------------------------------------------------------
def fail_404(route: Any) -> None:
    route.fulfill(status=404, body="not here")


def fail_truncated(route: Any) -> None:
    """The host serves a third of the file as if it were all of it."""
    response = route.fetch()
    route.fulfill(response=response, body=response.body()[: len(response.body()) // 3])


def fail_dropped(route: Any) -> None:
    """The connection drops after a third of the file: fewer bytes than the Content-Length announced."""
    response = route.fetch()
    body = response.body()
    headers = {**response.headers, "content-length": str(len(body))}
    headers.pop("content-encoding", None)
    route.fulfill(status=200, headers=headers, body=body[: len(body) // 3])


def fail_stalled(route: Any) -> None:
    """A host that accepts the request and never answers."""


FAILURES: dict[str, tuple[Callable[[Any], None], str]] = {
    "404": (fail_404, "HTTP 404"),
    "truncated": (fail_truncated, ""),
    "dropped": (fail_dropped, ""),
    "stalled": (fail_stalled, "no answer from the host"),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_when_both_wasm_files_fail_the_page_says_which_and_retries(
    watched: Watched, site_url: str, failure: str
) -> None:
    """The compressed and the plain wasm both fail: the calculator ends in a message naming the file (and, where
    there is one, the cause), with a Retry button that starts Python again once the files are back."""
    page = watched.page
    handler, cause = FAILURES[failure]
    for pattern in ("**/pyodide.asm.wasm.xz", "**/pyodide.asm.wasm"):
        page.context.route(pattern, handler)
    page.goto(site_url + "layer/")
    page.locator("[data-calc]").scroll_into_view_if_needed()
    status = status_when(page, "error", timeout=90)
    assert "pyodide.asm.wasm" in status and cause in status, status
    assert "in this browser" not in status
    page.context.unroute_all(behavior="ignoreErrors")
    page.get_by_role("button", name="Retry").click()
    status_when(page, "ready", timeout=60)
    type_and_compare(page, "layer", "filters", "32")


def test_offline_says_so_and_starts_when_the_connection_returns(watched: Watched, site_url: str) -> None:
    page = watched.page
    # Calculators coming into view do not start the worker: touching one does, once the browser is offline.
    page.add_init_script("window.IntersectionObserver = class { observe() {} unobserve() {} };")
    page.goto(site_url + "layer/")
    # Mounted: the status line says the figures are the build's (the calculators' state is not on the element).
    poll(page, "() => document.querySelector('[data-calc] .kl-status').textContent.startsWith('Computed for')")
    assert page.evaluate(STATE) == "static", "the worker started before the test went offline"
    page.context.set_offline(True)
    page.focus('[name="filters"]')
    status = status_when(page, "error")
    assert "offline" in status and "in this browser" not in status, status
    page.context.set_offline(False)  # the browser's online event: the page starts Python again by itself
    status_when(page, "ready", timeout=60)
    type_and_compare(page, "layer", "filters", "32")


# --- site data blocked -------------------------------------------------------------------------------------
THROWING_STORAGE = """
for (const name of ["localStorage", "sessionStorage"]) {
  Object.defineProperty(window, name, {
    get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
    configurable: true,  // as the browser's own
  });
}
"""


def test_with_local_storage_throwing_the_theme_and_the_calculators_run(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.add_init_script(THROWING_STORAGE)
    goto_ready(page, site_url + "layer/")
    poll(page, "() => window.component$ !== undefined && document.querySelector('.md-sidebar[style]')")
    type_and_compare(page, "layer", "filters", "32")
    assert not watched.errors, watched.errors


def test_with_site_data_blocked_only_the_warm_start_is_lost(browser: Any, site_url: str, tmp_path: Path) -> None:
    """Chromium blocking every site's data (cookies, storage: Cache Storage refused in the worker too): the page
    works, makes no snapshot, and the next visit boots the normal way."""
    default = tmp_path / "Default"
    default.mkdir()
    blocked = {"profile": {"default_content_setting_values": {"cookies": 2}}}
    (default / "Preferences").write_text(json.dumps(blocked))
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        page = p.visit(site_url)
        assert page.evaluate("() => caches.open('any').then(() => false, () => true)"), "site data not blocked"
        assert boot(page)["boot"] == "normal" and boot(page)["makeSnapshot"] is False, boot(page)
        poll(page, "() => window.component$ !== undefined")
        recomputes(page)
        page.close()
        page = p.visit(site_url)
        assert boot(page)["boot"] == "normal"
        recomputes(page)


# --- a file too large for the analyzer ---------------------------------------------------------------------
@pytest.mark.parametrize(("name", "limit"), [("huge.json", MAX_CONFIG_BYTES), ("huge.keras", MAX_MODEL_FILE_BYTES)])
def test_a_file_too_large_is_refused_by_its_size_at_once(
    watched: Watched, site_url: str, tmp_path: Path, name: str, limit: int
) -> None:
    path = tmp_path / name
    with path.open("wb") as f:
        f.truncate(limit + 1)  # sparse: costs no disk
    page = watched.page
    goto_ready(page, site_url + "analyzer/")
    source = page.input_value("textarea")
    start = time.monotonic()
    page.set_input_files('input[type="file"]', str(path))
    message = poll(page, "() => document.querySelector('[id$=\"-model_file-msg\"]').textContent", timeout=10)
    assert time.monotonic() - start < 3, "refused by its size, not after reading it"
    assert name in message and nbytes(limit) in message, message
    assert page.input_value("textarea") == source, "the file's text went into the form"
    assert page.get_attribute("[data-calc-output]", "data-stale") == "true"


# --- the memory snapshot -----------------------------------------------------------------------------------
def corrupt_snapshot(page: Any) -> None:
    page.evaluate(
        """async () => {
            const cache = await caches.open("kernel-lab-python");
            for (const request of await cache.keys()) await cache.put(request, new Response("not a snapshot"));
        }"""
    )


def wait_for_snapshot(page: Any) -> dict[str, Any]:
    made: dict[str, Any] = poll(page, "() => window.klSnapshot || null", timeout=90)
    return made


def test_after_a_corrupt_snapshot_a_new_one_is_made_but_not_for_ever(
    browser: Any, site_url: str, tmp_path: Path
) -> None:
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        page = p.visit(site_url)
        assert wait_for_snapshot(page)["made"] is True
        for _ in range(2):
            corrupt_snapshot(page)
            page.close()
            page = p.visit(site_url)
            assert boot(page)["boot"] == "normal" and boot(page)["snapshotError"], boot(page)
            recomputes(page)
            if boot(page)["makeSnapshot"]:  # after the first corrupt snapshot, a new one
                assert wait_for_snapshot(page)["made"] is True
                page.close()
                page = p.visit(site_url)
                assert boot(page)["boot"] == "snapshot", boot(page)
        assert boot(page)["makeSnapshot"] is False, "after a second corrupt snapshot, none is made any more"


def test_a_snapshot_the_quota_refuses_is_not_made_again_on_every_visit(
    browser: Any, site_url: str, tmp_path: Path
) -> None:
    with profile(browser, tmp_path, origin_of(site_url)) as p:
        page = p.context.new_page()
        page.set_default_timeout(60_000)
        cdp = p.context.new_cdp_session(page)
        cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin_of(site_url), "quotaSize": 2_000_000})
        page.goto(site_url + "layer/")
        page.wait_for_selector(READY)
        made = wait_for_snapshot(page)
        assert made["made"] is False and "quota" in made["reason"].lower(), made
        second = p.visit(site_url)  # the first tab (and its quota) still open
        assert boot(second)["boot"] == "normal" and boot(second)["makeSnapshot"] is False, boot(second)
        recomputes(second)
