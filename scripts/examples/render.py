"""The Examples page's figures, rendered from the stored results as HTML.

A page asks for one with the site's marker, ``<div data-figure="example" data-arg="article_7x7"></div>``;
scripts/hooks/examples.py puts the figure in its place. :data:`FIGURES` names them. Only results that match the
current example source are shown (:class:`~scripts.examples.store.Data`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import markdown
from markdown.extensions.toc import slugify

from calc.text import NONE, integer, keras_shape, milliseconds, pair, percent, significant
from kernel_lab.charts import figure, line_chart
from kernel_lab.html import Markup, html, join, scroll_region, table
from scripts.examples.store import Data

__all__ = ["FIGURES", "RUN", "admonition", "heading"]

RUN = Markup("<code>python -m scripts.examples</code>")
SWEEP = {
    "sweep_single": "one k×k",
    "sweep_stacked": "stacked 3×3",
    "sweep_factorized": "k×1 + 1×k",
    "sweep_separable": "separable k×k",
}


# --- pieces ----------------------------------------------------------------------------------------------------


def heading(level: int, title: str, anchor: str = "") -> Markup:
    """A heading as Python-Markdown's toc extension writes one (same id unless ``anchor`` is given, permalink);
    the hook puts it in the page's table of contents."""
    slug = anchor or slugify(title, "-")
    return html(
        '<h{} id="{}">{}<a class="headerlink" href="#{}" title="Permanent link">&para;</a></h{}>',
        level,
        slug,
        title,
        slug,
        level,
    )


def admonition(kind: str, message: Markup | str) -> Markup:
    """A note box as the admonition extension writes one (``!!! warning``)."""
    return html(
        '<div class="admonition {}"><p class="admonition-title">{}</p><p>{}</p></div>', kind, kind.capitalize(), message
    )


def code_block(text: str, lang: str = "text", title: str | None = None) -> Markup:
    """A code block, the same whatever code extensions mkdocs.yml enables."""
    head = html('<p class="kl-code-title"><code>{}</code></p>', title) if title else Markup("")
    return html('{}<pre class="kl-code"><code class="language-{}">{}</code></pre>', head, lang, text.rstrip())


def code(text: object) -> Markup:
    return html("<code>{}</code>", text)


def split_example(path: Path) -> tuple[str, Markup, str]:
    """(title, text as HTML, code) of an example: its docstring is its title and text, the rest is the code."""
    source = path.read_text(encoding="utf-8")
    module = ast.parse(source)
    doc = ast.get_docstring(module) or ""
    body = source
    if module.body and isinstance(module.body[0], ast.Expr) and doc:
        end = module.body[0].end_lineno or 0
        body = "\n".join(source.splitlines()[end:]).strip("\n")
    title, _, text = doc.partition("\n")
    # The examples' own docstrings, written in this repository, in Markdown like the pages.
    return title.strip(), Markup(markdown.markdown(text.strip())), body


def _source(data: Data, name: str) -> tuple[str, Markup, str]:
    path = data.examples_dir / f"{name}.py"
    if not path.exists():
        raise KeyError(f"no example named {name!r}")
    return split_example(path)


# --- the machines and the method -------------------------------------------------------------------------------


def _gpus(m: dict[str, Any]) -> str:
    return ", ".join(f"{g['name']} ({g['driver']})" for g in m.get("gpus") or []) or "none"


def _loads(m: dict[str, Any]) -> str:
    start, end = (", ".join(map(significant, m.get(key) or [])) for key in ("loadavg", "loadavg_end"))
    return f"{start} → {end}"


def _peak(m: dict[str, Any]) -> str:
    p = m.get("peak")
    return f"{significant(p['gflops'])} GFLOP/s ({p['size']}² matmul, median of {p['repeats']})" if p else NONE


def _last_run(m: dict[str, Any]) -> str:
    r = m.get("last_run")
    if not r:
        return NONE
    return f"{len(r['examples'])} example(s) in {integer(round(r['seconds']))} s" + (" (forced)" if r["forced"] else "")


MACHINE_ROWS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("CPU", lambda m: m.get("cpu")),
    ("cores", lambda m: m.get("cores")),
    ("memory", lambda m: f"{m.get('memory_gib')} GiB"),
    ("OS", lambda m: m.get("os")),
    ("Python", lambda m: m.get("python")),
    ("TensorFlow", lambda m: m.get("tensorflow")),
    ("Keras", lambda m: m.get("keras")),
    ("oneDNN", lambda m: m.get("onednn")),
    ("GPU (driver)", _gpus),
    ("date of the last run", lambda m: m.get("date")),
    ("load average (1, 5, 15 min) at start → end", _loads),
    ("measured peak (float32 matmul)", _peak),
    ("last run", _last_run),
]


