"""The "Time is not FLOPs" page's figures, from results/<machine>/timing.json (scripts/examples/timing.py) and the
other engines' records beside it (timing-xla.json: TensorFlow with jit_compile; timing-jax.json: Keras on JAX).

Every figure takes the records of every machine that has one and shows them side by side. Times and ratios are
measured; FLOPs, bytes and arithmetic intensity are computed by calc (the record stores them beside each time).
A ratio is shown with the interval its verdict is drawn from (the wider of the pooled bootstrap interval and the
spread between the measuring processes, stats.combined), and beside it both of those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from calc.text import integer, milliseconds, nbytes, percent, ratio, significant
from kernel_lab.charts import figure, line_chart
from kernel_lab.html import Markup, html, join, scroll_region, table
from kernel_lab_mkdocs import stats
from kernel_lab_mkdocs.store import Data

__all__ = ["FIGURES", "find_ratio", "ratio_texts"]

Record = dict[str, Any]
Records = dict[str, Record]  # machine key -> its timing record (store.Data.timings)
SHAPES = {
    "stem": "the stem: 224 × 224 × 3 → 64, stride 2",
    "56x56x64": "56 × 56 × 64 → 64",
    "28x28x128": "28 × 28 × 128 → 128",
    "article": "the article's pair: 256 × 256 × 3, 'valid'",
}
VARIANTS = {
    "single": "one 7×7 Conv2D",
    "stacked": "three 3×3 Conv2D",
    "factorized": "1×7 then 7×1 Conv2D",
    "separable": "7×7 SeparableConv2D",
    "separable_3x3": "3×3 SeparableConv2D",
    "single_3x3": "one 3×3 Conv2D",
    "dilated": "one 3×3 Conv2D, dilation_rate 3 (a 7×7 field)",
    "replk": "7×7 + 3×3 Conv2D in parallel, added (RepLKNet, as trained)",
}
STEM_VARIANTS = {"single": "one 7×7 Conv2D, stride 2 (ResNet)", "stacked": "3×3/2 → 32, 3×3 → 32, 3×3 → 64 (ResNet-C)"}
ARTICLE_VARIANTS = {"single": "the article's 7×7 → 64", "stacked": "the article's 3×3 → 32, 32, 64"}
NETWORK_VARIANTS = {
    "resnet": "ResNet-50, 7×7/2 stem",
    "resnet_c": "ResNet-50, ResNet-C stem (3×3/2 → 32, 3×3 → 32, 3×3 → 64)",
}
MODES = {"forward": "forward pass", "train": "training step"}
# engine (as timing.ENGINES names it): its record's file beside timing.json, and its name on the page
ENGINES = {
    "tensorflow": ("timing.json", "TensorFlow (tf.function)"),
    "tensorflow-xla": ("timing-xla.json", "TensorFlow with jit_compile=True (XLA)"),
    "jax": ("timing-jax.json", "JAX (jax.jit)"),
}
TF = "tensorflow"
STEADY_GOAL = 0.9  # the timing stage's goals (issue 10): at least this share of times steady,
FORCED_RUN_GOAL_S = 1000  # and TensorFlow's processes within their share of the 30-minute forced re-run (issue 19:
# scripts/examples/__main__.py gives them 900 s of rounds, about 1,000 s with set-up); ratios: stats.HALF_WIDTH_LIMIT


def variant_name(shape: str, variant: str) -> str:
    return {"stem": STEM_VARIANTS, "article": ARTICLE_VARIANTS, "resnet50": NETWORK_VARIANTS}.get(shape, VARIANTS)[
        variant
    ]


def groups(record: Record, shape: str) -> Iterator[Record]:
    return (g for g in record["groups"] if g["shape"] == shape)


def machine_title(key: str, record: Record) -> str:
    m = record["machine"]
    return f"{key}: {m['cpu']}, {m['cores']} cores" + (
        ", " + ", ".join(g["name"] for g in m["gpus"]) if m["gpus"] else ""
    )


def _side(parts: list[Markup]) -> Markup:
    return html('<div class="kl-side">{}</div>', join(parts)) if len(parts) > 1 else join(parts)


def _missing() -> Markup:
    return html('<p class="kl-note">{}</p>', "No machine has timings yet: run python -m scripts.examples.")


def decimals(v: float) -> int:
    """Decimals a ratio is shown with: two, or three below 0.1× (0.04× would hide a factor of two)."""
    return 2 if v >= 0.1 else 3


def small_ratio(v: float) -> str:
    return ratio(v, decimals(v))


def ratio_texts(median: float, low: float, high: float) -> tuple[str, str, str]:
    """A ratio and its interval's ends, all with the decimals the interval's low end needs."""
    d = decimals(low)
    return ratio(median, d), ratio(low, d), ratio(high, d)


def interval(r: Record, where: str = "") -> Markup:
    """'0.60× (0.59×–0.61×), faster': the ratio, the interval its verdict is drawn from and the verdict (faster or
    slower when the whole interval lies on one side of 1), with 'not precise' where the interval's half-width is over
    stats.HALF_WIDTH_LIMIT. ``where`` (data-ratio) names it for readers of the HTML: 'ENGINE:GROUP/A/B'."""
    word = r["verdict"] if r["precise"] else f"{r['verdict']}, not precise"
    median, low, high = ratio_texts(r["median"], r["low"], r["high"])
    return html(
        '<span class="kl-ratio" data-verdict="{}" data-ratio="{}">{} ({}–{}), {}</span>',
        r["verdict"], where, median, low, high, word,
    )  # fmt: skip


def span(low: float, high: float, half_width: float) -> str:
    """'0.59×–0.61× (half-width 1.6%)'."""
    d = decimals(low)
    return f"{ratio(low, d)}–{ratio(high, d)} (half-width {percent(half_width, digits=2)})"


def within_text(r: Record) -> str:
    """The bootstrap interval over the pooled rounds, with its half-width ('—' for a record of one process)."""
    w = r.get("within_run")
    return span(w["low"], w["high"], w["half_width"]) if w else "—"


def between_text(r: Record) -> str:
    """The range of the processes' own medians and their count ('—' for a record of one process)."""
    b = r.get("between_runs")
    if not b:
        return "—"
    return f"{span(b['low'], b['high'], b['half_width'])}, {len(b['medians'])} runs"


