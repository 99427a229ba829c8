"""The authors' loop in a browser: under `mkdocs serve`, an edit of calc reloads the open page by itself (MkDocs'
live reload, an inline script the server adds to each page) and the reloaded page's calculator computes with the
edited calc in its worker (the rebuild ships python.zip as source while its bytecode is compiled after it).

Runs `mkdocs serve` on a copy of the project (scripts/bench/authors.py), so the edit never touches the working tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts.bench import authors
from tests.browser.test_site_browser import READY, output_text, wait_for_result

EDIT = """

_integer_before_edit = integer


def integer(value: int) -> str:  # noqa: F811  (the browser's authors' loop test's edit)
    return "EDITED " + _integer_before_edit(value)
"""


def test_a_calc_edit_reloads_the_page_and_its_calculator_runs_the_edited_calc(tmp_path: Path, browser: Any) -> None:
    authors._copy_project(tmp_path)
    server = authors.Server(tmp_path)
    context = browser.new_context()
    try:
        server.wait_build(900)
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(server.url + "layer/")
        page.wait_for_selector(READY)
        assert "EDITED " not in output_text(page)
        page.evaluate("window.klNotReloaded = true")

        text = tmp_path / "calc" / "text.py"
        text.write_text(text.read_text() + EDIT)
        _, seen = server.wait_build(900)
        assert any(authors.DEFERRED_LINE in line for line in seen), seen  # python.zip as source, compiled after

        # MkDocs' live reload reloads the page; its calculator's worker then answers with the edited calc.
        page.wait_for_function("() => window.klNotReloaded === undefined")
        page.locator("[data-calc]").scroll_into_view_if_needed()
        page.wait_for_selector(READY)
        before = output_text(page)
        page.fill('[name="strides"]', "1")
        after = wait_for_result(page, before)
        assert "EDITED " in after
    finally:
        context.close()
        server.stop()
