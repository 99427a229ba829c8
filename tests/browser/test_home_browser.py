# The home page's answer where a reader sees it: the block with id="answer" begins within the first screen of a
# 1280×900 window and within one and a half screens of a 375×812 phone, in both colour schemes; on the phone the
# page does not scroll sideways. Its form opens the comparison calculator with the reader's own layer.

from __future__ import annotations

from typing import Any

import pytest

from kernel_lab import calculators
from tests.browser.test_site_browser import READY, output_text, text_of

SCREENS = {"desktop": (1280, 900, 1.0), "phone": (375, 812, 1.5)}  # width, height, screens the answer may start in


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_answer_starts_on_the_first_screen(browser: Any, site_url: str, screen: str, scheme: str) -> None:
    width, height, screens = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(site_url, wait_until="load")
        box = page.evaluate(
            "() => { const r = document.getElementById('answer').getBoundingClientRect();"
            " return {top: r.top + scrollY, height: r.height, wide: document.documentElement.scrollWidth}; }"
        )
        assert 0 < box["top"] < screens * height, box
        assert box["height"] > 0
        assert box["wide"] <= width, box
    finally:
        context.close()


def test_the_answer_opens_the_comparison_with_the_readers_layer(browser: Any, site_url: str) -> None:
    """Typed into the answer's form, the reader's input shape and filters reach the comparison calculator through
    its URL, and it computes for them."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(site_url, wait_until="load")
        page.fill("#answer [name=input_shape]", "28, 28, 128")
        page.fill("#answer [name=filters]", "256")
        page.click("#answer button[type=submit]")
        page.wait_for_url("**/compare/?*")
        assert "input_shape=28%2C+28%2C+128" in page.url and "filters=256" in page.url
        page.locator("[data-calc]").scroll_into_view_if_needed()
        page.wait_for_selector(READY)
        assert page.input_value('[data-calc] [name="input_shape"]') == "28, 28, 128"
        expected = text_of(page, calculators.run("kernel_compare", {"input_shape": "28, 28, 128", "filters": "256"}))
        for _ in range(100):  # the worker answers for the linked values
            if output_text(page) == expected:
                break
            page.wait_for_timeout(100)
        assert output_text(page) == expected
    finally:
        context.close()