def find_ratio(records: Records, pointer: str) -> tuple[str, Record, Record]:
    """'SHAPE/bBATCH/MODE/A/B' on the first machine: (machine, group, ratio); whole networks too."""
    shape, batch, mode, a, b = pointer.split("/")
    for key, rec in records.items():
        for g in rec["groups"] + rec.get("networks", []):
            if g["id"] == f"{shape}/{batch}/{mode}":
                for r in g["ratios"]:
                    if (r["a"], r["b"]) == (a, b):
                        return key, g, r
    raise LookupError(f"no timing ratio {pointer}")


def timing_ratio(data: Data, arg: str) -> Markup:
    """One measured ratio inline, with its interval and verdict (``data-arg`` 'SHAPE/bBATCH/MODE/A/B')."""
    if not data.timings:
        return html("{}", "not measured yet")
    key, _, r = find_ratio(data.timings, arg)
    return html('{} <span class="kl-where">(on {})</span>', interval(r, f"tensorflow:{arg}"), key)


def steadiness(rec: Record) -> tuple[int, int, list[Record]]:
    """How many of a record's times are steady, out of how many, and its ratios."""
    figures = [v for g in rec["groups"] for v in g["variants"].values()]
    steady = sum(stats.spread(v["samples_s"]).steady for v in figures)
    return steady, len(figures), [r for g in rec["groups"] for r in g["ratios"]]


# --- the figures ---------------------------------------------------------------------------------


def every_machine(render: Callable[[Records, str], Markup], default: str = "") -> Callable[[Data, str], Markup]:
    """A page figure from a function of every machine's timing records; a note where no machine has one."""

    def figure(data: Data, arg: str = default) -> Markup:
        return render(data.timings, arg or default) if data.timings else _missing()

    figure.__doc__ = render.__doc__
    return figure


def side_by_side(render: Callable[[str, Record, str], Markup]) -> Callable[[Records, str], Markup]:
    """A figure of every machine from a function that renders one machine's record: the machines side by side."""
    return lambda records, arg: _side([render(key, rec, arg) for key, rec in records.items()])


def engine_records(data: Data) -> dict[str, Records]:
    """{engine: every machine's record} for TensorFlow and each other engine that has records."""
    out = {TF: data.timings}
    for engine, (name, _) in ENGINES.items():
        if engine != TF and data.engine_timings.get(name):
            out[engine] = data.engine_timings[name]
    return out


