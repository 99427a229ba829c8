"""The calculators used as a person uses them, in Chromium: fill a field, click, press keys, and check what is
on the screen: the figure a change changed is in view beside the field that changed it (1280×900 and 375×812),
the kernel comparison's presets reproduce the home page's situations, the keyboard stays where it was after a
redraw, buttons answer where they are, and the analyzer neither keeps a stale table nor promises a link it
cannot keep."""

from __future__ import annotations

from typing import Any

import pytest

from kernel_lab import calculators
from tests.browser.conftest import Watched
from tests.browser.test_site_browser import output_text, text_of, wait_for_result

READY = '[data-calc][data-state="ready"]'
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 812}

# (page, field, value typed, the element showing the figure it changes)
CHANGES = [
    ("layer/", "filters", "128", "[data-calc-output] table tbody tr:nth-child(2) td"),  # Parameters
    ("compare/", "filters", "128", "[data-calc-output] .kl-summary"),
    ("receptive-field/", "kernel_sizes", "5, 5, 3", "[data-calc-output] .kl-summary"),
    ("effective-field/", "kernel_sizes", "5, 5", "[data-calc-output] .kl-summary"),
    ("inception/", "filters_5x5", "96", "[data-calc-output] .kl-summary"),
]


def open_ready(page: Any, url: str) -> None:
    page.goto(url)
    page.locator("[data-calc]").scroll_into_view_if_needed()
    page.wait_for_selector(READY)


