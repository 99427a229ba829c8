"""The built site in a real browser (Debian's Chromium via Playwright): static results before Pyodide,
recomputation in the worker, error display, the .keras analyzer, instant navigation, no page errors,
no off-origin requests, and axe-core in light and dark palettes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from kernel_lab import calculators
from kernel_lab.worker import handle
from tests.browser.conftest import ROOT, Watched, click_nav, theme_ready

PAGES = [
    "",
    "receptive-field/",
    "effective-field/",
    "parameters/",
    "compare/",
    "large-kernels/",
    "speed/",
    "inception/",
    "analyzer/",
    "layer/",
    "methods/",
    "authors/",
    "site-speed/",
]
# The examples pages belong to the examples build step; check them too once they exist.
PAGES += [f"{p}/" for p in ("examples", "fact-check") if (ROOT / "docs" / f"{p}.md").exists()]
CALC_PAGES = {
    "receptive_field": "receptive-field/",
    "effective_field": "effective-field/",
    "kernel_compare": "compare/",
    "inception": "inception/",
    "layer": "layer/",
    "analyzer": "analyzer/",
}
READY = '[data-calc][data-state="ready"]'


def text_of(page: Any, html: str) -> str:
    """The text the browser makes of an HTML string (to compare with what the page shows)."""
    return str(
        page.evaluate(
            "html => { const d = document.createElement('div'); d.innerHTML = html; return d.textContent; }", html
        )
    )


def output_text(page: Any) -> str:
    return str(page.eval_on_selector("[data-calc-output]", "el => el.textContent"))


def wait_for_result(page: Any, before: str) -> str:
    page.wait_for_function("before => document.querySelector('[data-calc-output]').textContent !== before", arg=before)
    return output_text(page)


@pytest.mark.parametrize("name", sorted(CALC_PAGES))
def test_static_result_without_pyodide(watched: Watched, site_url: str, name: str) -> None:
    """With the runtime unreachable, the build-time result is there and a notice replaces interactivity."""
    page = watched.page
    page.route("**/pyodide/**", lambda route: route.abort())
    page.goto(site_url + CALC_PAGES[name])
    root = page.locator(f'[data-calc="{name}"]')
    assert root.get_attribute("data-state") in ("static", "loading", "error")
    assert output_text(page).strip()
    if name != "analyzer":  # the analyzer's default comes from a file named on the page
        assert output_text(page) == text_of(page, calculators.render(name))
    root.scroll_into_view_if_needed()  # the worker starts when a calculator comes into view
    page.wait_for_selector(f'[data-calc="{name}"][data-state="error"]')
    assert "unavailable" in page.inner_text(".kl-status")
    assert not [e for e in watched.errors if "pyodide" not in e.lower() and "Failed to load" not in e]


def goto_ready(page: Any, url: str) -> None:
    """Open a calculator page, bring its calculator into view, and wait until the worker answered."""
    page.goto(url)
    page.locator("[data-calc]").scroll_into_view_if_needed()
    page.wait_for_selector(READY)


def type_and_compare(page: Any, name: str, field: str, value: str) -> str:
    """Type ``value`` into ``field`` of calculator ``name`` and check the page shows what the calculator computes
    for it; the result's text."""
    before = output_text(page)
    page.fill(f'[name="{field}"]', value)
    after = wait_for_result(page, before)
    assert after == text_of(page, calculators.run(name, {field: value}))
    return after


def test_input_change_recomputes_in_browser(watched: Watched, site_url: str) -> None:
    page = watched.page
    goto_ready(page, site_url + "layer/")
    after = type_and_compare(page, "layer", "strides", "1")
    page.select_option('[name="class_name"]', "SeparableConv2D")
    after2 = wait_for_result(page, after)
    assert after2 == text_of(page, calculators.run("layer", {"strides": "1", "class_name": "SeparableConv2D"}))
    assert not watched.errors and not watched.off_origin


def test_invalid_input_shows_calc_message_and_keeps_last_result(watched: Watched, site_url: str) -> None:
    page = watched.page
    goto_ready(page, site_url + "layer/")
    good = output_text(page)
    page.fill('[name="dilation_rate"]', "2")  # with the default strides=2: Keras refuses the combination
    page.wait_for_selector('[data-calc-output][data-stale="true"]')
    field = page.locator('[name="strides"]')  # calc's LayerConfigError names the strides argument
    message = page.inner_text("#" + field.get_attribute("aria-describedby").split()[1])
    expected = json.loads(handle(json.dumps({"name": "layer", "inputs": {"dilation_rate": "2"}})))
    assert not expected["ok"]
    assert message == expected["message"]
    assert field.get_attribute("aria-invalid") == "true"
    assert output_text(page).endswith(good) or good in output_text(page)
    page.fill('[name="dilation_rate"]', "1")
    page.wait_for_function("() => !document.querySelector('[data-calc-output]').dataset.stale")
    assert page.inner_text("#" + field.get_attribute("aria-describedby").split()[1]) == ""