def title(engine: str) -> str:
    return ENGINES[engine][1]


def timing_runs(data: Data, arg: str) -> Markup:
    """Each machine's and engine's runs: when, load, processes and rounds, the measured peak, how steady the figures
    were and how many ratios are precise."""
    rows = []
    for engine, records in engine_records(data).items():
        for key, rec in records.items():
            steady, figures, ratios = steadiness(rec)
            runs = len(rec.get("runs", [rec]))
            rows.append(
                (
                    machine_title(key, rec),
                    title(engine),
                    rec["date"][:10],
                    f"{rec['loadavg_start'][0]:.1f} → {rec['loadavg_end'][0]:.1f}",
                    f"{integer(len(rec['groups']))} × {integer(runs)} × {integer(rec['rounds'] // runs)}",
                    f"{rec['seconds']:.0f} s",
                    f"{significant(rec['peak']['gflops'])} GFLOP/s",
                    f"{steady} of {figures}",
                    f"{sum(r['precise'] for r in ratios)} of {len(ratios)}",
                )
            )
    head = (
        "Machine",
        "Keras on",
        "Date",
        "Load (1 min)",
        "Groups × processes × rounds (about)",
        "Time",
        "Peak (matmul)",
        f"Times with IQR ≤ {percent(stats.IQR_LIMIT)}",
        f"Ratios with half-width ≤ {percent(stats.HALF_WIDTH_LIMIT)}",
    )
    return scroll_region(table(head, rows, "The timing runs"), "timing runs")


def timing_ratios(key: str, rec: Record, arg: str) -> Markup:
    """Time of each variant relative to one 7×7 layer (or of the 7×7 separable layer to the 3×3 one), for every
    batch and mode, beside the FLOPs ratio calc computes; the interval the verdict uses, and beside it the pooled
    bootstrap interval and the spread between the measuring processes."""
    rows = []
    for g in groups(rec, arg):
        for r in g["ratios"]:
            flops = g["variants"][r["a"]]["computed"]["flops"] / g["variants"][r["b"]]["computed"]["flops"]
            rows.append(
                (
                    f"{variant_name(arg, r['a'])} ÷ {variant_name(arg, r['b'])}",
                    integer(g["batch"]),
                    MODES[g["mode"]],
                    small_ratio(flops),
                    interval(r, f"tensorflow:{g['id']}/{r['a']}/{r['b']}"),
                    within_text(r),
                    between_text(r),
                )
            )
    head = (
        "Time of ÷ time of",
        "Batch",
        "Pass",
        "FLOPs ratio (computed)",
        "Time ratio (the wider interval), verdict",
        "Within runs: 95 % interval over the pooled rounds",
        "Between runs: range of each process's median",
    )
    caption = f"{SHAPES[arg]}, on {machine_title(key, rec)}"
    return scroll_region(table(head, rows, caption, numeric_from=3), f"time ratios, {arg}, {key}")


def timing_efficiency(key: str, rec: Record, arg: str) -> Markup:
    """For one shape: each variant's time, GFLOP/s, fraction of the measured peak and arithmetic intensity, at
    every batch, forward pass and training step."""
    rows = []
    for g in groups(rec, arg):
        for name, v in g["variants"].items():
            c = v["computed"]
            rows.append(
                (
                    variant_name(arg, name),
                    integer(g["batch"]),
                    MODES[g["mode"]],
                    milliseconds(v["median_s"]),
                    f"{percent((v['q3_s'] - v['q1_s']) / v['median_s'])}",
                    significant(c["flops"] / 1e9),
                    significant(v["gflops"]),
                    percent(v["fraction_of_peak"]),
                    significant(c["intensity"]),
                )
            )
    head = ("Variant", "Batch", "Pass", "Median time", "IQR", "GFLOP", "GFLOP/s", "Of peak", "FLOP per byte")
    caption = f"{SHAPES[arg]}, on {machine_title(key, rec)} (GFLOP and FLOP per byte computed by calc)"
    return scroll_region(table(head, rows, caption, numeric_from=3), f"efficiency, {arg}, {key}")


