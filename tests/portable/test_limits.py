"""Work bounded by the input's size, and failures said in words (issue 22): a crafted link, a model that calls one
layer a million times, huge integers, text that is not JSON, an empty file, and names that spreadsheets or
bidirectional text would misread. Runs in CPython and inside Pyodide."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest

import calc
from calc._model import MAX_CALLS
from kernel_lab.analyzer import MAX_TABLE_ROWS
from kernel_lab.calculators import run
from kernel_lab.worker import handle

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows it shows reversed


def _ask(name: str, inputs: dict[str, Any], data: Any = None) -> dict[str, Any]:
    reply: dict[str, Any] = json.loads(handle(json.dumps({"name": name, "inputs": inputs}), data))
    return reply


def _called(times: int) -> dict[str, Any]:
    """A Dense layer applied ``times`` times in a row (Keras 2 inbound nodes: [[layer, node, tensor, kwargs]])."""
    inp = {"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [None, 8]}, "inbound_nodes": []}
    nodes = [[["in", 0, 0, {}]]] + [[["d", k, 0, {}]] for k in range(times - 1)]
    dense = {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 8}, "inbound_nodes": nodes}
    return {"class_name": "Functional", "config": {"name": "m", "layers": [inp, dense],
            "input_layers": [["in", 0, 0]], "output_layers": [["d", times - 1, 0]]}}  # fmt: skip


def _relus(*names: str) -> str:
    inp = {"class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 3]}}
    layers = [{"class_name": "ReLU", "config": {"name": n}} for n in names]
    return json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": [inp, *layers]}})


# --- 1. the receptive-field drawing ------------------------------------------------------------------------------


def test_receptive_field_drawing_costs_the_input_size_not_the_kernel() -> None:
    # Three 3,000-pixel kernels on 16 pixels: the drawing expanded every tap (27 million set insertions, seconds);
    # only the 16 units of each layer exist, so it is bounded by them.
    start = time.perf_counter()
    html = str(run("receptive_field", {"kernel_sizes": "3000, 3000, 3000", "padding": "same", "input_size": "16"}))
    assert time.perf_counter() - start < 1.0
    # The link: eight layers of 30,000. 'same' keeps 16 units per layer; each kernel covers the whole
    # layer below, so the middle top unit depends on all 16 units of the 8 rows below it.
    start = time.perf_counter()
    html = str(run("receptive_field", {"kernel_sizes": ", ".join(["30000"] * 8), "padding": "same"}))
    assert time.perf_counter() - start < 1.0
    assert html.count('class="kl-unit on"') == 1 + 8 * 16


def test_receptive_field_drawing_marks_the_units_read() -> None:
    # Input 8, Conv 3x3 stride 2 'valid' -> 3 units, then 3x3 'valid' -> 1 unit. Unit 0 of layer 2 reads units
    # 0, 1, 2 of layer 1, which read inputs 0..2, 2..4, 4..6: 7 of the 8 (input 7 is read by nobody).
    html = str(run("receptive_field", {"kernel_sizes": "3, 3", "strides": "2, 1", "input_size": "8"}))
    assert html.count('class="kl-unit on"') == 1 + 3 + 7
    assert html.count('class="kl-unit"') == 1  # input pixel 7


# --- 5. calls as well as layers; the page's table ----------------------------------------------------------------


def test_a_layer_called_too_often_is_refused_naming_it() -> None:
    start = time.perf_counter()
    with pytest.raises(calc.ModelError, match=rf"more than {MAX_CALLS} layer calls in all \(layer 'd' is called"):
        calc.summarize(_called(MAX_CALLS + 5))
    assert time.perf_counter() - start < 10  # refused before the graph is walked


def test_calls_within_the_limit_are_counted() -> None:
    s = calc.summarize(_called(3))
    assert s.layers[-1].macs == 3 * 8 * 8  # three calls of an 8 -> 8 Dense


def test_page_table_shows_at_most_max_rows_and_downloads_keep_all() -> None:
    n = MAX_TABLE_ROWS + 3
    source = _relus(*(f"r{i}" for i in range(n)))
    reply = _ask("analyzer", {"source": source})
    assert reply["ok"], reply
    assert reply["html"].count("<tr") == MAX_TABLE_ROWS + 1  # the head's row, then the layers shown
    assert f"showing the first {MAX_TABLE_ROWS:,} of {n:,} layers" in reply["html"]
    for kind in ("csv", "json"):
        got = _ask(f"analyzer.{kind}", {"source": source})
        assert got["ok"], got
        rows = list(csv.reader(io.StringIO(got["text"])))[1:] if kind == "csv" else json.loads(got["text"])
        assert len(rows) == n


# --- 6. formula injection in the CSV --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_csv_cells_that_would_be_formulas_start_with_an_apostrophe(name: str) -> None:
    got = _ask("analyzer.csv", {"source": _relus(name, "plain")})
    rows = list(csv.reader(io.StringIO(got["text"])))
    cell = rows[1][0]
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")  # tab and CR come escaped, as in the page
    assert cell.removeprefix("'") == calc.text.printable(name) and rows[2][0] == "plain"


def test_csv_class_names_are_neutralised_too() -> None:
    model = json.loads(_relus("r"))
    model["config"]["layers"][1]["class_name"] = "=1+2"  # unknown to calc: listed, not counted
    got = _ask("analyzer.csv", {"source": json.dumps(model)})
    assert list(csv.reader(io.StringIO(got["text"])))[1][:2] == ["r", "'=1+2"]


# --- 8. messages -------------------------------------------------------------------------------------------------


def test_a_five_thousand_digit_integer_is_said() -> None:
    reply = _ask("analyzer", {"source": '{"class_name": ' + "9" * 5000 + "}"})
    assert not reply["ok"] and reply["field"] == "source"
    assert "more than 4300 digits" in reply["message"] and "ValueError" not in reply["message"]
    with pytest.raises(calc.ModelError, match="digits"):
        calc.summarize(b'{"a": ' + b"1" * 5000 + b"}")


@pytest.mark.parametrize("text", ["hello", "/dev/urandom", "/etc/passwd", "model.keras"])
def test_pasted_text_that_is_not_json_is_never_read_as_a_path(text: str) -> None:
    start = time.perf_counter()
    reply = _ask("analyzer", {"source": text})
    assert time.perf_counter() - start < 1.0
    assert not reply["ok"] and reply["field"] == "source"
    assert "not a model's JSON" in reply["message"] and "No such file" not in reply["message"]


def test_an_empty_file_says_so_instead_of_analysing_the_textarea() -> None:
    reply = _ask("analyzer", {"source": _relus("r")}, b"")
    assert not reply["ok"] and reply["field"] == "model_file" and "empty" in reply["message"]


# --- also: right-to-left overrides in names ------------------------------------------------------------------------


def test_bidirectional_overrides_in_names_are_shown_inert_in_the_page_table() -> None:
    reply = _ask("analyzer", {"source": _relus(f"conv{RLO}lave", "r\u2066x\u2069")})
    assert reply["ok"]
    assert RLO not in reply["html"] and "\u2066" not in reply["html"]
    assert "conv\\u202elave" in reply["html"] and "r\\u2066x\\u2069" in reply["html"]
