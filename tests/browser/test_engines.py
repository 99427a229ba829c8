"""The built site in Firefox (Debian's firefox-esr) and WebKit (WebKitGTK's MiniBrowser, a proxy for Safari), driven
by scripts/browsers.py: every calculator page becomes ready and recomputes what a reader types, with no page error
and no Content-Security-Policy violation; hostile names in a pasted model stay text; the policy is enforced (a
check that can fail); and the warm path: the first visit makes the memory snapshot, the next starts from it.

The pages come through scripts/bench/proxy.py, which puts PROBE first in every page's head: a same-origin script
(the site's ``script-src 'self'`` allows it) that records violations and uncaught errors from the first moment of
each document, since WebDriver (classic) has no init scripts and no log of the page's errors. A missing engine is a
skip that says which package is missing.
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from kernel_lab import calculators
from scripts.bench.proxy import Proxy, proxy
from scripts.browsers import ENGINES, ROOT, Browser, Page, fill, launched, missing, wait_for
from tests.browser.conftest import SUBPATH
from tests.browser.test_site_browser import CALC_PAGES
from tests.hostile import PAYLOAD, SCRIPT, bad_value_model, hostile_json

PROBE_PATH = "/__kl_probe.js"
PROBE = b"""window.__kl = { violations: [], errors: [] };
document.addEventListener("securitypolicyviolation", function (e) {
  window.__kl.violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":"
    + e.lineNumber);
});
window.addEventListener("error", function (e) { window.__kl.errors.push("error: " + e.message); });
window.addEventListener("unhandledrejection", function (e) { window.__kl.errors.push("rejection: " + e.reason); });
"""
# What a reader types into each calculator (a field of its form and a new value).
TYPED = {
    "layer": ("filters", "48"),
    "receptive_field": ("kernel_sizes", "3, 5"),
    "effective_field": ("kernel_sizes", "7"),
    "kernel_compare": ("filters", "32"),
    "inception": ("size", "14"),
    "analyzer": ("input_shape", "112, 112, 3"),
}
READY = "() => document.querySelector('[data-calc][data-state=\"ready\"]') !== null"
OUTPUT = "() => document.querySelector('[data-calc-output]').textContent"
CHANGED = "before => { const t = document.querySelector('[data-calc-output]').textContent; return t !== before && t; }"
TEXT_OF = "html => { const d = document.createElement('div'); d.innerHTML = html; return d.textContent; }"


@pytest.fixture(scope="module")
def probed(site_url: str) -> Iterator[Proxy]:
    """A proxy in front of the built site (conftest's site_url) that puts PROBE first in every page's head and
    counts the bytes it sends of each file."""
    origin = site_url.split("/" + SUBPATH)[0]
    tag = f'<script src="{PROBE_PATH}"></script>'.encode()
    with proxy(origin, inject=tag, files={PROBE_PATH: ("text/javascript", PROBE)}) as running:
        yield running


@pytest.fixture(scope="module")
def probed_url(probed: Proxy) -> str:
    """The built site through the probing proxy."""
    return probed.url + SUBPATH + "/"


def engine_or_skip(engine: str) -> None:
    reason = missing(engine)
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """One browser of each engine, shared by the module's tests (a warm HTTP cache after the first page)."""
    engine_or_skip(request.param)
    with launched(request.param) as browser:
        yield browser


@pytest.fixture
def page(engine: Browser) -> Iterator[Page]:
    """A new page (Firefox: a tab; WebKit: the session's one window), closed after the test."""
    opened = engine.new_page()
    yield opened
    opened.close()


def probe(page: Page) -> dict[str, list[str]]:
    """What PROBE recorded in the page's document, plus the errors the driver saw (Firefox's log)."""
    seen = page.evaluate("() => window.__kl || null")
    assert seen is not None, "the probe did not run: the checks below would prove nothing"
    return {"violations": seen["violations"], "errors": seen["errors"] + page.errors()}


def clean(page: Page) -> None:
    assert probe(page) == {"violations": [], "errors": []}


def open_ready(page: Page, url: str) -> dict[str, Any]:
    """Open a calculator page, bring its calculator into view (its worker starts then), wait until it answered;
    how its worker booted (window.klWorkerTimings)."""
    page.goto(url)
    page.evaluate("() => document.querySelector('[data-calc]').scrollIntoView()")
    wait_for(page, READY, timeout=240)
    timings: dict[str, Any] = page.evaluate("() => window.klWorkerTimings")
    return timings


def typed_result(page: Page, name: str) -> str:
    """Type TYPED[name] into its field; the recomputed result, checked against what the calculator computes."""
    field, value = TYPED[name]
    inputs = {field: value}
    if name == "analyzer":  # its model comes from the page (a file it names), carried along with the form
        inputs["source"] = page.evaluate("() => document.querySelector('[name=\"source\"]').value")
    expected = page.evaluate(TEXT_OF, str(calculators.run(name, inputs)))
    assert page.evaluate(OUTPUT) != expected, "the typed value must change the result"
    fill(page, f'[name="{field}"]', value)
    # Each key is an input event: wait for the result of the whole value, then compare.
    with contextlib.suppress(TimeoutError):
        wait_for(page, "expected => document.querySelector('[data-calc-output]').textContent === expected", expected)
    after = str(page.evaluate(OUTPUT))
    assert after == expected, name
    return after


def test_every_calculator_page_is_ready_and_recomputes_what_a_reader_types(page: Page, probed_url: str) -> None:
    for name, path in CALC_PAGES.items():
        timings = open_ready(page, probed_url + path)
        typed_result(page, name)
        clean(page)
        if timings.get("makeSnapshot"):  # later pages start from it: quicker, and the warm path in every page
            made = wait_for(page, "() => window.klSnapshot", timeout=240)
            assert made["made"], made


def test_hostile_names_in_a_pasted_model_stay_text(page: Page, probed_url: str) -> None:
    open_ready(page, probed_url + "analyzer/")
    paste = """text => { const t = document.querySelector("textarea"); t.value = text;
      t.dispatchEvent(new Event("input", { bubbles: true })); }"""
    before = page.evaluate(OUTPUT)
    page.evaluate(paste, hostile_json())
    after = str(wait_for(page, CHANGED, before, timeout=60))
    assert PAYLOAD in after and f"{SCRIPT}: layer class not supported by calc" in after
    assert (
        page.evaluate("() => document.querySelectorAll('[data-calc-output] img, [data-calc-output] script').length")
        == 0
    )
    # A message quoting a value from the model is text next to the source field.
    page.evaluate(paste, json.dumps(bad_value_model()))
    message = (
        "() => { const m = document.querySelector('[id$=\"-source-msg\"]');"
        " return m.textContent.includes('padding') && m.textContent; }"
    )
    assert PAYLOAD in wait_for(page, message, timeout=60)
    assert page.evaluate("() => document.querySelectorAll('.kl-msg img, .kl-msg script').length") == 0
    assert page.evaluate("() => window.__pwned === undefined")
    clean(page)


def test_the_policy_is_enforced_and_its_violations_are_seen(page: Page, probed_url: str) -> None:
    """The check the other tests rely on can fail: an inline script the build did not hash is refused, and the
    probe reports it, in this engine."""
    page.goto(probed_url + "methods/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1'; "
                  "document.body.append(s); }")  # fmt: skip
    seen = wait_for(page, "() => window.__kl.violations.length > 0 && window.__kl.violations", timeout=10)
    assert "script-src" in seen[0]
    assert page.evaluate("() => window.__pwned === undefined")


def fetched_more_than_once(sent: dict[str, int], site_url: str) -> dict[str, float]:
    """The compressed runtime files (NAME.xz) of which more than the file was sent: {path: times its size}."""
    origin = site_url.split("/" + SUBPATH)[0]
    over = {}
    for path, n in sent.items():
        if path.split("?")[0].endswith(".xz"):
            with urllib.request.urlopen(origin + path) as response:
                size = len(response.read())
            if n > size:
                over[path.rsplit("/", 1)[-1]] = round(n / size, 2)
    return over


@pytest.mark.parametrize("name", ENGINES)
def test_the_next_visit_starts_from_the_snapshot_the_first_made(
    name: str, probed: Proxy, probed_url: str, site_url: str
) -> None:
    """A fresh profile: the first visit boots Python the normal way and, once idle, makes the memory snapshot
    (WebKit has no requestIdleCallback: calculators.js's fallback runs it); the next visit starts from it and
    recomputes. The first visit and the snapshot download each compressed runtime file once: the page's
    preload is what the worker reads, or there is none, and the snapshot is made from the worker's copies.
    Where an engine cannot keep a snapshot, the next visit must still boot normally and recompute, and the skip
    says why."""
    engine_or_skip(name)
    with launched(name) as browser:
        page = browser.new_page()
        probed.reset()
        first = open_ready(page, probed_url + "layer/")
        assert first["boot"] == "normal" and first["makeSnapshot"] is True, first
        idle = page.evaluate("() => typeof requestIdleCallback")
        made = wait_for(page, "() => window.klSnapshot", timeout=240)
        assert fetched_more_than_once(probed.files(), site_url) == {}, f"{name}: fetched more than once"
        page.close()
        page = browser.new_page()
        second = open_ready(page, probed_url + "layer/")
        typed_result(page, "layer")
        clean(page)
        if not made["made"]:
            assert second["boot"] == "normal", second
            pytest.skip(f"{name}: no snapshot made ({made.get('reason')}); the next visit booted normally")
        assert made["bytes"] > 1_000_000, made
        assert second["boot"] == "snapshot" and second["makeSnapshot"] is False, (
            second,
            f"requestIdleCallback: {idle}",
        )


def test_puppeteer_core_is_pinned_and_downloads_no_browser() -> None:
    """Firefox comes from Debian; the npm side only drives it: puppeteer-core pinned, no package with an install
    script (which is how puppeteer itself would download a browser), and not puppeteer."""
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    version = package["devDependencies"]["puppeteer-core"]
    assert version[0].isdigit(), "pinned to one version"
    assert lock["node_modules/puppeteer-core"]["version"] == version
    assert "node_modules/puppeteer" not in lock
    # The one package allowed an install script: esbuild's checks that its platform binary (@esbuild/linux-x64,
    # pinned in the same lock) runs; it downloads no browser.
    assert [name for name, p in lock.items() if p.get("hasInstallScript")] == ["node_modules/esbuild"]
    assert "node_modules/@esbuild/linux-x64" in lock
