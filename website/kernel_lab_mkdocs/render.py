"""The Examples page's figures, rendered from the stored results as HTML: the machines, each example with what it
printed and calc's figures, the article's examples as written beside their modern form, and the sweep's figures.

A page asks for one with the site's marker, ``<div data-figure="example" data-arg="article_7x7"></div>``;
the kernel-lab plugin puts the figure in its place. :data:`FIGURES` names them. Only results that match the
current example source are shown (:class:`~scripts.examples.store.Data`).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown
from markdown.extensions.toc import slugify

from calc.text import NONE, integer, keras_shape, pair, significant
from kernel_lab.charts import figure, line_chart
from kernel_lab.html import Markup, html, join, scroll_region, table
from kernel_lab_mkdocs.store import Data

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


def folded(summary: str | Markup, *content: Markup) -> Markup:
    """Content a reader opens when they want it, under a one-line summary (a <details> block)."""
    return html('<details class="kl-details"><summary>{}</summary>{}</details>', summary, join(content))


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


# --- the machines ----------------------------------------------------------------------------------------------


def _gpus(m: dict[str, Any]) -> str:
    return ", ".join(f"{g['name']} ({g['driver']})" for g in m.get("gpus") or []) or "none"


def _loads(m: dict[str, Any]) -> str:
    start, end = (", ".join(map(significant, m.get(key) or [])) for key in ("loadavg", "loadavg_end"))
    return f"{start} → {end}"


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
    ("last run", _last_run),
]


def machines(data: Data, arg: str = "") -> Markup:
    """Each machine in one line (CPU, cores, TensorFlow and Keras), and folded below it the whole table."""
    if not data.machines:
        return admonition("warning", html("No results stored yet: run {}.", RUN))
    keys = list(data.machines)
    rows = [[label, *(get(data.machines[k]["machine"]) for k in keys)] for label, get in MACHINE_ROWS]
    lines = []
    for k in keys:
        m = data.machines[k]["machine"]
        gpus = _gpus(m)
        lines.append(
            html(
                "{}: {}, {} cores{}, TensorFlow {}, Keras {}",
                code(k),
                m.get("cpu"),
                m.get("cores"),
                html(", {}", gpus) if gpus != "none" else "",
                m.get("tensorflow"),
                m.get("keras"),
            )
        )
    whole = scroll_region(table(["", *map(code, keys)], rows, numeric_from=len(keys) + 1), "machines")
    return join([html("<p>{}.</p>", join(lines, "; ")), folded("Everything recorded about the machine", whole)])


# --- one example -----------------------------------------------------------------------------------------------


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


CALC_AGREES = Markup(
    "<p>calc agrees with Keras on every layer's output shape and parameter count (the run checks this and fails "
    "otherwise), and adds the multiply-accumulates (MACs) and the receptive field:</p>"
)


def example_source(data: Data, name: str) -> Markup:
    """An example's title, text and code, without its results."""
    title, text, body = _source(data, name)
    return join([heading(3, title), text, code_block(body, "python", f"examples/{name}.py")])


def warnings_raised(rec: dict[str, Any]) -> list[Markup]:
    """The warnings a run raised, as Python prints them, each with the script's line that led to it; and anything
    else the script wrote to stderr."""
    parts = []
    for w in rec.get("warnings") or []:
        where = (
            html(
                " at line {} of {}, {}",
                w["example_line"],
                code(f"examples/{rec['example']}.py"),
                code(w["example_code"]),
            )
            if w.get("example_line")
            else ""
        )
        parts.append(html("<p>It raised a {}{}. As Python prints it on stderr:</p>", code(w["category"]), where))
        parts.append(code_block(w["text"]))
    if (rec.get("stderr") or "").strip():
        parts += [Markup("<p>It also wrote to stderr:</p>"), code_block(rec["stderr"])]
    return parts


def summary_printed(rec: dict[str, Any], model: dict[str, Any]) -> list[Markup]:
    """What ``model.summary()`` printed for one model, with the machine and the Keras version it ran on."""
    intro = html(
        "<p>What {} printed for {} ({}, Keras {}):</p>",
        code("model.summary()"),
        code(model["name"]),
        code(rec["machine"]),
        rec["keras"],
    )
    return [intro, code_block(model["summary"])]


def printed(rec: dict[str, Any]) -> list[Markup]:
    """What a run printed: its warnings, then each model's summary."""
    return warnings_raised(rec) + [p for model in rec["models"] for p in summary_printed(rec, model)]


