"""The benchmarks on the authors' pages ("Runtime and speed", docs/site-speed.md; docs/authors.md): what
scripts/bench/calc_speed.py, analyzer.py, browser.py and authors.py recorded under benchmarks/ (JSON), as tables
through the site's one table writer. Every figure shown comes from the JSON.

A page asks for one with the site's marker, ``<div data-figure="bench_calc"></div>`` (``bench_analyzer``,
``browser_bench``, ``authors_loop``); website/kernel_lab_mkdocs/figures.py registers :data:`FIGURES`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from calc.text import percent, ratio, significant
from kernel_lab.html import Markup, html, join, scroll_region, table

__all__ = [
    "FIGURES",
    "analyzer_report",
    "authors_report",
    "browser_figures",
    "browser_report",
    "calc_report",
    "engines_report",
    "machine_line",
    "network_report",
    "pages_report",
]

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str, folder: Path = BENCHMARKS) -> dict[str, Any] | None:
    """benchmarks/NAME.json, or None when that benchmark has not been recorded."""
    path = folder / f"{name}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _not_recorded(name: str) -> Markup:
    return html("<p>No benchmark recorded yet: run <code>python -m scripts.bench.{}</code>.</p>", name)


def code(text: object) -> Markup:
    return html("<code>{}</code>", text)


def machine_line(fp: dict[str, Any]) -> str:
    """A benchmark's machine in one line: 'AMD EPYC, 2 cores, Python 3.11.7, load average 0.81'.

    The one-minute load average is the first of the fingerprint's ``loadavg``; records made before the
    benchmarks shared the examples' fingerprint (scripts/examples/machine.py) call it ``load_average``.
    """
    load = fp["loadavg"][0] if fp.get("loadavg") else fp.get("load_average")
    return f"{fp['cpu']}, {fp['cores']} cores, Python {fp['python']}" + (
        f", load average {load:.2f}" if load is not None else ""
    )


def _recorded(fp: dict[str, Any], script: str, how: str = "") -> Markup:
    return html(
        '<p class="kl-note">Recorded {} by <code>scripts/bench/{}.py</code> on {} (a shared machine).{}</p>',
        fp["date"], script, machine_line(fp), " " + how if how else "",
    )  # fmt: skip


def _iqr(figure: dict[str, Any], suffix: str = "") -> str:
    return f"{significant(figure['q1' + suffix])}–{significant(figure['q3' + suffix])}"


def _met(median: float, goal: float) -> Markup:
    return html("met") if median <= goal else html("<strong>missed</strong>")


# --- calc ------------------------------------------------------------------------------------------------------


def _profile_table(label: str, figure: dict[str, Any]) -> Markup:
    """Where a call that missed its goal spends its time: cProfile's top functions by own time."""
    rows, calls = figure["profile"], figure["profile_calls"]
    total = sum(r["own_s"] for r in rows) or 1.0
    caption = html(
        "Where {} spends its time (cProfile, own time of the top functions; the profiler inflates small calls, so "
        "read the shares, not the absolute figures)",
        code(label),
    )
    body = [(code(r["function"]), r["calls"] / calls, percent(r["own_s"] / total)) for r in rows]
    return scroll_region(table(("function", "calls per call", "share of the listed own time"), body, caption), label)


def calc_report(data: dict[str, Any]) -> Markup:
    """benchmarks/calc.json: each per-layer call and each 1,000-layer chain against its goal, with profiles of
    those that missed it."""
    goals, per_call, chains = data["goals"], data["per_call_us"], data["chains_ms"]
    repeats = next(iter(per_call.values()))["repeats"]
    how = f"Figures are per call, median and interquartile range over {repeats} repeats of a batch of calls."
    goal = goals["per_layer_us"]
    calls = table(
        ("call", "median (µs)", "interquartile range (µs)", f"goal ≤ {goal:g} µs"),
        [(code(label), significant(v["median"]), _iqr(v), _met(v["median"], goal)) for label, v in per_call.items()],
        "Per-layer functions and calc.layer_info, time per call",
    )
    rows = []
    for name, v in chains.items():
        limit = goals["chain_ms"][name]
        rows.append(
            (code(name), v["chain"], significant(v["median"]), _iqr(v), f"≤ {limit:g}", _met(v["median"], limit))
        )
    head = ("call", "chain", "median (ms)", "interquartile range (ms)", "goal (ms)", "goal met")
    walks = table(head, rows, f"Chains of {goals['chain_length']:,} layers, time per call", numeric_from=2)
    profiled = {**per_call, **chains}
    return join(
        [
            _recorded(data["machine"], "calc", how),
            scroll_region(calls, "calc per-layer benchmark"),
            scroll_region(walks, "calc chain benchmark"),
            *(_profile_table(label, v) for label, v in profiled.items() if "profile" in v),
        ]
    )


