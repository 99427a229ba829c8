"""In Chromium: model text pasted into the analyzer stays text (no script runs), error messages are text, and
no page reports a Content-Security-Policy violation, also across instant navigation and in the calculators."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.conftest import Watched, click_nav, theme_ready
from tests.browser.test_site_browser import CALC_PAGES, PAGES, goto_ready, output_text, wait_for_result
from tests.hostile import PAYLOAD, SCRIPT, bad_value_model, hostile_json

# Recorded from the first script that runs in each document, so nothing can slip past it.
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", e => {
  const where = e.sourceFile + ":" + e.lineNumber;
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


def violations(page: Any) -> list[str]:
    return list(page.evaluate("() => window.__violations"))


def test_pasted_model_names_stay_text(watched: Watched, site_url: str) -> None:
    page = watched.page
    goto_ready(page, site_url + "analyzer/")
    before = output_text(page)
    page.fill("textarea", hostile_json())
    after = wait_for_result(page, before)
    assert PAYLOAD in after and f"{SCRIPT}: layer class not supported by calc" in after
    assert page.locator("[data-calc-output] img, [data-calc-output] script").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    # A message that quotes a value from the model is shown next to the field, as text.
    page.fill("textarea", json.dumps(bad_value_model()))
    # The analyzer's first field is the application list: the message belongs to the source field.
    page.wait_for_function("() => document.querySelector('[id$=\"-source-msg\"]').textContent.includes('padding')")
    assert PAYLOAD in page.inner_text('[id$="-source-msg"]')
    assert page.locator(".kl-msg img").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert not watched.errors and not watched.off_origin


def test_every_page_has_a_policy_and_nothing_violates_it(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.add_init_script(WATCH_CSP)
    for path in PAGES:
        if path in CALC_PAGES.values():
            goto_ready(page, site_url + path)
        else:
            page.goto(site_url + path)
            theme_ready(page)
        policy = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
        script_src = (policy or "").split("script-src")[1].split(";")[0]
        assert script_src.startswith(" 'self' 'wasm-unsafe-eval' 'sha256-") and "unsafe-inline" not in script_src
        assert violations(page) == [], path
    # Instant navigation: the next page's inline scripts run in this document, under its policy.
    page.goto(site_url)
    theme_ready(page)
    for path in ("layer/", "methods/", "receptive-field/"):
        click_nav(page, path)  # opening its folded section of the navigation first, as a person does
        page.wait_for_url("**/" + path)
        theme_ready(page)
    page.locator("[data-calc]").first.scroll_into_view_if_needed()
    page.wait_for_selector('[data-calc][data-state="ready"]')
    assert violations(page) == []
    assert not watched.errors and not watched.off_origin


def test_the_policy_is_enforced(watched: Watched, site_url: str) -> None:
    """A check that can fail: an inline script the build did not hash is refused and reported."""
    page = watched.page
    page.add_init_script(WATCH_CSP)
    page.goto(site_url + "methods/")
    theme_ready(page)
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1'; "
                  "document.body.append(s); }")  # fmt: skip
    page.wait_for_function("() => window.__violations.length > 0")
    assert page.evaluate("() => window.__pwned") is None
    assert "script-src" in violations(page)[0]