def first_sentence(text: str) -> str:
    """A message's first sentence, without its full stop: 'Do not pass X. When using Y, ...' -> 'Do not pass X'."""
    return text.partition(". ")[0].strip().removesuffix(".")


def model_figures(model: dict[str, Any]) -> Markup:
    """'163,696 parameters, output (None, 28, 28, 256)': calc's figures, which Keras's agree with."""
    c = model["calc"]
    return html("{} parameters, output {}", integer(c["totals"]["params"]), keras_shape(c["output_shape"]))


def outcome(rec: dict[str, Any]) -> Markup:
    """What came of running a script, in a phrase: 'stops with NameError: ...', 'builds, with a UserWarning: ...',
    'builds without a warning'."""
    if rec.get("error"):
        return html("stops with {}", code(f"{rec['error']['type']}: {first_sentence(rec['error']['message'])}"))
    warnings = rec.get("warnings") or []
    if not warnings:
        return Markup("builds without a warning")
    w = warnings[0]
    more = html(" (and {} more)", len(warnings) - 1) if len(warnings) > 1 else ""
    return html("builds, with a {}{}: “{}”", code(w["category"]), more, first_sentence(w["message"]))


def result(text: Markup) -> Markup:
    """The line a reader sees first under an example's title: what came of it."""
    return html('<p class="kl-example-result"><strong>Result:</strong> {}</p>', text)


def example(data: Data, name: str) -> Markup:
    """An example's title and what came of it; folded below: its text and code, then what it printed and calc's
    figures."""
    title, text, body = _source(data, name)
    parts = [heading(3, title)]
    rec = data.first(name)
    source = folded("What the script does, and its code", text, code_block(body, "python", f"examples/{name}.py"))
    if rec is None:
        parts += [admonition("warning", html("No current result for this example: run {}.", RUN)), source]
    elif rec.get("error"):
        parts += [result(html("it {}, as expected.", outcome(rec))), source]
        parts.append(folded("What Python printed", code_block(rec["error"]["traceback"], "pytb")))
    else:
        built = join((html("{} ({})", code(m["name"]), model_figures(m)) for m in rec["models"]), "; ")
        parts += [result(html("it {}: {}.", outcome(rec), built)), source]
        printed_parts = warnings_raised(rec)
        for model in rec["models"]:
            printed_parts += [*summary_printed(rec, model), CALC_AGREES, check_table(model)]
        parts.append(folded("What it printed, and calc's figures layer by layer", *printed_parts))
    return join(parts)


# --- an example as the article wrote it, beside its modern form -----------------------------------------------


def same_model(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two checked models have the same layers (class, output shape, parameters, MACs, receptive field)
    in the same order, whatever their names."""

    def shape(model: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (r["class_name"], r["output_shape"], r["params"], r["macs"], r["receptive_field"])
            for r in model["calc"]["layers"]
        ]

    return shape(a) == shape(b) and a["calc"]["totals"] == b["calc"]["totals"]


def _column(label: str, name: str, body: str, rec: dict[str, Any] | None) -> Markup:
    parts = [html("<p><strong>{}</strong></p>", label), code_block(body, "python", f"examples/{name}.py")]
    if rec is None or rec.get("error"):
        parts.append(admonition("warning", html("No current result for this example: run {}.", RUN)))
    else:
        parts += printed(rec)
        if not rec.get("warnings"):
            parts.append(Markup("<p>No warnings.</p>"))
    return html('<div style="flex:1 1 26rem;min-width:0">{}</div>', join(parts))


def example_pair(data: Data, arg: str) -> Markup:
    """``arg`` = "AS_WRITTEN MODERN": the article's code run as written (its example's title and text), beside our
    modern form of it; the changes line by line; calc's figures, once, when both built the same model."""
    written, modern = arg.split()
    title, text, body = _source(data, written)
    modern_body = _source(data, modern)[2]
    recs = [data.first(written), data.first(modern)]
    columns = [
        _column("As the article wrote it", written, body, recs[0]),
        _column("Modernised (our rewrite)", modern, modern_body, recs[1]),
    ]
    diff = difflib.unified_diff(
        body.splitlines(), modern_body.splitlines(), f"examples/{written}.py", f"examples/{modern}.py", lineterm=""
    )
    found: Markup | None = None
    figures: list[Markup] = []
    if all(r and not r.get("error") for r in recs):
        a, b = recs[0]["models"], recs[1]["models"]  # type: ignore[index]
        if len(a) == len(b) == 1 and same_model(a[0], b[0]):
            field = b[0]["calc"]["receptive_field"]
            found = html(
                "as the article wrote it, it {}; modernised, it {}. Both forms build the same model, layer for "
                "layer: {}{}.",
                outcome(recs[0]),  # type: ignore[arg-type]
                outcome(recs[1]),  # type: ignore[arg-type]
                model_figures(b[0]),
                html(", each output pixel seeing {} pixels of the input", "×".join(map(str, field["size"])))
                if field
                else "",
            )
            figures = [CALC_AGREES, check_table(b[0])]
        else:
            figures = [admonition("warning", "The two forms build different models.")]
    parts = [heading(3, title), result(found) if found else Markup(""), text]
    parts.append(
        folded(
            "The code, as the article wrote it and modernised, and what each printed",
            html('<div class="kl-pair" style="display:flex;flex-wrap:wrap;gap:1rem">{}</div>', join(columns)),
        )
    )
    parts.append(folded("What changed, line by line", code_block("\n".join(diff), "diff")))
    if found:
        parts.append(folded("calc's figures, layer by layer", *figures))
    else:
        parts += figures
    return join(parts)