def test_receptive_field_list_error(watched: Watched, site_url: str) -> None:
    page = watched.page
    goto_ready(page, site_url + "receptive-field/")
    page.fill('[name="kernel_sizes"]', "3, x")
    page.wait_for_selector('[data-calc-output][data-stale="true"]')
    assert "not a whole number" in page.inner_text('[id$="-kernel_sizes-msg"]')


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, list[str]]:
    """A small .keras file written by real Keras, with Keras's own parameter count and layer names."""
    keras = pytest.importorskip("keras")
    inputs = keras.Input((64, 64, 3))
    x = keras.layers.Conv2D(16, 7, strides=2, padding="same", name="big_kernel")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Conv2D(16, 3, name="small_kernel")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = keras.layers.Dense(10, name="head")(x)
    model = keras.Model(inputs, outputs)
    path = tmp_path_factory.mktemp("models") / "tiny.keras"
    model.save(path)
    return path, model.count_params(), [layer.name for layer in model.layers[1:]]


def test_analyzer_reads_keras_file(watched: Watched, site_url: str, keras_file: tuple[Path, int, list[str]]) -> None:
    path, params, names = keras_file
    page = watched.page
    goto_ready(page, site_url + "analyzer/")
    before = output_text(page)
    page.set_input_files('input[type="file"]', str(path))
    after = wait_for_result(page, before)
    assert f"parameters {params:,}" in after
    for name in names:
        assert name in after
    assert not watched.errors and not watched.off_origin