# The element's box lies inside the window and its centre is not covered by anything else (the theme's header,
# the pinned result): a person sees it.
SEEN = """el => {
  const r = el.getBoundingClientRect();
  const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.height > 0;
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return inside && top !== null && (el.contains(top) || top.contains(el));
}"""


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280x900", "375x812"])
@pytest.mark.parametrize(("path", "field", "value", "figure"), CHANGES, ids=[c[0].strip("/") for c in CHANGES])
def test_the_changed_figure_is_in_view_beside_its_field(
    browser: Any, site_url: str, viewport: dict[str, int], path: str, field: str, value: str, figure: str
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    open_ready(page, site_url + path)
    before = page.inner_text(figure)
    box = page.locator(f'form [name="{field}"]')
    box.click()  # as a person does: tap the field, select what is there, type over it
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.wait_for_function("([sel, before]) => document.querySelector(sel).innerText !== before", arg=[figure, before])
    assert page.inner_text(figure) != before
    assert page.eval_on_selector(figure, SEEN), f"{path}: the changed figure is out of view"
    assert box.evaluate(SEEN), f"{path}: the field is out of view"
    context.close()


def test_comparison_presets_reproduce_the_home_page_situations(watched: Watched, site_url: str) -> None:
    page = watched.page
    open_ready(page, site_url + "compare/?kernel_size=9")  # away from the defaults, which the first preset sets
    for label, values in calculators.COMPARE_PRESETS:
        before = output_text(page)
        page.get_by_role("button", name=label).click()
        after = wait_for_result(page, before)
        assert after == text_of(page, calculators.run("kernel_compare", values))
        for name, value in values.items():
            assert page.input_value(f'form [name="{name}"]') == value
    # The stem: a stride and per-layer filters (ResNet-C), in the link in Keras' names.
    page.get_by_role("button", name=calculators.COMPARE_PRESETS[1][0]).click()
    page.wait_for_function("() => location.search.includes('strides=2')")
    assert "filters=32%2C+32%2C+64" in page.url or "filters=32%2C%2032%2C%2064" in page.url
    assert not watched.errors and not watched.off_origin


def test_a_link_with_channel_counts_opens_the_comparison_with_them(watched: Watched, site_url: str) -> None:
    page = watched.page
    query = "?kernel_size=5&input_shape=28,28,3&filters=16,32&strides=2"
    open_ready(page, site_url + "compare/" + query)
    page.wait_for_function("() => document.querySelector('[data-calc-output]').textContent.includes('28 × 28 × 3')")
    expected = calculators.run(
        "kernel_compare", {"kernel_size": "5", "input_shape": "28,28,3", "filters": "16,32", "strides": "2"}
    )
    assert output_text(page) == text_of(page, expected)
    assert "1 stacked" not in output_text(page)


def test_enter_twice_on_a_step_button_steps_twice(watched: Watched, site_url: str) -> None:
    page = watched.page
    open_ready(page, site_url + "layer/?height=9&width=9&kernel_height=3&kernel_width=3&strides=1")
    caption = "[data-diagram] figcaption"
    right = '[data-step="col"][data-by="1"]'
    page.focus(right)
    page.keyboard.press("Enter")
    page.wait_for_function("sel => document.querySelector(sel).textContent.includes('(0, 1) reads')", arg=caption)
    assert page.evaluate("sel => document.activeElement.matches(sel)", right)
    page.keyboard.press("Enter")
    page.wait_for_function("sel => document.querySelector(sel).textContent.includes('(0, 2) reads')", arg=caption)
    assert page.input_value('form [name="col"]') == "2"


def test_cells_of_the_drawing_answer_a_click(watched: Watched, site_url: str) -> None:
    page = watched.page
    open_ready(page, site_url + "layer/?height=9&width=9&kernel_height=3&kernel_width=3&strides=2")
    caption = "[data-diagram] figcaption"
    page.click('[data-pick="2 3"]')
    page.wait_for_function("sel => document.querySelector(sel).textContent.includes('(2, 3) reads')", arg=caption)
    assert page.input_value('form [name="row"]') == "2" and page.input_value('form [name="col"]') == "3"
    tap = page.locator("[data-diagram] rect.kl-tap").first
    tap.click()
    said = page.inner_text("[data-diagram] .kl-said")
    assert said == tap.get_attribute("data-say") and "weight (0, 0) of the kernel" in said
    assert not watched.errors


def test_copy_button_says_copied_where_it_is(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_ready(page, site_url + "layer/")
    page.click("[data-calc-code] >> xpath=ancestor::details[1]/summary")
    button = page.locator("[data-calc-code] [data-copy-code]")
    button.click()
    page.wait_for_function("() => document.querySelector('[data-calc-code] [data-copy-code]').textContent === 'Copied'")
    page.wait_for_function(
        "() => document.querySelector('[data-calc-code] [data-copy-code]').textContent === 'Copy code'"
    )


def test_receptive_field_suggestions_are_buttons(watched: Watched, site_url: str) -> None:
    page = watched.page
    open_ready(page, site_url + "receptive-field/")
    for label, values in calculators.RF_PRESETS[1:]:
        before = output_text(page)
        page.get_by_role("button", name=label, exact=True).click()
        after = wait_for_result(page, before)
        assert after == text_of(page, calculators.run("receptive_field", values))


# --- the analyzer ------------------------------------------------------------------------------------------


def test_analyzer_sorts_by_a_press_anywhere_in_the_header_cell(watched: Watched, site_url: str) -> None:
    page = watched.page
    open_ready(page, site_url + "analyzer/")
    head = page.locator("table.kl-sortable thead th").nth(3)  # Params
    assert head.inner_text().startswith("Params")
    box = head.bounding_box()
    assert box is not None
    head.click(position={"x": 2, "y": box["height"] - 2})  # the cell's corner, off the header's text
    assert head.get_attribute("aria-sort") == "descending"
    params = page.eval_on_selector_all(
        "table.kl-sortable tbody tr", "rows => rows.map(r => Number(r.cells[3].textContent.replace(/,/g, '')))"
    )
    assert params == sorted(params, reverse=True)


# What a person sees of the analyzer's table: the rows laid out (not hidden), their cells' text.
SEEN_ROWS = """rows => rows.filter(r => r.getClientRects().length > 0)
  .map(r => Array.from(r.cells).map(c => c.textContent.trim()))"""


def _macs(rows: list[list[str]]) -> list[int]:
    return [int(r[4].replace(",", "")) for r in rows if r[4] != "—"]


def test_analyzer_shows_the_first_rows_sorts_all_and_keeps_the_view_on_a_new_result(
    watched: Watched, site_url: str
) -> None:
    from kernel_lab.analyzer import SHOWN_ROWS, whole_table
    from kernel_lab.applications import CONFIG_FOLDER
    from tests.browser.conftest import ROOT
    from tests.html_tables import tables

    data = (ROOT / "docs" / CONFIG_FOLDER / "ResNet50.json.gz").read_bytes()
    in_order = tables(str(whole_table({"application": "ResNet50", "model_file": data})))[0][1:]  # every layer
    n = len(in_order)
    assert n > SHOWN_ROWS
    page = watched.page
    open_ready(page, site_url + "analyzer/?application=ResNet50")
    page.wait_for_function("() => document.querySelector('[data-calc-output]').textContent.includes('conv4_block1')")
    body = "table.kl-sortable tbody tr"
    assert page.eval_on_selector_all(body, SEEN_ROWS) == in_order[:SHOWN_ROWS]
    more = page.get_by_role("button", name=f"Show all {n} layers")
    assert more.is_visible()
    # Sorted by MACs, the rows shown are the heaviest of all the model's layers, not of the first hundred; the
    # keyboard stays on the header pressed.
    page.locator("table.kl-sortable thead th").nth(4).locator("button").press("Enter")
    page.wait_for_function("() => document.querySelector('table.kl-sortable thead th[aria-sort]') !== null")
    macs = sorted(_macs(in_order), reverse=True)
    assert _macs(page.eval_on_selector_all(body, SEEN_ROWS)) == macs[:SHOWN_ROWS]
    assert page.evaluate("() => document.activeElement.textContent.startsWith('MACs')")
    # All rows, by keyboard; the button now offers the short table again.
    more.focus()
    page.keyboard.press("Enter")
    less = page.get_by_role("button", name=f"Show the first {SHOWN_ROWS} only")
    less.wait_for()
    assert less.get_attribute("aria-expanded") == "true"
    seen = page.eval_on_selector_all(body, SEEN_ROWS)
    assert len(seen) == n and sorted(seen) == sorted(in_order)
    # A new input size: every figure changes; the table stays sorted by MACs, every row shown.
    before = output_text(page)
    page.fill('[name="input_shape"]', "160, 160, 3")
    wait_for_result(page, before)
    assert page.locator("table.kl-sortable thead th").nth(4).get_attribute("aria-sort") == "descending"
    seen = page.eval_on_selector_all(body, SEEN_ROWS)
    assert len(seen) == n
    shown_macs = _macs(seen)
    assert shown_macs == sorted(shown_macs, reverse=True) and shown_macs[0] < macs[0]
    page.locator("[data-show-rows]").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name=f"Show all {n} layers").wait_for()
    assert len(page.eval_on_selector_all(body, SEEN_ROWS)) == SHOWN_ROWS
    assert not watched.errors and not watched.off_origin


def test_analyzer_error_leaves_no_table_of_the_previous_model(watched: Watched, site_url: str) -> None:
    page = watched.page
    open_ready(page, site_url + "analyzer/")
    assert page.locator("[data-calc-output] table").count() == 1
    page.fill("textarea", '{"class_name": "Sequential", "config": {"layers": [')
    page.wait_for_function("() => document.querySelector('[id$=\"-source-msg\"]').textContent !== ''")
    assert page.locator("[data-calc-output] table").count() == 0
    assert "could not be read" in output_text(page)


def test_analyzer_link_says_a_pasted_model_is_not_in_it(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_ready(page, site_url + "analyzer/")
    text = page.input_value("textarea")
    before = output_text(page)
    page.fill("textarea", text.replace('"filters":64', '"filters":48', 1))
    wait_for_result(page, before)
    page.click("[data-copy-link]")
    page.wait_for_function("() => document.querySelector('.kl-status').textContent.startsWith('Link copied')")
    assert "not your model" in page.inner_text(".kl-status")
    assert page.inner_text("[data-copy-link]") == "Copied"