def timing_throughput_chart(key: str, rec: Record, arg: str) -> Markup:
    """GFLOP/s against batch size, one line per variant and pass: how much of the machine each variant uses."""
    series: dict[str, list[tuple[float, float]]] = {}
    for g in groups(rec, arg):
        for name, v in g["variants"].items():
            label = f"{variant_name(arg, name)}, {'forward' if g['mode'] == 'forward' else 'training'}"
            series.setdefault(label, []).append((g["batch"], v["gflops"]))
    chart = line_chart(
        list(series.items()),
        "batch size",
        "GFLOP/s",
        f"GFLOP/s against batch size, {SHAPES[arg]}, {key}",
        x_log=True,
        reference_y=rec["peak"]["gflops"],
    )
    caption = (
        f"Achieved GFLOP/s (calc's FLOPs ÷ median time), {SHAPES[arg]}, on {machine_title(key, rec)}. "
        f"Dashed: the measured peak ({rec['method']['peak']}), {significant(rec['peak']['gflops'])} GFLOP/s."
    )
    return figure(chart, caption)


def timing_overhead(records: Records, arg: str) -> Markup:
    """What a call and a layer cost when there is nothing to compute, and what share of the shortest calls that is."""
    rows = []
    for key, rec in records.items():
        for mode, o in rec["overhead"].items():
            t, gid, name = min(
                (v["median_s"], g["id"], n)
                for g in rec["groups"]
                if g["mode"] == mode
                for n, v in g["variants"].items()
            )
            rows.append(
                (
                    f"{machine_title(key, rec)}, {MODES[mode]}",
                    f"{significant(o['call_s'] * 1e6)} µs",
                    f"{significant(o['per_layer_s'] * 1e6)} µs",
                    f"{milliseconds(t)} ({gid}, {variant_name(gid.split('/')[0], name)})",
                    percent(o["call_s"] / t),
                )
            )
    head = ("Machine and pass", "A call", "Each further layer", "Shortest call measured", "Of it: the call's cost")
    return scroll_region(table(head, rows, "Cost of a compiled call with nothing to compute"), "overhead")


def timing_memory(records: Records, arg: str) -> Markup:
    """The float32 activations a training step keeps (input and every layer's output), computed by calc, for each
    shape and variant at one batch size; beside them, on every machine whose TensorFlow tracks device memory (GPUs),
    the measured peak of one training step."""
    rec = next(iter(records.values()))  # computed figures: the same on every machine
    measured = {  # machine: {group id: {variant: bytes}}
        key: {g["id"]: {n: v.get("measured_peak_bytes") for n, v in g["variants"].items()} for g in r["groups"]}
        for key, r in records.items()
        if any(v.get("measured_peak_bytes") for g in r["groups"] for v in g["variants"].values())
    }
    rows = []
    for g in rec["groups"]:
        if g["mode"] != "train" or g["batch"] != int(arg):
            continue
        single = g["variants"]["single"]["computed"]["kept_bytes"]
        for name, v in g["variants"].items():
            kept = v["computed"]["kept_bytes"]
            peaks = [nbytes(m.get(g["id"], {}).get(name)) for m in measured.values()]
            rows.append(
                (SHAPES[g["shape"]], variant_name(g["shape"], name), nbytes(kept), ratio(kept / single), *peaks)
            )
    head: tuple[str, ...] = ("Shape", "Variant", "Activations kept (computed)", "Relative to the first")
    head += tuple(f"Peak device memory on {key} (measured)" for key in measured)
    caption = f"Activations a training step keeps, batch {arg}, float32 (computed by calc)"
    if not measured:
        caption += "; no machine measured here tracks device memory (TensorFlow reports it for GPUs only)"
    return scroll_region(table(head, rows, caption, numeric_from=2), "activation memory")


def timing_quality(records: Records, arg: str) -> Markup:
    """For authors: whether each machine's timing record is evidence enough (the goals of the timing stage)."""
    rows = []
    for key, rec in records.items():
        count, figures, ratios = steadiness(rec)
        steady = count / figures
        worst = max(r["half_width"] for r in ratios)
        load = max(rec["loadavg_start"][0], rec["loadavg_end"][0])
        rows += [
            (f"{key}: times with IQR ≤ {percent(stats.IQR_LIMIT)}", percent(steady), f"≥ {percent(STEADY_GOAL)}",
             _met(steady >= STEADY_GOAL)),
            (f"{key}: widest interval (half-width)", percent(worst, digits=2),
             f"≤ {percent(stats.HALF_WIDTH_LIMIT)}", _met(worst <= stats.HALF_WIDTH_LIMIT)),
            (f"{key}: TensorFlow's processes, forced", f"{rec['seconds']:.0f} s (load up to {load:.1f})",
             f"≤ {FORCED_RUN_GOAL_S} s",
             _met(rec["seconds"] <= FORCED_RUN_GOAL_S)),
        ]  # fmt: skip
    head = ("Figure", "Recorded", "Goal", "")
    return scroll_region(table(head, rows, "The timing records against the goals of the timing stage"), "timing goals")


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