def machines(data: Data, arg: str = "") -> Markup:
    if not data.machines:
        return admonition("warning", html("No results stored yet: run {}.", RUN))
    keys = list(data.machines)
    rows = [[label, *(get(data.machines[k]["machine"]) for k in keys)] for label, get in MACHINE_ROWS]
    return scroll_region(table(["", *map(code, keys)], rows, numeric_from=len(keys) + 1), "machines")


def method(data: Data, arg: str = "") -> Markup:
    rows = []
    for key, stored in data.machines.items():
        runs = {
            (r["run"]["warmup"], r["run"]["repeats"], r["run"]["batch"])
            for r in stored["examples"].values()
            if r.get("run") and r.get("models")
        }
        rows += [[code(key), f"{w} (after the compiling call)", n, f"1 and {b}"] for w, n, b in sorted(runs)]
    return scroll_region(table(["machine", "untimed warm-up calls", "timed repeats", "batch sizes"], rows), "method")


def budget(data: Data, arg: str = "") -> Markup:
    rows = []
    for key, stored in data.machines.items():
        last = stored["machine"].get("last_run")
        total = sum(r.get("seconds", 0) for r in stored["examples"].values())
        rows.append(
            [
                code(key),
                len(stored["examples"]),
                f"{integer(round(total))} s",
                f"{integer(round(last['seconds']))} s" if last else NONE,
                last["forced"] if last else None,
            ]
        )
    head = ["machine", "examples stored", "sum of their run times", "last run, whole", "last run forced"]
    return scroll_region(table(head, rows), "run times")


# --- one example -----------------------------------------------------------------------------------------------


def _timing_cells(t: dict[str, Any] | None) -> list[Any]:
    if t is None:
        return [None, None, None]
    return [
        f"{milliseconds(t['median_s'])} ({milliseconds(t['iqr_s'])})",
        significant(t.get("gflops")),
        percent(t.get("fraction_of_peak")),
    ]


def timings_table(data: Data, name: str, model_index: int) -> Markup:
    keys = [k for k in data.machines if data.record(k, name)]
    head = ["measurement"]
    for k in keys:
        head += [html("{} median (IQR)", code(k)), "GFLOP/s", "of peak"]
    records = [data.record(k, name) for k in keys]
    rows = []
    for kind in records[0]["models"][model_index]["timings"] if records and records[0] else []:
        what, _, batch = kind.partition("_b")
        row: list[Any] = [f"{'forward pass' if what == 'forward' else 'training step'}, batch {batch}"]
        for rec in records:
            row += _timing_cells(rec["models"][model_index]["timings"].get(kind) if rec else None)
        rows.append(row)
    return scroll_region(table(head, rows), f"timings of {name}")


def check_table(model: dict[str, Any]) -> Markup:
    keras_layers = {layer["name"]: layer for layer in model["layers"]}
    rows: list[list[Any]] = []
    for row in model["calc"]["layers"]:
        kl = keras_layers[row["name"]]
        field = row["receptive_field"]
        rows.append(
            [
                html("{} ({})", code(row["name"]), row["class_name"]),
                keras_shape(kl["output_shape"]),
                kl["params"],
                row["macs"],
                pair(field["size"] if field else None),
            ]
        )
    t = model["calc"]["totals"]
    bold = "<strong>{}</strong>"
    rows.append(
        [
            html(bold, "total"),
            keras_shape(model["calc"]["output_shape"]),
            html(bold, integer(t["params"])),
            html(bold, integer(t["macs"])),
            "",
        ]
    )
    head = ["layer", "output shape (Keras = calc)", "params (Keras = calc)", "MACs (calc)", "receptive field (px)"]
    return scroll_region(table(head, rows), f"layers of {model['name']}")


def example_source(data: Data, name: str) -> Markup:
    """An example's title, text and code, without its results."""
    title, text, body = _source(data, name)
    return join([heading(3, title), text, code_block(body, "python", f"examples/{name}.py")])


def example(data: Data, name: str) -> Markup:
    """An example's title, text and code, what it printed, calc's figures and the timings on each machine."""
    parts = [example_source(data, name)]
    rec = data.first(name)
    if rec is None:
        parts.append(admonition("warning", html("No current result for this example: run {}.", RUN)))
    elif rec.get("error"):
        parts.append(html("<p>It fails, as expected, with {}. What Python printed:</p>", code(rec["error"]["type"])))
        parts.append(code_block(rec["error"]["traceback"], "pytb"))
    for i, model in enumerate(rec["models"] if rec and not rec.get("error") else []):
        parts += [
            html("<p>What {} printed for {}:</p>", code("model.summary()"), code(model["name"])),
            code_block(model["summary"]),
            Markup(
                "<p>calc agrees with Keras on every layer's output shape and parameter count (the run checks "
                "this and fails otherwise), and adds the multiply-accumulates (MACs) and the receptive field:</p>"
            ),
            check_table(model),
            Markup("<p>Measured on each machine:</p>"),
            timings_table(data, name, i),
        ]
    return join(parts)


# --- the sweep -------------------------------------------------------------------------------------------------