# --- the sweep -------------------------------------------------------------------------------------------------


def sweep_rows(data: Data) -> list[dict[str, Any]]:
    """One row per sweep model: variant, k (from calc's receptive field), widths, depth and calc's figures. calc's
    figures are the same on every machine, so the first machine with a current result gives them."""
    rows = []
    for example_name, variant in SWEEP.items():
        rec = data.first(example_name)
        for model in rec["models"] if rec else []:
            rows.append(
                {
                    "variant": variant,
                    "k": model["calc"]["receptive_field"]["size"][0],
                    "c_in": model["layers"][0]["config"]["batch_shape"][-1],
                    "c_out": model["calc"]["output_shape"][-1],
                    "depth": sum(1 for layer in model["layers"] if layer["class_name"] != "InputLayer"),
                    "params": model["calc"]["totals"]["params"],
                    "macs": model["calc"]["totals"]["macs"],
                    "name": model["name"],
                }
            )
    return rows


def _sweep_charts(rows: list[dict[str, Any]], width: tuple[int, int]) -> Markup:
    charts = []
    for key, what in (("params", "parameters"), ("macs", "MACs per image")):
        series = [(v, [(r["k"], r[key]) for r in rows if r["variant"] == v]) for v in SWEEP.values()]
        label = f"{what}, {width[0]}→{width[1]} channels"
        chart = line_chart(series, "receptive field k (pixels)", what, label, y_log=True)
        charts.append(figure(chart, label))
    return html('<div class="kl-charts" style="display:flex;flex-wrap:wrap;gap:1rem">{}</div>', join(charts))


def _sweep_table(rows: list[dict[str, Any]], width: tuple[int, int]) -> Markup:
    order = list(SWEEP.values())
    head = ["k", "variant", "layers", "params", "MACs per image"]
    body = [
        [f"{r['k']}×{r['k']}", r["variant"], r["depth"], r["params"], r["macs"]]
        for r in sorted(rows, key=lambda r: (r["k"], order.index(r["variant"])))
    ]
    return scroll_region(table(head, body, numeric_from=2), f"sweep, {width[0]} to {width[1]} channels")


def sweep(data: Data, arg: str = "") -> Markup:
    """The sweep's parameters and MACs against k, one section per channel width, from calc's stored figures."""
    rows = sweep_rows(data)
    if not rows:
        return admonition("warning", html("No current sweep results: run {}.", RUN))
    parts: list[Markup] = []
    first = data.first("sweep_single")
    if first:
        h, w = first["models"][0]["layers"][0]["config"]["batch_shape"][1:3]
        parts.append(html("<p>Input {}×{}, 'valid' padding; the charts' vertical axes are logarithmic.</p>", h, w))
    widths = sorted({(r["c_in"], r["c_out"]) for r in rows}, key=lambda w: (w[0] != 3, w[1]))
    for width in widths:
        mine = [r for r in rows if (r["c_in"], r["c_out"]) == width]
        parts += [
            heading(4, f"{width[0]} → {width[1]} channels"),
            _sweep_charts(mine, width),
            _sweep_table(mine, width),
        ]
    return join(parts)


# Figures by marker name (data-figure); each takes this build's stored results and the marker's data-arg.
FIGURES: dict[str, Callable[[Data, str], Markup]] = {
    "example": example,
    "example_source": example_source,
    "example_pair": example_pair,
    "example_machines": machines,
    "example_sweep": sweep,
}