# --- the analyzer ----------------------------------------------------------------------------------------------

ANALYZER_ROWS = {
    "calc_from_dict": "calc.summarize (parsed dict)",
    "calc_from_json_text": "calc.summarize (JSON text)",
    "keras_model_from_json_count_params": "Keras model_from_json + count_params",
}


def analyzer_report(data: dict[str, Any]) -> Markup:
    """benchmarks/analyzer.json: calc.summarize against Keras on InceptionResNetV2, and the CLI's refusals of
    absurd input with their messages (shown as text)."""
    irv, refusals = data["inception_resnet_v2"], data["refusals_cli_wall"]
    rows = [
        (label, significant(irv[key]["median_ms"]), _iqr(irv[key], "_ms"), irv[key]["repeats"])
        for key, label in ANALYZER_ROWS.items()
    ]
    head = (f"InceptionResNetV2 ({irv['layers']:,} layers)", "median (ms)", "interquartile range (ms)", "repeats")
    refused = [(k, code(v["message"]), significant(v["median_ms"] / 1e3)) for k, v in refusals.items()]
    return join(
        [
            _recorded(data["machine"], "analyzer"),
            scroll_region(table(head, rows, "The whole model, summarised"), "analyzer benchmark"),
            html("<p>Speed-up (medians, same run): {}.</p>", ratio(irv["speedup_median"], 0)),
            scroll_region(
                table(
                    ("Refused input", "message", "median (s)"),
                    refused,
                    "Absurd input refused by the CLI, wall time including Python's start",
                    numeric_from=2,
                ),
                "refusal benchmark",
            ),
        ]
    )


# --- the browser -----------------------------------------------------------------------------------------------

BROWSER_LABELS = {
    "static_paint_ms": "Static result painted (first contentful paint)",
    "interactive_ms": "Interactive, cold: worker ready and first recomputed result",
    "interactive_warm_ms": "Interactive, warm HTTP cache",
    "second_page_ms": "Second calculator page (instant navigation) until recomputed",
    "longest_task_ms": "Longest main-thread task while loading a calculator page",
    "longest_task_home_ms": "Longest main-thread task, home page (no calculator: the theme alone)",
    "roundtrip_layer_ms": "Recompute round trip, one-layer calculator, filters changed (the drawing reused)",
    "roundtrip_layer_kernel_ms": "Recompute round trip, one-layer calculator, kernel height changed (drawn again)",
    "roundtrip_compare_ms": "Recompute round trip, kernel comparison (with its chart)",
    "roundtrip_effective_ms": "Recompute round trip, effective field of 20 layers (chart and heat map)",
    "roundtrip_analyzer_ms": "Recompute round trip, analyzer on InceptionResNetV2",
    "python_analyzer_ms": "… of which Python in the worker",
}


def browser_report(data: dict[str, Any]) -> Markup:
    """benchmarks/browser.json: every measure of every variant, median [min – max], against its goal."""
    variants = list(data["results"])
    goals = data.get("goals_ms", {})
    rows = []
    for key, label in BROWSER_LABELS.items():
        cells = []
        for v in variants:
            m = data["results"][v].get(key)
            cells.append(None if m is None else f"{m['median']:g} [{m['min']:g} – {m['max']:g}]")
        rows.append((label, f"≤ {goals[key]:g}" if key in goals else "", *cells))
    head = ("Measure", "Goal", *(f"{v}: median [min – max]" for v in variants))
    caption = f"Milliseconds; {data['runs']} runs per variant, each in a fresh browser profile"
    m = data["machine"]
    boots = ", ".join(f"{v}: {'/'.join(data['results'][v].get('boot', []))}" for v in variants)
    return scroll_region(table(head, rows, caption), "browser benchmark") + html(
        '<p class="kl-note">Recorded {} by <code>scripts/bench/browser.py</code>: {}, Pyodide {}, {} CPU cores, {}; '
        "load average before and after: {:g} and {:g} (other jobs shared the machine). Boot path seen: {}.</p>",
        data["date"], data["browser"], data["pyodide"], m["cpus"], m["platform"], m["load_average_before"][0],
        m["load_average_after"][0], boots,
    )  # fmt: skip


def _spread(m: dict[str, Any], scale: float = 1.0, digits: int = 2) -> str:
    return f"{m['median'] / scale:.{digits}f} [{m['min'] / scale:.{digits}f} – {m['max'] / scale:.{digits}f}]"


def _load_note(section: dict[str, Any], script_how: str) -> Markup:
    return html(
        '<p class="kl-note">Recorded {} by <code>scripts/bench/browser.py</code> ({}); load average before and '
        "after: {:g} and {:g} (other jobs shared the machine).</p>",
        section["date"], script_how, section["load_average_before"][0], section["load_average_after"][0],
    )  # fmt: skip


