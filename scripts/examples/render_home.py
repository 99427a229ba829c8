"""The home page's decision guide, from the stored timing record results/<machine>/timing.json (written by
scripts/examples/timing.py; its statistics in scripts/examples/stats.py).

Three cases, one line each: a stack of 3×3 layers inside a network, one large strided kernel at the stem, a large
depthwise kernel. Each line quotes, for one timing group (shape and batch, named on the page), the measured time
ratio of a forward pass and of a training step with its 95 % interval and verdict, and the memory a training step
keeps as calc computed it. ``<div data-figure="home_guide"></div>`` shows the first machine (by key) that has a
timing record; ``data-arg="<machine key>"`` names one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from calc.text import nbytes, percent, shape
from kernel_lab.html import Markup, html, join
from scripts.examples import stats
from scripts.examples.render_timing import find_ratio, ratio_texts
from scripts.examples.store import Data

__all__ = ["BATCH", "FIGURES", "GUIDE", "Case", "describe", "guide", "home_guide"]

BATCH = 8  # the batch every line quotes
MODES = ("forward", "train")


@dataclass(frozen=True)
class Case:
    """One line of the guide: when to choose what, and the timing group's ratios (a's time over b's) behind it."""

    title: str
    shape: str  # the group's "shape" in timing.json
    pairs: tuple[tuple[str, str], ...]


GUIDE = (
    Case("Inside a network: a stack of 3×3 layers", "56x56x64", (("stacked", "single"),)),
    Case("At the stem: one large kernel with a stride", "stem", (("stacked", "single"),)),
    Case(
        "For a large field at little cost: a large depthwise kernel",
        "56x56x64",
        (("separable", "single"), ("separable", "separable_3x3")),
    ),
)


def describe(layers: Sequence[Sequence[Any]]) -> str:
    """A variant's Keras layers as text, runs of identical layers counted, others joined by ' + ':
    [["Conv2D", {"filters": 64, "kernel_size": 3, ...}]] * 3 -> '3 × Conv2D 3×3 → 64'; a stride shows as '3×3/2'."""
    parts = []
    for cls, config in layers:
        k = config["kernel_size"]
        kh, kw = (k, k) if isinstance(k, int) else k
        s = config.get("strides", 1)
        stride = "" if s in (1, [1, 1]) else f"/{s if isinstance(s, int) else s[0]}"
        parts.append(f"{cls} {kh}×{kw}{stride} → {config['filters']}")
    runs = [(part, len(list(run))) for part, run in groupby(parts)]
    return " + ".join(part if n == 1 else f"{n} × {part}" for part, n in runs)


def _ratio(record: dict[str, Any], shape_name: str, mode: str, a: str, b: str) -> tuple[dict[str, Any], stats.Ratio]:
    """The timing group SHAPE/bBATCH/MODE and its ratio a/b as a stats.Ratio (verdicts are drawn by stats)."""
    _, group, r = find_ratio({"": record}, f"{shape_name}/b{BATCH}/{mode}/{a}/{b}")
    return group, stats.Ratio(r["median"], r["low"], r["high"], group["rounds"])


def _timed(r: stats.Ratio) -> tuple[str, Markup]:
    """The ratio and its bracket: ('0.60×', '(95 % interval 0.59× to 0.61×: faster)'). No direction is given for
    an interval that contains 1 ('within noise') or is wider than stats.HALF_WIDTH_LIMIT either side."""
    call = stats.verdict(r) if r.precise else f"too wide to call, ± {percent(r.half_width)}"
    median, low, high = ratio_texts(r.median, r.low, r.high)
    return median, html('<span class="kl-interval">(95 % interval {} to {}: {})</span>', low, high, call)


def _kept(train: dict[str, Any], names: Sequence[str]) -> Markup:
    kept = {n: train["variants"][n]["computed"]["kept_bytes"] for n in names}
    if len(set(kept.values())) == 1:
        return html("keeps {} of activations with each (computed)", nbytes(next(iter(kept.values()))))
    parts = [html("{} with {}", nbytes(v), describe(train["variants"][n]["layers"])) for n, v in kept.items()]
    return html("keeps {} (computed)", join(parts, " against "))


def _line(record: dict[str, Any], case: Case) -> Markup:
    sentences, ids = [], []
    for a, b in case.pairs:
        (forward, rf), (train, rt) = (_ratio(record, case.shape, mode, a, b) for mode in MODES)
        (fm, fi), (tm, ti) = _timed(rf), _timed(rt)
        va, vb = (describe(train["variants"][n]["layers"]) for n in (a, b))
        sentences.append(
            html("{}: {} the time of {} in a forward pass {}, {} in a training step {}.", va, fm, vb, fi, tm, ti)
        )
        ids = [forward["id"], train["id"]]
    where = f"{shape(train['input_shape'])} → {train['filters']} filters"
    if train["strides"] != 1:
        where += f", stride {train['strides']}"
    names = list(dict.fromkeys(n for pair in case.pairs for n in pair))
    return html(
        '<li data-groups="{}"><strong>{}.</strong> {}, batch {}. {} A training step {}.</li>',
        " ".join(ids),
        case.title,
        where,
        BATCH,
        join(sentences, " "),
        _kept(train, names),
    )


def guide(record: dict[str, Any]) -> Markup:
    """The decision guide for one machine's timing record (a dict as timing.json holds it)."""
    m = record["machine"]
    note = html(
        '<p class="kl-note">Measured on {} ({} cores, machine <code>{}</code>) on {}, batch {}. Each time is a '
        "ratio: the median of per-round ratios (in every round both variants ran, one right after the other), with "
        "its 95 % bootstrap interval; a direction is given only where the interval excludes 1× and reaches at most "
        "{} either side. "
        "Memory is computed by calc: the float32 activations a training step keeps, the input and every Keras "
        "layer's output over the whole batch, and a SeparableConv2D's depthwise output too.</p>",
        m["cpu"],
        m["cores"],
        m["key"],
        str(record["date"])[:10],
        BATCH,
        percent(stats.HALF_WIDTH_LIMIT),
    )
    lines = join(_line(record, case) for case in GUIDE)
    return html('<ul class="kl-guide">{}</ul>{}', lines, note)


def home_guide(data: Data, arg: str = "") -> Markup:
    """The guide from results/<arg>/timing.json, or from the first machine (by key) that has one."""
    records = data.timings
    if arg and arg not in records:
        raise ValueError(f"no timing record for machine {arg!r}")
    if not records:
        return Markup('<p class="kl-note">No timing has been recorded on any machine yet.</p>')
    return guide(records[arg or min(records)])


FIGURES: dict[str, Callable[[Data, str], Markup]] = {"home_guide": home_guide}
