"""Text from a model is shown as text at every output: the analyzer's result (as built and in the page, which
is the same function), its warnings and error messages, the forms' values, the CLI's tables."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

import calc
from calc.text import markdown_table, text_table
from kernel_lab.calculators import run
from kernel_lab.forms import InputError, form
from kernel_lab.html import Markup, html, join, table
from kernel_lab.worker import handle
from tests.hostile import PAYLOAD, SCRIPT, bad_value_model, hostile_json, hostile_model


class _Parsed(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_shown_as_text(markup: str, *texts: str) -> None:
    parsed = _Parsed(markup)
    assert "img" not in parsed.tags and "script" not in parsed.tags, parsed.tags
    assert not parsed.handlers
    shown = "".join(parsed.text)
    for text in texts:
        assert text in shown


def test_analyzer_shows_names_class_names_and_warnings_as_text() -> None:
    result = run("analyzer", {"source": hostile_json()})
    assert_shown_as_text(result, PAYLOAD, SCRIPT, f"{SCRIPT}: layer class not supported by calc")


def test_analyzer_error_quoting_a_config_value_is_text() -> None:
    with pytest.raises(InputError) as err:
        run("analyzer", {"source": json.dumps(bad_value_model())})
    assert PAYLOAD in str(err.value)
    reply = json.loads(handle(json.dumps({"name": "analyzer", "inputs": {"source": json.dumps(bad_value_model())}})))
    # The worker sends the message as data; calculators.js puts it into the page with textContent (a browser test
    # checks that): here, that the message is not HTML-escaped twice, nor HTML at all.
    assert reply["ok"] is False and PAYLOAD in reply["message"]


def test_worker_answer_is_escaped_html() -> None:
    reply = json.loads(handle(json.dumps({"name": "analyzer", "inputs": {"source": hostile_json()}})))
    assert reply["ok"]
    assert_shown_as_text(reply["html"], PAYLOAD, SCRIPT)


def test_form_values_and_typed_errors_are_text() -> None:
    from kernel_lab.calculators import inputs

    markup = form("analyzer", inputs("analyzer"), "p", {"source": PAYLOAD + "</textarea>" + SCRIPT})
    assert_shown_as_text(markup, PAYLOAD + "</textarea>" + SCRIPT)
    markup = form("layer", inputs("layer"), "p", {"height": '"><script>x()</script>'})
    assert_shown_as_text(markup)
    with pytest.raises(InputError, match="is not a whole number"):
        run("receptive_field", {"kernel_sizes": PAYLOAD})


def test_one_way_to_make_html() -> None:
    assert html("<b>{}</b>", PAYLOAD) == "<b>&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;</b>"
    assert html("<b>{}</b>", Markup("<i>ok</i>")) == "<b><i>ok</i></b>"
    assert Markup("<p>") + PAYLOAD == "<p>&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;"
    assert "<p>" + Markup("<br>") == "&lt;p&gt;<br>"
    assert join(["<", Markup("<br>")]) == "&lt;<br>"
    # A table cell that starts with '<' is text like any other (it used to pass through as HTML).
    assert_shown_as_text(table(("a", "b"), [(PAYLOAD, SCRIPT)], caption=PAYLOAD), PAYLOAD, SCRIPT)


def test_cli_tables_show_names_as_text() -> None:
    summary = calc.summarize(hostile_model())
    markdown = markdown_table(summary)
    assert "<img" not in markdown and "<script" not in markdown
    assert "&lt;img src=x onerror=" in markdown
    # A terminal's escape sequences in a name are printed as escapes, not sent to the terminal.
    model = hostile_model()
    model["config"]["layers"][1]["name"] = "a\x1b[2Jb"
    model["config"]["layers"][2]["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0] = "a\x1b[2Jb"
    text = text_table(calc.summarize(model))
    assert "\x1b" not in text and "a\\x1b[2Jb" in text
