"""The benchmarks on the authors' page docs/site-speed.md (scripts/bench/report.py): every figure in the tables is
the one the
benchmark recorded in benchmarks/*.json, goals are judged from it, and recorded text (the CLI's refusal
messages) is shown as text."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from kernel_lab_mkdocs import benchmarks as report
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


def _m(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    return {"median": ordered[len(ordered) // 2], "min": ordered[0], "max": ordered[-1], "values": values}


def _network_record() -> dict[str, Any]:
    def visit(cold_ms: float, cold_bytes: float, warm_ms: float) -> dict[str, Any]:
        return {
            "cold_ms": _m([cold_ms, cold_ms + 100, cold_ms - 50]),
            "cold_bytes": _m([cold_bytes] * 3),
            "warm_ms": _m([warm_ms, warm_ms + 10, warm_ms + 20]),
            "warm_bytes": _m([0, 0, 0]),
            "boot": ["normal, then snapshot"],
        }

    profiles: dict[str, dict[str, float]] = {"20 Mbit/s, 40 ms": {}, "4 Mbit/s, 150 ms": {}}
    by_profile = {"site": visit(2900, 5.8e6, 700), "plain": visit(10200, 14.2e6, 3100)}
    return {
        "date": "2026-11-30 13:00 UTC",
        "load_average_before": [1.5, 1, 1],
        "load_average_after": [2.5, 1, 1],
        "runs": 3,
        "profiles": profiles,
        "goals": {"cold_bytes": 6e6, "cold_ms": 3000, "warm_ms": 600},
        "results": {kind: {p: copy.deepcopy(by_profile) for p in profiles} for kind in ("plain", "gzip")},
    }


def test_network_table_shows_each_recorded_figure_and_judges_the_goals_on_the_first_profile() -> None:
    net = _network_record()
    out = report.network_report(net)
    rows = [row for t in tables(out) for row in t][1:]  # below the header
    assert len(rows) == 8  # 2 hosts x 2 profiles x 2 builds
    site = next(r for r in rows if r[0] == "host without compression" and r[1] == "20 Mbit/s, 40 ms" and r[2] == "site")
    assert site[3] == "2.90 [2.85 – 3.00]" and site[4].startswith("5.80 ") and site[5].startswith("0.71 ")
    # Bytes and cold time met, warm missed; load average shown.
    assert "bytes for a cold visit 5.80 MB (goal ≤ 6): met" in out
    assert "ready, cold 2.90 s (goal ≤ 3): met" in out
    assert "ready, warm 0.71 s (goal ≤ 0.6): <strong>missed</strong>" in out
    assert "load average before and after: 1.5 and 2.5" in out


def test_pages_table_judges_each_page_against_the_goal() -> None:
    pages = {
        "date": "2026-11-30 13:00 UTC",
        "load_average_before": [1.0, 1, 1],
        "load_average_after": [1.2, 1, 1],
        "runs": 5,
        "goal_ms": 1000,
        "results": {"layer/": _m([900, 950, 980, 1010, 1200]), "analyzer/": _m([1100, 1150, 1200, 1300, 1400])},
    }
    rows = {r[0]: r[1:] for t in tables(report.pages_report(pages)) for r in t}
    assert rows["layer/"] == ["980 [900 – 1200]", "≤ 1000", "met"]
    assert rows["analyzer/"][2] == "missed"
    assert not any(name.startswith("Pyodide alone") for name in rows), "no floor in this record"
    floor = {**pages, "floor": _m([1040, 1000, 1100])}
    rows = {r[0]: r[1:] for t in tables(report.pages_report(floor)) for r in t}
    assert rows["Pyodide alone: a bare page, no calculator (the floor)"] == ["1040 [1000 – 1100]", "", ""]


def test_the_browser_figure_shows_the_recorded_parts() -> None:
    data = recorded("browser")
    out = report.browser_figures(data)
    assert ("network benchmark" in out) == ("network" in data)
    assert ("pages benchmark" in out) == ("pages" in data)


def _engines_record() -> dict[str, Any]:
    def engine(version: str, cold_ms: float, warm_ms: float, rest: bool = True) -> dict[str, Any]:
        r: dict[str, Any] = {
            "version": version,
            "requestIdleCallback": rest,
            "cold_ms": _m([cold_ms, cold_ms + 200, cold_ms - 100]),
            "warm_ms": _m([warm_ms, warm_ms + 20, warm_ms - 10]),
            "cold_bytes": _m([4.6e6] * 3),
            "boot": ["normal, then snapshot"],
            "cold_stages": {"worker": _m([300] * 3), "python": _m([cold_ms - 300] * 3)},
        }
        if rest:
            r["probes"] = {"fetch": _m([50] * 3), "compile": _m([400] * 3), "floor": _m([1000] * 3)}
            r["cold_decoded"] = {"pyodide.asm.wasm": {"decoding_ms": _m([250] * 3), "wall_ms": _m([900] * 3)}}
        return r

    return {
        "date": "2026-12-07 01:50 UTC",
        "load_average_before": [0.5, 1, 1],
        "load_average_after": [0.7, 1, 1],
        "runs": 3,
        "page": "layer/",
        "goal_ratio": 2.0,
        "stages": {"worker": "the worker's script runs", "python": "Python booted"},
        "absent": {"webkit": f"webkit: {PAYLOAD} missing"},
        "results": {
            "localhost": {
                "chromium": engine("Chromium 150", 1500, 600),
                "firefox": engine("firefox/153", 2000, 1300),
                "webkit": engine("WebKitGTK 2.50", 3500, 700, rest=False),
            },
        },
    }


def test_engines_table_judges_each_engine_against_chromium_in_the_same_run() -> None:
    eng = _engines_record()
    out = report.engines_report(eng)
    rows = {(r[0], r[1]): r[2:] for r in tables(out)[0][1:]}
    assert rows[("Chromium", "localhost")][:4] == [
        "1.50 [1.40 – 1.70]",
        "(reference)",
        "0.60 [0.59 – 0.62]",
        "(reference)",
    ]
    # 2000 / 1500 = 1.33 cold (met); 1300 / 600 = 2.17 warm (missed); WebKit 3500 / 1500 = 2.33 cold (missed).
    assert rows[("Firefox", "localhost")][1] == "1.33× (met)" and rows[("Firefox", "localhost")][3] == "2.17× (missed)"
    assert rows[("WebKitGTK", "localhost")][1] == "2.33× (missed)"
    stages = {r[0]: r[1:] for r in tables(out)[1][1:]}
    assert stages["Firefox"] == ["300", "1700", "250 of 900", "400", "1000", "yes"]
    assert stages["WebKitGTK"] == ["300", "3200", "—", "—", "—", "no (calculators.js's fallback)"]
    # A reason recorded for an engine left out is shown, as text; the load average too.
    assert PAYLOAD not in out and "missing" in out
    assert "load average before and after: 0.5 and 0.7" in out


def test_the_browser_figure_shows_the_engines_when_recorded() -> None:
    data = {**copy.deepcopy(recorded("browser")), "engines": _engines_record()}
    assert "engines benchmark" in report.browser_figures(data)
    data.pop("engines")
    assert "engines benchmark" not in report.browser_figures(data)