# --- the engines: Keras on TensorFlow, on TensorFlow with XLA, on JAX ------------------------------


def common_groups(data: Data) -> list[tuple[str, dict[str, Record]]]:
    """For each machine, its record of every engine, as [(machine, {engine: record})]."""
    out = []
    for key in data.timings:
        recs = {engine: records[key] for engine, records in engine_records(data).items() if key in records}
        out.append((key, recs))
    return out


def timing_engines(data: Data, arg: str) -> Markup:
    """For one shape, each ratio as measured with Keras on each engine, side by side: does the choice depend on the
    backend? Only the groups every engine timed (the XLA-compiled engines time one batch)."""
    if not data.timings:
        return _missing()
    parts = []
    for key, recs in common_groups(data):
        by_id = {engine: {g["id"]: g for g in rec["groups"]} for engine, rec in recs.items()}
        ids = [g["id"] for g in groups(recs[TF], arg) if all(g["id"] in b for b in by_id.values())]
        rows = []
        for gid in ids:
            g = by_id[TF][gid]
            for r in g["ratios"]:
                cells = []
                for engine, b in by_id.items():
                    other = next((x for x in b[gid]["ratios"] if (x["a"], x["b"]) == (r["a"], r["b"])), None)
                    cells.append(interval(other, f"{engine}:{gid}/{r['a']}/{r['b']}") if other else "—")
                rows.append(
                    (f"{variant_name(arg, r['a'])} ÷ {variant_name(arg, r['b'])}", integer(g["batch"]),
                     MODES[g["mode"]], *cells)
                )  # fmt: skip
        head = ("Time of ÷ time of", "Batch", "Pass", *(f"Keras on {title(e)}" for e in by_id))
        caption = f"{SHAPES[arg]}, on {machine_title(key, recs[TF])}: time ratios on each engine"
        parts.append(scroll_region(table(head, rows, caption, numeric_from=3), f"engines, {arg}, {key}"))
    return _side(parts)


def timing_engine_times(data: Data, arg: str) -> Markup:
    """For one shape, each variant's median time on each engine relative to TensorFlow's own (tf.function without
    XLA): what jit_compile, and JAX, do to the times. Measured in separate processes, so a ratio of medians with no
    interval."""
    if not data.timings:
        return _missing()
    parts = []
    for key, recs in common_groups(data):
        tf = {g["id"]: g for g in recs[TF]["groups"]}
        others = {e: {g["id"]: g for g in r["groups"]} for e, r in recs.items() if e != TF}
        rows = []
        for gid, g in tf.items():
            if g["shape"] != arg or not all(gid in o for o in others.values()):
                continue
            for name, v in g["variants"].items():
                cells = [ratio(o[gid]["variants"][name]["median_s"] / v["median_s"]) for o in others.values()]
                rows.append(
                    (variant_name(arg, name), integer(g["batch"]), MODES[g["mode"]], milliseconds(v["median_s"]),
                     *cells)
                )  # fmt: skip
        head = ("Variant", "Batch", "Pass", f"{title(TF)}: median time", *(f"{title(e)} ÷ TensorFlow" for e in others))
        caption = f"{SHAPES[arg]}, on {machine_title(key, recs[TF])}: each engine's median time ÷ TensorFlow's"
        parts.append(scroll_region(table(head, rows, caption, numeric_from=3), f"engine times, {arg}, {key}"))
    return _side(parts)


# --- a whole network: ResNet-50 with its 7×7 stem and with ResNet-C's -------------------------------


def network_groups(rec: Record) -> list[Record]:
    return list(rec.get("networks", []))