HOST_LABELS = {
    "plain": "host without compression",
    "gzip": "host that gzips text, JS, JSON and WASM",
    "plain-revalidate": "host without compression, every file asked for again (no cache headers, or expired)",
}


def network_report(net: dict[str, Any]) -> Markup:
    """The network part of benchmarks/browser.json: cold and warm visits under emulated networks, bytes sent,
    each host kind, profile and variant; the issue's goals judged on the first profile, host without compression,
    the site as built."""
    rows = []
    for kind, by_profile in net["results"].items():
        for label, by_variant in by_profile.items():
            for variant, r in by_variant.items():
                rows.append(
                    (
                        HOST_LABELS.get(kind, kind), label, variant,
                        _spread(r["cold_ms"], 1000), _spread(r["cold_bytes"], 1e6),
                        _spread(r["warm_ms"], 1000), _spread(r["warm_bytes"], 1e6, 3), "; ".join(r["boot"]),
                    )
                )  # fmt: skip
    head = (
        "Host", "Network", "Build", "Ready, cold (s)", "Bytes, cold (MB)", "Ready, warm (s)", "Bytes, warm (MB)",
        "Python started",
    )  # fmt: skip
    caption = (
        f"The one-layer page, median [min – max] of {net['runs']} runs, each in a fresh persistent browser profile; "
        "bytes as the host sent them, including what the page does once idle"
    )
    goals = net["goals"]
    first = next(iter(net["profiles"]))
    site = net["results"].get("plain", {}).get(first, {}).get("site")
    verdicts = []
    if site:
        for key, label, unit, scale in (
            ("cold_bytes", "bytes for a cold visit", "MB", 1e6),
            ("cold_ms", "ready, cold", "s", 1000),
            ("warm_ms", "ready, warm", "s", 1000),
        ):
            median = site[key]["median"]
            verdicts.append(
                html(
                    "{} {:.2f} {} (goal ≤ {:g}): {}",
                    label,
                    median / scale,
                    unit,
                    goals[key] / scale,
                    _met(median, goals[key]),
                )
            )
    goal_line = html("<p>Goals (the site as built, {}, host without compression): {}.</p>", first, join(verdicts, "; "))
    table_html = scroll_region(table(head, rows, caption, numeric_from=3), "network benchmark")
    return join([table_html, goal_line, _load_note(net, "network mode")])


def pages_report(pages: dict[str, Any]) -> Markup:
    """The pages part of benchmarks/browser.json: every calculator page cold on localhost against its goal."""
    goal = pages["goal_ms"]
    rows: list[tuple[Any, ...]] = [
        (code(path), _spread(m, 1, 0), f"≤ {goal:g}", _met(m["median"], goal)) for path, m in pages["results"].items()
    ]
    if "floor" in pages:  # records made before it was measured have none
        rows.append(("Pyodide alone: a bare page, no calculator (the floor)", _spread(pages["floor"], 1, 0), "", ""))
    caption = f"Ready after navigation, cold, localhost, ms: median [min – max] of {pages['runs']} loads per page"
    head = ("Page", "Ready (ms)", "Goal (ms)", "Goal met")
    return join(
        [scroll_region(table(head, rows, caption, numeric_from=1), "pages benchmark"), _load_note(pages, "pages mode")]
    )


ENGINE_NAMES = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKitGTK"}


def _ratio_cell(r: dict[str, Any], base: dict[str, Any] | None, key: str, goal: float) -> Markup | str:
    """An engine's median over Chromium's on the same network and run, judged against the goal."""
    if base is None:
        return "no Chromium figure"
    if r is base:
        return "(reference)"
    times = r[key]["median"] / base[key]["median"]
    return html("{}× ({})", f"{times:.2f}", _met(times, goal))


