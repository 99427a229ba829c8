"""The effective-field page's measured figures, from results/effective_field.json (scripts/examples/effective_field.py).

``<div data-figure="effective_field_measured"></div>`` shows the article's two designs measured in Keras (heat maps
on one colour scale, per-axis profiles beside the equal-weight ones calc computes) and a table of every run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kernel_lab.charts import figure, heat_map, line_chart
from kernel_lab.code import kernel_variant_names
from kernel_lab.html import Markup, html, join, scroll_region, table
from kernel_lab_mkdocs.store import Data, load_effective_field

__all__ = ["FIGURES", "RESULTS", "article_run", "effective_field_measured", "sqrt_path_std"]

RESULTS = Path(__file__).resolve().parents[2] / "results" / "effective_field.json"
ARTICLE = {"7x7": "one 7×7 Conv2D", "3x3_stack": "three stacked 3×3 Conv2D"}
SWEEP = ("single", "stacked", "factorized", "separable")  # in the order of kernel_variant_names
ORDER = (*ARTICLE, *SWEEP)
DEFAULT = ("relu", "glorot_uniform")  # what a Keras model gets unless told otherwise: ReLU between, Glorot uniform


def _name(run: dict[str, Any]) -> str:
    if run["architecture"] in ARTICLE:
        return ARTICLE[run["architecture"]]
    return kernel_variant_names(run["k"])[SWEEP.index(run["architecture"])]


def _std(values: list[float]) -> str:
    return f"{values[0]:.2f}" if f"{values[0]:.2f}" == f"{values[1]:.2f}" else f"{values[0]:.2f} × {values[1]:.2f}"


def sqrt_path_std(counts: Sequence[int]) -> float:
    """The standard deviation, in pixels, of a per-axis profile weighted by the square root of the path counts.

    With random weights of either sign the contributions of a pixel's paths partly cancel: their sum is expected
    to grow like the square root of their number, not like the number. This predicts the measured spread of a
    stack from its path counts alone, e.g. three 3×3 layers (1 3 6 7 6 3 1 paths per axis):

    >>> round(sqrt_path_std([1, 3, 6, 7, 6, 3, 1]), 3)
    1.681
    """
    weights = [math.sqrt(c) for c in counts]
    centre = sum(i * w for i, w in enumerate(weights)) / sum(weights)
    return math.sqrt(sum(w * (i - centre) ** 2 for i, w in enumerate(weights)) / sum(weights))


def article_run(runs: list[dict[str, Any]], architecture: str) -> dict[str, Any]:
    """The run of one of the article's two designs ("7x7", "3x3_stack") with Keras's defaults."""
    return next(
        r
        for r in runs
        if r["group"] == "article"
        and r["architecture"] == architecture
        and (r["activation"], r["initializer"]) == DEFAULT
    )


def _maps(runs: list[dict[str, Any]]) -> Markup:
    shown = [article_run(runs, "7x7"), article_run(runs, "3x3_stack")]
    top = max(max(max(row) for row in r["map"]) for r in shown)  # one colour scale for both
    maps = [heat_map(r["map"], f"{_name(r)}: measured, standard deviation {_std(r['std'])} pixels", top) for r in shown]
    return html('<div class="kl-side">{}</div>', join(maps))


def _profiles(runs: list[dict[str, Any]]) -> Markup:
    series = []
    for architecture in ("7x7", "3x3_stack"):
        run = article_run(runs, architecture)
        rows = run["profile"][0]
        centre = (len(rows) - 1) / 2
        counts = run["computed"]["counts"][0]
        name = {"7x7": "7×7", "3x3_stack": "3×3 stack"}[architecture]
        series.append((f"{name}, measured", [(i - centre, p) for i, p in enumerate(rows)]))
        series.append((f"{name}, equal weights", [(i - centre, c / sum(counts)) for i, c in enumerate(counts)]))
    chart = line_chart(series, "input row, from the centre of the field", "share of the weight", "Per-axis profiles")
    return figure(
        chart,
        "Per axis, the share of the gradient each input row carries: measured in Keras (ReLU between the layers, "
        "Keras's default initialiser) against the path counts with equal weights that calc computes.",
    )


def _table(runs: list[dict[str, Any]]) -> Markup:
    rows = [
        (
            _name(r),
            r["activation"],
            r["initializer"],
            _std(r["std"]),
            _std([sqrt_path_std(counts) for counts in r["computed"]["counts"]]),
            _std(r["computed"]["std"]),
        )
        for r in sorted(
            runs, key=lambda r: (r["group"] != "article", r["k"], [*ARTICLE, *SWEEP].index(r["architecture"]))
        )
    ]
    head = (
        "Layers",
        "Between layers",
        "Initialiser",
        "Std, measured (pixels)",
        "Std, √ paths (pixels)",
        "Std, equal weights (pixels)",
    )
    runs_table = table(head, rows, "Every measured run, per axis (rows × columns where they differ)")
    return html(
        '<details class="kl-details"><summary>Every measured run, with its spreads</summary>{}</details>',
        scroll_region(runs_table, "runs"),
    )


def effective_field_measured(data: Data | None = None, arg: str = "") -> Markup:
    """Heat maps, profiles and the table of every run, with how they were measured."""
    recorded = load_effective_field(RESULTS)
    if recorded is None:
        return Markup('<p class="kl-note">No measurement has been recorded yet.</p>')
    runs = recorded["runs"]
    first = runs[0]
    note = html(
        '<p class="kl-note">Measured {} with TensorFlow {} and Keras {} on {} ({} cores): |∂ output / ∂ input| of '
        "the central output unit, averaged over {} random initialisations × {} random inputs each, {} filters per "
        "layer, seeds stored with the results.</p>",
        recorded["date"][:10], recorded["versions"]["tensorflow"], recorded["versions"]["keras"],
        recorded["machine"]["cpu"], recorded["machine"]["cores"], first["trials"], first["batch"],
        recorded["method"]["filters"],
    )  # fmt: skip
    return join([_maps(runs), _profiles(runs), note, _table(runs)])


FIGURES: dict[str, Callable[[Data, str], Markup]] = {"effective_field_measured": effective_field_measured}
