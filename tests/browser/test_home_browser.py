# The home page's answer where a reader sees it: the block with id="answer" begins within the first screen of a
# 1280×900 window and within one and a half screens of a 375×812 phone, in both colour schemes; on the phone the
# page does not scroll sideways.

from __future__ import annotations

from typing import Any

import pytest

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