def test_instant_navigation_keeps_the_worker(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.goto(site_url)
    page.wait_for_load_state("networkidle")
    assert not [u for u in watched.requests if "/pyodide/" in u or "python-worker" in u], "home page loaded Pyodide"
    theme_ready(page)
    click_nav(page, "layer/")
    page.wait_for_selector(READY)
    click_nav(page, "inception/")
    page.wait_for_selector('[data-calc="inception"][data-state="ready"]')
    wasm = [u for u in watched.requests if u.endswith("pyodide.asm.wasm")]
    assert len(wasm) <= 1, wasm
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    assert not watched.errors and not watched.off_origin


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious(browser: Any, site_url: str, scheme: str) -> None:
    if not AXE.exists():
        pytest.skip("node_modules/axe-core missing: run scripts/setup.sh")
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    # The static page is what axe reads: no Python worker (its address carries its settings as a query), so that
    # no request of a stopped worker keeps the network busy.
    page.route("**/pyodide/**", lambda route: route.abort())
    page.route(re.compile(r"/python-worker\.[0-9a-f]+\.mjs(\?|$)"), lambda route: route.abort())
    found = {}
    for path in PAGES:
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        theme_ready(page)  # check the page the theme leaves
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if bad:
            found[path or "home"] = bad
    context.close()
    assert not found, found


def test_every_page_without_errors_or_off_origin_requests(watched: Watched, site_url: str) -> None:
    page = watched.page
    for path in PAGES:
        if path in CALC_PAGES.values():
            goto_ready(page, site_url + path)
        else:
            page.goto(site_url + path)
            page.wait_for_load_state("networkidle")
    assert not watched.errors
    assert not watched.off_origin


def test_analyzer_recomputes_pasted_json(watched: Watched, site_url: str) -> None:
    page = watched.page
    goto_ready(page, site_url + "analyzer/")
    source = page.input_value("textarea")
    before = output_text(page)
    page.fill('[name="input_shape"]', "112, 112, 3")
    after = wait_for_result(page, before)
    assert after == text_of(page, calculators.run("analyzer", {"source": source, "input_shape": "112, 112, 3"}))
    assert not watched.errors and not watched.off_origin


def test_no_page_scrolls_sideways_on_a_phone(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    wide = {}
    for path in PAGES:
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 375:
            wide[path or "home"] = width
    context.close()
    assert not wide, f"pages wider than the screen (wide tables belong in a scrolling box): {wide}"


def test_effective_field_recomputes_in_browser(watched: Watched, site_url: str) -> None:
    page = watched.page
    goto_ready(page, site_url + "effective-field/")
    type_and_compare(page, "effective_field", "kernel_sizes", "7")
    page.fill('[name="dilation_rates"]', "2")
    page.fill('[name="strides"]', "2")
    message = '[id$="-strides-msg"]'
    page.wait_for_function("sel => document.querySelector(sel).textContent !== ''", arg=message)
    assert "dilation_rate" in page.inner_text(message)
    assert not watched.errors and not watched.off_origin


# --- links -------------------------------------------------------------------------------------------------


def test_inputs_live_in_the_url_and_a_link_reopens_the_result(browser: Any, watched: Watched, site_url: str) -> None:
    page = watched.page
    goto_ready(page, site_url + "layer/")
    assert "?" not in page.url  # the plain URL: the result as built
    history = page.evaluate("() => history.length")
    before = output_text(page)
    page.fill('[name="filters"]', "32")
    after = wait_for_result(page, before)
    page.select_option('[name="padding"]', "valid")
    after = wait_for_result(page, after)
    assert "filters=32" in page.url and "padding=valid" in page.url and "height" not in page.url
    assert page.evaluate("() => history.length") == history  # replaced, not pushed
    # Copy the link, open it in a fresh browser context: same result, same form.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("[data-copy-link]")
    page.wait_for_function("() => document.querySelector('.kl-status').textContent.startsWith('Link copied')")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == page.url
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        goto_ready(other, link)
        assert other.input_value('[name="filters"]') == "32" and other.input_value('[name="padding"]') == "valid"
        assert output_text(other) == after
        assert after == text_of(other, calculators.run("layer", {"filters": "32", "padding": "valid"}))
    finally:
        fresh.close()
    assert not watched.errors and not watched.off_origin


def test_back_and_forward_restore_the_linked_inputs(watched: Watched, site_url: str) -> None:
    page = watched.page
    goto_ready(page, site_url + "receptive-field/?kernel_sizes=5,5&strides=2,1")
    expected = text_of(page, calculators.run("receptive_field", {"kernel_sizes": "5,5", "strides": "2,1"}))
    page.wait_for_function("t => document.querySelector('[data-calc-output]').textContent === t", arg=expected)
    theme_ready(page)
    click_nav(page, "layer/")  # instant navigation
    page.wait_for_url("**/layer/")
    page.go_back()
    page.wait_for_url("**/receptive-field/?kernel_sizes=5*")
    page.wait_for_function("t => document.querySelector('[data-calc-output]').textContent === t", arg=expected)
    assert page.input_value('[name="kernel_sizes"]') == "5,5"
    page.go_forward()
    page.wait_for_url("**/layer/")
    assert page.input_value('[name="filters"]') == "64"
    assert not watched.errors and not watched.off_origin


@pytest.mark.parametrize(
    ("query", "field"),
    [("strides=two", "strides"), ("padding=full", "padding"), ("filters=-3", "filters"), ("dtype=%3Cb%3E", "dtype")],
)
def test_an_invalid_value_in_the_url_gets_the_field_message(
    watched: Watched, site_url: str, query: str, field: str
) -> None:
    page = watched.page
    page.goto(site_url + "layer/?" + query)
    message = f'[id$="-{field}-msg"]'
    page.wait_for_function("sel => document.querySelector(sel).textContent !== ''", arg=message)
    key, _, value = query.partition("=")
    from urllib.parse import unquote

    reply = json.loads(handle(json.dumps({"name": "layer", "inputs": {key: unquote(value)}})))
    assert page.inner_text(message) == reply["message"] and reply["field"] == field
    assert output_text(page) == text_of(page, calculators.render("layer"))  # the result as built stays
    assert page.locator("[data-calc-output] b").count() == 0
    assert not watched.errors and not watched.off_origin


# --- the analyzer: Keras's own models, sorting, downloads ------------------------------------------------------


def test_analyzer_picks_a_keras_application_fetched_only_then(watched: Watched, site_url: str) -> None:
    from kernel_lab.applications import CONFIG_FOLDER

    page = watched.page
    goto_ready(page, site_url + "analyzer/")
    assert not [u for u in watched.requests if "/applications/" in u]  # nothing fetched before a pick
    before = output_text(page)
    page.select_option('[name="application"]', "MobileNetV2")
    after = wait_for_result(page, before)
    fetched = [u for u in watched.requests if "/applications/" in u]
    assert len(fetched) == 1 and fetched[0].endswith("MobileNetV2.json.gz")
    data = (ROOT / "docs" / CONFIG_FOLDER / "MobileNetV2.json.gz").read_bytes()
    expected = calculators.run("analyzer", {"application": "MobileNetV2", "model_file": data})
    assert after == text_of(page, expected)
    assert "application=MobileNetV2" in page.url
    # A pasted model replaces the pick.
    page.fill("textarea", page.input_value("textarea") or "{}")
    page.wait_for_function("() => document.querySelector('[name=\"application\"]').value === ''")
    assert not watched.errors and not watched.off_origin


def test_analyzer_sorts_by_any_column_and_downloads_its_table(watched: Watched, site_url: str) -> None:
    from kernel_lab.analyzer import whole_table
    from kernel_lab.applications import CONFIG_FOLDER
    from tests.html_tables import tables

    data = (ROOT / "docs" / CONFIG_FOLDER / "ResNet50.json.gz").read_bytes()
    in_model_order = tables(str(whole_table({"application": "ResNet50", "model_file": data})))[0][1:]
    page = watched.page
    goto_ready(page, site_url + "analyzer/?application=ResNet50")
    page.wait_for_function("() => document.querySelector('[data-calc-output]').textContent.includes('conv4_block1')")
    rows_js = "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))"
    column = page.locator("table.kl-sortable thead th").nth(4)  # MACs
    assert column.inner_text().startswith("MACs")
    column.locator("button").click()
    page.wait_for_function("() => document.querySelector('table.kl-sortable thead th[aria-sort]') !== null")
    column = page.locator("table.kl-sortable thead th").nth(4)  # the whole table's, which replaced the first rows'
    assert column.get_attribute("aria-sort") == "descending"
    macs = page.eval_on_selector_all(
        "table.kl-sortable tbody tr", "rows => rows.map(r => Number(r.cells[4].textContent.replace(/,/g, '')))"
    )
    assert macs == sorted(macs, reverse=True)
    assert page.eval_on_selector("table.kl-sortable tbody tr", "r => r.cells[5].textContent") == "1"  # MACs rank
    column.locator("button").press("Enter")  # by keyboard too, the other way round
    assert column.get_attribute("aria-sort") == "ascending"
    assert sorted(page.eval_on_selector_all("table.kl-sortable tbody tr", rows_js)) == sorted(in_model_order)
    # The downloads hold the whole table in the model's order, made by the worker (not read from the page).
    with page.expect_download() as got:
        page.click('[data-download="csv"]')
    assert got.value.suggested_filename == "ResNet50-layers.csv"
    csv_rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text())))
    assert csv_rows[0][:5] == ["Layer", "Class", "Output shape", "Params", "MACs"] and csv_rows[1:] == in_model_order
    with page.expect_download() as got:
        page.click('[data-download="json"]')
    records = json.loads(Path(got.value.path()).read_text())
    assert [list(r.values()) for r in records] == in_model_order and list(records[0]) == csv_rows[0]
    assert not watched.errors and not watched.off_origin


