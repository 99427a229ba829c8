"""The benchmarks on the Methods page (scripts/bench/report.py): every figure in the tables is the one the
benchmark recorded in benchmarks/*.json, goals are judged from it, and recorded text (the CLI's refusal
messages) is shown as text."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from scripts.bench import report
from tests.hostile import PAYLOAD
from tests.html_tables import tables


def rows_by_label(html: str) -> dict[str, list[str]]:
    """Every table row of ``html`` by its first cell."""
    return {row[0]: row[1:] for table in tables(html) for row in table}


def number(text: str) -> float:
    return float(text.replace(",", ""))


def recorded(name: str) -> dict[str, Any]:
    data = report.load(name)
    if data is None:
        pytest.skip(f"benchmarks/{name}.json not recorded")
    return data


def test_calc_tables_show_each_recorded_median_against_its_goal() -> None:
    data = recorded("calc")
    rows = rows_by_label(report.calc_report(data))
    goal = data["goals"]["per_layer_us"]
    for label, figure in data["per_call_us"].items():
        median, _, verdict = rows[label]
        assert number(median) == pytest.approx(figure["median"], rel=0.01)
        assert verdict == ("met" if figure["median"] <= goal else "missed")
    assert set(data["chains_ms"]) == {"receptive_field", "effective_receptive_field"}
    for name, figure in data["chains_ms"].items():
        chain, median, iqr, _, verdict = rows[name]
        assert chain == figure["chain"]
        assert number(median) == pytest.approx(figure["median"], rel=0.01)
        assert [number(q) for q in iqr.split("–")] == pytest.approx([figure["q1"], figure["q3"]], rel=0.01)
        assert verdict == ("met" if figure["median"] <= data["goals"]["chain_ms"][name] else "missed")


def test_a_missed_goal_shows_where_the_time_went() -> None:
    data = copy.deepcopy(recorded("calc"))
    for other in (*data["per_call_us"].values(), *data["chains_ms"].values()):
        other.pop("profile", None)
    figure = data["per_call_us"]["conv2d"]
    figure["median"] = data["goals"]["per_layer_us"] * 2
    figure["profile_calls"] = 10
    figure["profile"] = [
        {"function": "calc/_args.py:37(pair)", "calls": 30, "own_s": 0.3, "cumulative_s": 0.5},
        {"function": "calc/_layers.py:1(conv2d)", "calls": 10, "own_s": 0.1, "cumulative_s": 0.6},
    ]
    rows = rows_by_label(report.calc_report(data))
    assert rows["conv2d"][-1] == "missed"
    assert rows["calc/_args.py:37(pair)"] == ["3", "75%"]
    assert rows["calc/_layers.py:1(conv2d)"] == ["1", "25%"]


def test_analyzer_tables_show_the_recorded_figures_and_messages_as_text() -> None:
    data = copy.deepcopy(recorded("analyzer"))
    first = next(iter(data["refusals_cli_wall"].values()))
    first["message"] = f"calc: {PAYLOAD}"
    html = report.analyzer_report(data)
    assert PAYLOAD not in html
    rows = rows_by_label(html)
    irv = data["inception_resnet_v2"]
    for key, label in report.ANALYZER_ROWS.items():
        median, _, repeats = rows[label]
        assert number(median) == pytest.approx(irv[key]["median_ms"], rel=0.01)
        assert int(repeats) == irv[key]["repeats"]
    for label, refusal in data["refusals_cli_wall"].items():
        message, seconds = rows[label]
        assert message == refusal["message"]
        assert number(seconds) == pytest.approx(refusal["median_ms"] / 1e3, rel=0.01)


def test_the_machine_line_comes_from_the_record() -> None:
    data = recorded("calc")
    assert report.machine_line(data["machine"]) in report.calc_report(data)
    fp = {"cpu": "Some CPU", "cores": 2, "python": "3.11.7", "loadavg": [0.5, 1.0, 1.5]}
    assert report.machine_line(fp) == "Some CPU, 2 cores, Python 3.11.7, load average 0.50"


def test_a_benchmark_not_recorded_says_how_to_record_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(report, "BENCHMARKS", tmp_path)
    for name, figure in report.FIGURES.items():
        assert "No benchmark recorded yet" in figure(""), name