def timing_network(data: Data, arg: str) -> Markup:
    """ResNet-50 (keras.applications, weights=None) with its 7×7/2 stem and with ResNet-C's stem: parameters, the
    stem's and the whole network's multiply-adds (calc), and the measured forward time on each engine and batch."""
    if not data.timings:
        return _missing()
    parts = []
    for key, recs in common_groups(data):
        nets = [(e, g) for e, r in recs.items() for g in network_groups(r)]
        if not nets:
            continue
        first = nets[0][1]
        rows = []
        for name, v in first["variants"].items():
            c = v["computed"]
            times = [milliseconds(g["variants"][name]["median_s"]) for _, g in nets]
            rows.append(
                (variant_name("resnet50", name), integer(c["params"]), integer(c["stem_macs_per_example"]),
                 integer(c["macs_per_example"]), percent(c["stem_macs_per_example"] / c["macs_per_example"], 2),
                 *times)
            )  # fmt: skip
        for r in first["ratios"]:
            a, b = (first["variants"][n]["computed"]["macs_per_example"] for n in (r["a"], r["b"]))
            cells = [
                interval(x, f"{e}:{g['id']}/{x['a']}/{x['b']}")
                for e, g in nets
                for x in g["ratios"]
                if (x["a"], x["b"]) == (r["a"], r["b"])
            ]
            rows.append(("ResNet-C stem ÷ 7×7 stem", "", "", ratio(a / b, 3), "", *cells))
        head = (
            "Network",
            "Parameters",
            "Stem MACs",
            "Network MACs",
            "Stem's share",
            *(f"Forward, batch {g['batch']}: {title(e)}" for e, g in nets),
        )
        caption = (
            f"ResNet-50 at 224 × 224 × 3, on {machine_title(key, recs[TF])} "
            "(parameters and MACs per image computed by calc from the Keras model; times measured)"
        )
        parts.append(scroll_region(table(head, rows, caption, numeric_from=1), f"resnet-50, {key}"))
    return _side(parts) if parts else _missing()


NETWORK_FACTS = ("stem_share", "c_stem_share", "macs_ratio", "time_ratio")


def timing_network_fact(data: Data, arg: str) -> Markup:
    """One figure of the whole-network comparison inside a sentence (``data-arg`` one of NETWORK_FACTS), from the
    first machine's TensorFlow record: the 7×7 stem's share of ResNet-50's MACs, ResNet-C's stem's share, ResNet-C's
    MACs ÷ ResNet-50's, and the measured forward time ratio (its largest batch) with its interval and verdict."""
    if arg not in NETWORK_FACTS:
        raise ValueError(f"timing_network_fact: data-arg must be one of {', '.join(NETWORK_FACTS)}, not {arg!r}")
    found = [g for rec in data.timings.values() for g in network_groups(rec)]
    if not found:
        return html("{}", "not measured yet")
    g = max(found, key=lambda g: g["batch"])  # the first machine's largest batch
    c, cc = g["variants"]["resnet"]["computed"], g["variants"]["resnet_c"]["computed"]
    if arg == "stem_share":
        return html("{}", percent(c["stem_macs_per_example"] / c["macs_per_example"], 2))
    if arg == "c_stem_share":
        return html("{}", percent(cc["stem_macs_per_example"] / cc["macs_per_example"], 2))
    if arg == "macs_ratio":
        return html("{}", ratio(cc["macs_per_example"] / c["macs_per_example"], 3))
    r = next(x for x in g["ratios"] if (x["a"], x["b"]) == ("resnet_c", "resnet"))
    return html("{} at a batch of {}", interval(r, f"tensorflow:{g['id']}/resnet_c/resnet"), integer(g["batch"]))


def with_data(render: Callable[[Data, str], Markup]) -> Callable[[Data, str], Markup]:
    """A figure that needs more than TensorFlow's records; a note where no machine has one."""

    def figure(data: Data, arg: str = "") -> Markup:
        return render(data, arg) if data.timings else _missing()

    figure.__doc__ = render.__doc__
    return figure


FIGURES: dict[str, Callable[[Data, str], Markup]] = {
    "timing_quality": every_machine(timing_quality),
    "timing_runs": with_data(timing_runs),
    "timing_engines": timing_engines,
    "timing_engine_times": timing_engine_times,
    "timing_network": timing_network,
    "timing_network_fact": timing_network_fact,
    "timing_ratio": timing_ratio,
    "timing_ratios": every_machine(side_by_side(timing_ratios), "56x56x64"),
    "timing_efficiency": every_machine(side_by_side(timing_efficiency), "56x56x64"),
    "timing_throughput": every_machine(side_by_side(timing_throughput_chart), "56x56x64"),
    "timing_overhead": every_machine(timing_overhead),
    "timing_memory": every_machine(timing_memory, "32"),
}