def test_the_drawn_convolution_steps_by_keyboard_and_buttons(watched: Watched, site_url: str) -> None:
    page = watched.page
    goto_ready(page, site_url + "layer/?height=9&width=8&kernel_height=3&kernel_width=3&strides=2")
    caption = "[data-diagram] figcaption"
    page.wait_for_function("sel => document.querySelector(sel).textContent.includes('(0, 0) reads')", arg=caption)
    assert page.is_disabled('[data-step="row"][data-by="-1"]')  # nothing above row 0
    page.focus("[data-diagram]")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("sel => document.querySelector(sel).textContent.includes('(0, 1) reads')", arg=caption)
    assert page.evaluate("() => document.activeElement.matches('[data-diagram]')")  # focus kept for the next key
    page.keyboard.press("ArrowDown")
    page.wait_for_function("sel => document.querySelector(sel).textContent.includes('(1, 1) reads')", arg=caption)
    assert "row=1" in page.url and "col=1" in page.url
    expected = calculators.run(
        "layer",
        {
            "height": "9",
            "width": "8",
            "kernel_height": "3",
            "kernel_width": "3",
            "strides": "2",
            "row": "1",
            "col": "1",
        },
    )
    assert output_text(page) == text_of(page, expected)
    page.click('[data-step="col"][data-by="-1"]')
    page.wait_for_function("sel => document.querySelector(sel).textContent.includes('(1, 0) reads')", arg=caption)
    assert not watched.errors and not watched.off_origin


def test_copy_buttons_copy_the_keras_code_and_the_command(watched: Watched, site_url: str) -> None:
    page = watched.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    goto_ready(page, site_url + "layer/")
    before = output_text(page)
    page.fill('[name="filters"]', "16")
    wait_for_result(page, before)
    for panel in ("[data-calc-code]", "[data-calc-command]"):
        page.click(f"{panel} >> xpath=ancestor::details[1]/summary")
        page.click(f"{panel} [data-copy-code]")
        page.wait_for_function("() => document.querySelector('.kl-status').textContent.endsWith('copied.')")
        assert page.evaluate("() => navigator.clipboard.readText()") == page.inner_text(f"{panel} code")
    assert "filters=16" in page.evaluate("() => navigator.clipboard.readText()")
    assert not watched.errors and not watched.off_origin
