"""The theme's scripts as the site runs them (kernel_lab_mkdocs/theme_patch.py, website/overrides/main.html), in a
real browser: the patched bundle runs, after the first paint; the theme still works: search (its index now
fetched once the page has settled, or at once when the search opens), the light/dark toggle, instant
navigation, calculators."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Watched, click_nav, theme_ready

READY = '[data-calc][data-state="ready"]'


def test_patched_theme_runs_after_the_first_paint(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.goto(site_url)
    theme_ready(page)
    classes = page.evaluate("() => [...document.documentElement.classList]")
    assert "js" in classes and "no-js" not in classes
    bundle = page.evaluate(
        """() => performance.getEntriesByType("resource")
                 .filter(e => /\\/bundle\\.[0-9a-f]{10}\\.[0-9a-f]{8}\\.min\\.js$/.test(e.name))
                 .map(e => e.startTime)"""
    )
    # paintTime: the end of the rendering update that painted first (startTime is when it reached the screen).
    paint = page.evaluate(
        "() => { const p = performance.getEntriesByName('first-paint')[0]; return p.paintTime ?? p.startTime; }"
    )
    assert len(bundle) == 1, "the patched bundle was not loaded"
    assert bundle[0] >= paint, f"bundle requested at {bundle[0]} ms, before the first paint at {paint} ms"
    assert not watched.errors and not watched.off_origin


INDEX_FETCHED = """() => {
  const e = performance.getEntriesByType("resource").find(e => e.name.endsWith("search/search_index.json"));
  return e ? e.startTime : null;
}"""


def test_search_index_waits_for_the_page_to_settle(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.goto(site_url)
    page.wait_for_function(INDEX_FETCHED)  # fetched without opening the search
    fetched = page.evaluate(INDEX_FETCHED)
    load = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    assert fetched >= load, f"index fetched at {fetched} ms, before the load event ended at {load} ms"
    page.keyboard.press("/")  # the theme's shortcut: opens the search and focuses the query field
    page.keyboard.type("receptive field")
    page.wait_for_selector(".md-search-result__item")
    titles = page.locator(".md-search-result__item h1, .md-search-result__item h2").all_inner_texts()
    assert any("Receptive" in t for t in titles), titles
    page.keyboard.press("Escape")
    assert not watched.errors and not watched.off_origin


def test_search_index_waits_for_the_calculators_first_answer(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.goto(site_url + "layer/")
    page.wait_for_selector(READY)
    page.wait_for_function(INDEX_FETCHED)
    ready = page.evaluate("() => performance.getEntriesByName('kl-result')[0].startTime")
    assert page.evaluate(INDEX_FETCHED) >= ready
    assert not watched.errors and not watched.off_origin


def test_search_opened_before_the_page_settles_fetches_the_index_at_once(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.route("**/pyodide/**", lambda route: route.abort())  # no calculator answer: the index would wait 5 s
    page.goto(site_url + "layer/")
    theme_ready(page)
    page.click(".md-search__input")
    page.keyboard.type("snapshot")
    page.wait_for_selector(".md-search-result__item", timeout=4000)
    assert page.evaluate(INDEX_FETCHED) is not None
    assert not [e for e in watched.errors if "pyodide" not in e.lower() and "failed to load" not in e.lower()]


def test_search_opened_by_clicking_the_field_gets_results(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.goto(site_url + "methods/")
    theme_ready(page)
    page.click(".md-search__input")
    page.keyboard.type("snapshot")
    page.wait_for_selector(".md-search-result__item")
    assert not watched.errors and not watched.off_origin


def test_palette_toggle_switches_and_persists(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.goto(site_url)
    theme_ready(page)
    first = page.get_attribute("body", "data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").click()
    page.wait_for_function("s => document.body.dataset.mdColorScheme !== s", arg=first)
    second = page.get_attribute("body", "data-md-color-scheme")
    assert {first, second} == {"default", "slate"}
    page.goto(site_url + "methods/")  # a full load: the choice is kept
    theme_ready(page)
    assert page.get_attribute("body", "data-md-color-scheme") == second
    assert not watched.errors and not watched.off_origin


def test_instant_navigation_then_calculator_after_theme(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.goto(site_url + "methods/")
    theme_ready(page)
    click_nav(page, "layer/")
    page.wait_for_selector(READY)
    # The new page's table of contents and sidebar were mounted by the theme after the navigation.
    page.wait_for_function("() => location.pathname.endsWith('/layer/')")
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    page.go_back()
    page.wait_for_function("() => location.pathname.endsWith('/methods/')")
    page.wait_for_selector("h1:has-text('Methods')")
    assert not watched.errors and not watched.off_origin


def test_first_paint_shows_the_palette_toggle_the_theme_keeps(browser: Any, site_url: str) -> None:
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        visible = "() => [...document.querySelectorAll('[data-md-component=palette] label')].map(l => !l.hidden)"
        page.route("**/javascripts/bundle.*", lambda route: route.abort())  # the page before the theme runs
        page.goto(site_url)
        before = page.evaluate(visible)
        page.unroute("**/javascripts/bundle.*")
        page.goto(site_url)
        theme_ready(page)
        assert before.count(True) == 1
        assert before == page.evaluate(visible), scheme
        context.close()