def sweep_rows(data: Data, machine: str) -> list[dict[str, Any]]:
    """One row per sweep model on one machine: variant, k (from calc's receptive field), widths, figures."""
    rows = []
    for example_name, variant in SWEEP.items():
        rec = data.record(machine, example_name)
        for model in rec["models"] if rec else []:
            rows.append(
                {
                    "variant": variant,
                    "k": model["calc"]["receptive_field"]["size"][0],
                    "c_in": model["layers"][0]["config"]["batch_shape"][-1],
                    "c_out": model["calc"]["output_shape"][-1],
                    "depth": sum(1 for layer in model["layers"] if layer["class_name"] != "InputLayer"),
                    "params": model["calc"]["totals"]["params"],
                    "flops": model["calc"]["totals"]["flops"],
                    "timings": model["timings"],
                    "name": model["name"],
                }
            )
    return rows


def _sweep_charts(by_machine: dict[str, list[dict[str, Any]]], width: tuple[int, int], big: str) -> Markup:
    charts = []
    for key, rows in by_machine.items():
        mine = [r for r in rows if (r["c_in"], r["c_out"]) == width]
        series = [
            (v, [(r["k"], r["timings"][big]["median_s"] * 1e3) for r in mine if r["variant"] == v])
            for v in SWEEP.values()
        ]
        label = f"{width[0]}→{width[1]} channels, {key}"
        chart = line_chart(
            series, "receptive field k (pixels)", f"forward pass, batch {big.split('_b')[1]} (ms)", label, y_log=True
        )
        charts.append(figure(chart, label))
    return html('<div class="kl-charts" style="display:flex;flex-wrap:wrap;gap:1rem">{}</div>', join(charts))


def _sweep_table(by_machine: dict[str, list[dict[str, Any]]], width: tuple[int, int], big: str, train: str) -> Markup:
    keys = list(by_machine)
    head: list[str] = ["k", "variant", "layers", "params", "MFLOPs / example"]
    for k in keys:
        head += [
            html("{} batch 1", code(k)),
            f"batch {big.split('_b')[1]}",
            f"train step {train.split('_b')[1]}",
            "GFLOP/s",
            "of peak",
        ]
    order = list(SWEEP.values())
    base = sorted(
        (r for r in by_machine[keys[0]] if (r["c_in"], r["c_out"]) == width),
        key=lambda r: (r["k"], order.index(r["variant"])),
    )
    rows = []
    for r in base:
        row: list[Any] = [f"{r['k']}×{r['k']}", r["variant"], r["depth"], r["params"], significant(r["flops"] / 1e6)]
        for k in keys:
            other = next((o for o in by_machine[k] if o["name"] == r["name"]), None)
            t = other["timings"] if other else None
            row += (
                [
                    milliseconds(t["forward_b1"]["median_s"]),
                    milliseconds(t[big]["median_s"]),
                    milliseconds(t[train]["median_s"]),
                    significant(t[big].get("gflops")),
                    percent(t[big].get("fraction_of_peak")),
                ]
                if t
                else [None] * 5
            )
        rows.append(row)
    return scroll_region(table(head, rows, numeric_from=2), f"sweep, {width[0]} to {width[1]} channels")


def sweep(data: Data, arg: str = "") -> Markup:
    by_machine = {k: rows for k in data.machines if (rows := sweep_rows(data, k))}
    if not by_machine:
        return admonition("warning", html("No current sweep results: run {}.", RUN))
    base = next(iter(by_machine.values()))
    kinds = list(base[0]["timings"])
    big = next(kind for kind in kinds if kind.startswith("forward_b") and kind != "forward_b1")
    train = next(kind for kind in kinds if kind.startswith("train"))
    parts: list[Markup] = []
    first = data.first("sweep_single")
    if first:
        h, w = first["models"][0]["layers"][0]["config"]["batch_shape"][1:3]
        parts.append(
            html(
                "<p>Input {}×{}, 'valid' padding; times are medians. GFLOP/s and the fraction of the "
                "machine's measured peak are for the batch-{} forward pass, from calc's FLOPs (two per "
                "MAC).</p>",
                h,
                w,
                big.split("_b")[1],
            )
        )
    widths: Iterable[tuple[int, int]] = sorted({(r["c_in"], r["c_out"]) for r in base}, key=lambda w: (w[0] != 3, w[1]))
    for width in widths:
        parts += [
            heading(4, f"{width[0]} → {width[1]} channels"),
            _sweep_charts(by_machine, width, big),
            _sweep_table(by_machine, width, big, train),
        ]
    return join(parts)


# Figures by marker name (data-figure); each takes this build's stored results and the marker's data-arg.
FIGURES: dict[str, Callable[[Data, str], Markup]] = {
    "example": example,
    "example_source": example_source,
    "example_machines": machines,
    "example_method": method,
    "example_budget": budget,
    "example_sweep": sweep,
}