def engines_report(eng: dict[str, Any]) -> Markup:
    """The engines part of benchmarks/browser.json: the one-layer page in each engine, cold and warm, each network,
    with each engine's median against Chromium's in the same run; then where the time of a cold start goes."""
    goal = eng["goal_ratio"]
    rows = []
    for network, by_engine in eng["results"].items():
        base = by_engine.get("chromium")
        for engine, r in by_engine.items():
            rows.append(
                (
                    ENGINE_NAMES.get(engine, engine), network,
                    _spread(r["cold_ms"], 1000), _ratio_cell(r, base, "cold_ms", goal),
                    _spread(r["warm_ms"], 1000), _ratio_cell(r, base, "warm_ms", goal),
                    _spread(r["cold_bytes"], 1e6), "; ".join(r["boot"]),
                )
            )  # fmt: skip
    head = (
        "Engine", "Network", "Ready, cold (s)", f"Cold against Chromium (goal ≤ {goal:g}×)", "Ready, warm (s)",
        f"Warm against Chromium (goal ≤ {goal:g}×)", "Bytes, cold (MB)", "Python started",
    )  # fmt: skip
    caption = (
        f"The {eng['page']} page, median [min – max] of {eng['runs']} runs per engine, each in a fresh browser and "
        "profile; the networks other than localhost through the same throttling proxy for every engine"
    )
    versions = ", ".join(
        f"{ENGINE_NAMES.get(e, e)}: {r['version']}" for e, r in next(iter(eng["results"].values())).items()
    )
    stage_rows = []
    local = eng["results"].get("localhost", {})
    for engine, r in local.items():
        stages = r.get("cold_stages", {})
        probes = r.get("probes", {})
        wasm = r.get("cold_decoded", {}).get("pyodide.asm.wasm")
        stage_rows.append(
            (
                ENGINE_NAMES.get(engine, engine),
                *(f"{stages[k]['median']:g}" if k in stages else None for k in eng["stages"]),
                f"{wasm['decoding_ms']['median']:g} of {wasm['wall_ms']['median']:g}" if wasm else None,
                f"{probes['compile']['median']:g}" if "compile" in probes else None,
                f"{probes['floor']['median']:g}" if "floor" in probes else None,
                "yes" if r.get("requestIdleCallback") else "no (calculators.js's fallback)",
            )
        )
    stage_head = (
        "Engine", *(f"{label} (ms)" for label in eng["stages"].values()),
        "The runtime's wasm decoded: the decoder's time, of the time from its response to its end (ms)",
        "Compiling the uncompressed runtime alone, WebAssembly.compile (ms)", "Pyodide alone, a bare page (ms)",
        "requestIdleCallback",
    )  # fmt: skip
    stage_caption = (
        "Where a cold start's time goes on localhost: the worker's milestones, ms after navigation (medians), and two "
        "bare pages measured in the same browsers"
    )
    absent = [html("<li>{}</li>", reason) for reason in eng.get("absent", {}).values()]
    return join(
        [
            scroll_region(table(head, rows, caption, numeric_from=2), "engines benchmark"),
            scroll_region(table(stage_head, stage_rows, stage_caption, numeric_from=1), "engines start-up stages"),
            html("<p>Not measured:</p><ul>{}</ul>", join(absent)) if absent else html(""),
            _load_note(eng, "engines mode; " + versions),
        ]
    )


def browser_figures(data: dict[str, Any]) -> Markup:
    """benchmarks/browser.json: the localhost table, then the network, per-page and per-engine tables when
    recorded."""
    parts = [browser_report(data)] if "results" in data else []
    if "network" in data:
        parts.append(network_report(data["network"]))
    if "pages" in data:
        parts.append(pages_report(data["pages"]))
    if "engines" in data:
        parts.append(engines_report(data["engines"]))
    return join(parts)


def authors_report(data: dict[str, Any]) -> Markup:
    """benchmarks/authors.json: the rebuild after each kind of edit under `mkdocs serve`, against its goal."""
    rows = []
    for kind, e in data["edits"].items():
        goal = data["goals_s"][kind]
        rows.append(
            (
                code(e["file"]),
                len(e["runs"]),
                f"{e['median_s']:.2f}",
                f"{e['min_s']:.2f}–{e['max_s']:.2f}",
                f"≤ {goal:g}",
                _met(e["median_s"], goal),
                f"{e['cpu_median_s']:.2f}",
                e["runtime_rebuilt"],
            )
        )
    head = ["file edited", "edits", "median (s)", "range (s)", "goal (s)", "goal met", "CPU, median (s)"]
    head.append("python.zip rebuilt")
    how = html(
        "Seconds as mkdocs serve reports them (“Documentation built in …”), and the CPU time the server and the "
        "runtime build it waited for used meanwhile (on a loaded machine the wall time is mostly waiting for a "
        "core); the first build took {:.1f} s.",
        data["first_build_s"],
    )
    rebuilds = table(head, rows, "Rebuild after an edit under mkdocs serve", numeric_from=1)
    return join([_recorded(data["machine"], "authors", str(how)), scroll_region(rebuilds, "authors' loop")])


def _figure(name: str, render: Callable[[dict[str, Any]], Markup]) -> Callable[[str], Markup]:
    def figure(arg: str = "") -> Markup:
        data = load(name, BENCHMARKS)
        return _not_recorded(name) if data is None else render(data)

    return figure


# Figures by marker name (data-figure); each takes the marker's data-arg (unused) and reads its JSON afresh.
FIGURES: dict[str, Callable[[str], Markup]] = {
    "bench_calc": _figure("calc", calc_report),
    "bench_analyzer": _figure("analyzer", analyzer_report),
    "browser_bench": _figure("browser", browser_figures),
    "theme_edits": _figure("theme_edits", browser_report),
    "authors_loop": _figure("authors", authors_report),  # scripts/bench/authors.py: the authors' loop
}
