"""The calculators' status line says in words what state the numbers are in: on a slow first visit (4 Mbit/s,
150 ms, Chromium's network emulation) every calculator says that its figures are the defaults and that Python is
starting, with the download it costs, which is what a first visit does download; a change made meanwhile dims the
output until Python has computed it."""

from __future__ import annotations

import json
from typing import Any

from calc.text import nbytes
from kernel_lab import calculators
from tests.browser.test_failures_browser import STATUS, poll
from tests.browser.test_site_browser import CALC_PAGES, READY, output_text, text_of

SLOW = {"offline": False, "latency": 150, "downloadThroughput": 4e6 / 8, "uploadThroughput": 4e6 / 8}
# What the page fetches for itself, not to start Python.
PAGE_ASSETS = ("/calculators.", "/models/")  # the page's own script and styles, not what starts Python


def throttled_page(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW)
    return context, page


def starting_words(page: Any) -> str:
    """The status line while the calculator is not yet ready and Python is starting."""
    script = f"""() => {{
        const root = document.querySelector('[data-calc]');
        const text = ({STATUS})();
        return root.dataset.state !== 'ready' && text.includes('starting Python') && text;
    }}"""
    return str(poll(page, script, timeout=60))


def test_a_throttled_first_visit_shows_status_words_in_every_calculator(browser: Any, site_url: str) -> None:
    for name, path in sorted(CALC_PAGES.items()):
        context, page = throttled_page(browser)
        page.goto(site_url + path, wait_until="commit")
        root = page.locator(f'[data-calc="{name}"]')
        root.wait_for(state="attached")
        size = root.get_attribute("data-download")
        assert size, "the build names the download"
        root.scroll_into_view_if_needed()  # the worker starts when a calculator comes into view
        words = starting_words(page)
        assert words.startswith("Computed for the default inputs") and f"about {size}" in words, (name, words)
        context.close()


def test_a_change_before_python_runs_is_dimmed_until_computed(browser: Any, site_url: str) -> None:
    context, page = throttled_page(browser)
    page.goto(site_url + "layer/", wait_until="commit")
    page.locator("[data-calc]").scroll_into_view_if_needed()
    starting_words(page)
    page.fill('[name="filters"]', "32")
    words = page.evaluate(STATUS)
    assert words.startswith("Not yet computed for your inputs") and "starting Python" in words, words
    assert page.get_attribute("[data-calc-output]", "data-stale") == "true"
    assert page.get_attribute("[data-calc]", "data-state") != "ready"
    page.wait_for_selector(READY, timeout=120_000)
    assert output_text(page) == text_of(page, calculators.run("layer", {"filters": "32"}))
    assert page.get_attribute("[data-calc-output]", "data-stale") is None
    assert page.evaluate(STATUS) == ""
    context.close()


def test_the_download_named_is_what_a_first_visit_fetches(browser: Any, site_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    responses: list[Any] = []
    context.on("response", lambda r: responses.append(r))  # the worker's too
    page.goto(site_url + "layer/")
    page.locator("[data-calc]").scroll_into_view_if_needed()
    page.wait_for_selector(READY)
    fetched = {
        r.url: len(r.body())
        for r in list(responses)
        if "/assets/kernel-lab/" in r.url and not any(part in r.url for part in PAGE_ASSETS) and r.ok
    }
    assert any(u.endswith(".wasm.xz") or u.endswith(".wasm") for u in fetched), json.dumps(fetched)
    assert page.get_attribute("[data-calc]", "data-download") == nbytes(sum(fetched.values())), fetched
    context.close()
