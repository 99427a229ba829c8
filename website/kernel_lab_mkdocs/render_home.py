"""The home page's answer: every number in it computed by calc or read from a stored record in results/, rounded
here, plus the picture and the form beside it.

Inside a sentence, ``<span data-figure="fact" data-arg="NAME"></span>`` becomes
``<span class="kl-num" data-fact="NAME">0.55×</span>``, NAME a key of :func:`facts` (any page may quote one).
``<div data-figure="answer_profile"></div>`` draws one 7×7 layer's flat profile against three stacked 3×3 layers'
bell; ``<div data-figure="answer_compare"></div>`` is a form that opens the comparison calculator with the
reader's own input shape and filters in its URL (no script: the browser puts them in the query string).

Times are the medians of the timing record (results/<machine>/timing.json, the first machine by key) at batch
:data:`BATCH`; their intervals and verdicts stay on the speed page.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import calc
from calc.text import integer, nbytes, percent, shape
from kernel_lab import calculators
from kernel_lab.applications import CONFIG_FOLDER
from kernel_lab.charts import figure, line_chart
from kernel_lab.html import Markup, html, join
from kernel_lab_mkdocs import render_effective
from kernel_lab_mkdocs.render_timing import find_ratio
from kernel_lab_mkdocs.store import Data, load_effective_field

__all__ = [
    "BATCH",
    "FIGURES",
    "MEASURED",
    "TIMES",
    "Fact",
    "answer_compare",
    "answer_profile",
    "facts",
    "rounded",
    "stack_rule",
    "stem_context",
]

ROOT = Path(__file__).resolve().parents[2]
BATCH = 8  # the batch whose times the answer quotes
MID = (56, 56, 64)  # a layer inside a network: as many filters as input channels
STEM_INPUT = (224, 224, 3)
Spec = tuple[int, int, int]  # filters, kernel size, stride
STEM_SINGLE: tuple[Spec, ...] = ((64, 7, 2),)  # ResNet's stem
STEM_STACK: tuple[Spec, ...] = ((32, 3, 2), (32, 3, 1), (64, 3, 1))  # ResNet-C's (He et al., Bag of Tricks, 2019)
RESNET = "ResNet50"  # the whole network the stem is weighed in, as keras.applications builds it
RESNET_STEM = "conv1_conv"
COMPARE = "kernel_compare"  # the comparison calculator, and the page that holds it
COMPARE_FIELDS = ("input_shape", "filters")


# The measured ratios the answer quotes: fact name -> 'SHAPE/bB/MODE/A/B' in the timing record (B: BATCH).
TIMES = {
    "mid_time": "56x56x64/bB/forward/stacked/single",
    "mid_train_time": "56x56x64/bB/train/stacked/single",
    "stem_time": "stem/bB/forward/stacked/single",
    "separable_time": "56x56x64/bB/forward/separable/single",
    "separable_3x3_time": "56x56x64/bB/forward/separable/separable_3x3",
    "separable_3x3_train_time": "56x56x64/bB/train/separable/separable_3x3",
}
# Facts that exist only once a measurement is stored (the others are computed and always there).
MEASURED = {*TIMES, "kept_ratio", "kept_stack", "kept_single", "batch", "mid_shape"} | {
    "std_single_measured",
    "std_stack_measured",
}


@dataclass(frozen=True)
class Fact:
    """A number the answer quotes: its exact value and the text shown, rounded."""

    value: float
    text: str


def rounded(v: float, unit: str = "×") -> str:
    """Two significant digits, trailing zeros dropped: 0.5519 -> '0.55×', 3.03 -> '3×', 0.0632 -> '0.063×'."""
    return f"{v:.2g}{unit}"


def chain(input_shape: Sequence[int], specs: Sequence[Spec]) -> list[calc.LayerInfo]:
    """Conv2D layers (filters, kernel, stride), padding 'same', bias on, each reading the one before."""
    layers: list[calc.LayerInfo] = []
    shape: tuple[int | None, ...] = tuple(input_shape)
    for filters, k, s in specs:
        layers.append(calc.conv2d(shape, filters, k, strides=s, padding="same"))
        shape = layers[-1].output_shape
    return layers


def _total(layers: Sequence[calc.LayerInfo], key: str) -> int:
    return sum(getattr(layer, key) or 0 for layer in layers)


def stack_rule() -> dict[str, int]:
    """The weights of three 3×3 layers C→K→K→K against one 7×7 layer C→K, from calc (bias off, one channel and
    one filter): a·C·K + b·K² against c·C·K. The stack has fewer while b·K² < (c − a)·C·K, i.e. K < (c − a)·C / b;
    MACs (stride 1, padding 'same') are these weights times the output's area, so the same rule holds for them."""

    def weights(k: int) -> int:
        return calc.conv2d((7, 7, 1), 1, k, padding="same", use_bias=False).params

    a, c = weights(3), weights(7)
    b = 2 * weights(3)  # the second and third 3×3 layers, each K×K channel pairs
    return {"a": a, "b": b, "c": c, "gap": c - a}


@cache
def _resnet() -> dict[str, Any]:
    path = ROOT / "docs" / CONFIG_FOLDER / f"{RESNET}.json.gz"
    config: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    return config


def stem_context() -> dict[str, int]:
    """ResNet-50's multiply-adds per image (calc, keras.applications' config), its 7×7 stem's, and ResNet-C's
    three 3×3 layers' in the stem's place."""
    summary = calc.summarize(_resnet()).to_dict()
    stem = next(layer for layer in summary["layers"] if layer["name"] == RESNET_STEM)
    return {
        "total": summary["totals"]["macs"],
        "stem": stem["macs"],
        "stack": _total(chain(STEM_INPUT, STEM_STACK), "macs"),
    }


def _measured() -> dict[str, dict[str, Any]]:
    """The measured effective fields of one 7×7 layer ("single") and three 3×3 layers ("stack"), Keras's
    defaults; none before a measurement is stored."""
    recorded = load_effective_field(render_effective.RESULTS)
    if recorded is None:
        return {}
    runs = recorded["runs"]
    return {name: render_effective.article_run(runs, a) for name, a in (("single", "7x7"), ("stack", "3x3_stack"))}


def _time(data: Data, pointer: str) -> Fact | None:
    if not data.timings:
        return None
    _, _, r = find_ratio({k: data.timings[k] for k in sorted(data.timings)[:1]}, pointer)
    return Fact(r["median"], rounded(r["median"]))


def facts(data: Data) -> dict[str, Fact]:
    """Every number the answer quotes, by name."""
    mid_single, mid_stack = chain(MID, ((MID[2], 7, 1),)), chain(MID, ((MID[2], 3, 1),) * 3)
    separable = [calc.separable_conv2d(MID, MID[2], k, padding="same") for k in (7, 3)]
    stem_single, stem_stack = chain(STEM_INPUT, STEM_SINGLE), chain(STEM_INPUT, STEM_STACK)
    stem_field = calc.receptive_field(stem_stack)
    assert stem_field is not None
    rule = stack_rule()
    net = stem_context()
    single7, stack3 = (calc.effective_receptive_field(c) for c in (mid_single, mid_stack))

    def ratio(a: float, b: float) -> Fact:
        return Fact(a / b, rounded(a / b))

    def whole(v: int) -> Fact:
        return Fact(v, integer(v))

    out = {
        "mid_weights": ratio(_total(mid_stack, "params"), _total(mid_single, "params")),
        "mid_macs": ratio(_total(mid_stack, "macs"), _total(mid_single, "macs")),
        "stem_macs": ratio(_total(stem_stack, "macs"), _total(stem_single, "macs")),
        "stem_field": whole(stem_field.size[0]),
        "stem_stride": whole(STEM_SINGLE[0][2]),
        "stem_nonlinearities": whole(len(stem_stack) - len(stem_single)),
        "resnet_stem_share": Fact(net["stem"] / net["total"], percent(net["stem"] / net["total"])),
        "resnet_swap": Fact(
            (net["stack"] - net["stem"]) / net["total"], percent((net["stack"] - net["stem"]) / net["total"])
        ),
        "resnet_macs": Fact(net["total"], f"{net['total'] / 1e9:.2f} billion"),
        "separable_vs_conv": ratio(separable[0].macs or 0, _total(mid_single, "macs")),
        "separable_vs_3x3": ratio(separable[0].macs or 0, separable[1].macs or 0),
        "rule_a": whole(rule["a"]),
        "rule_b": whole(rule["b"]),
        "rule_c": whole(rule["c"]),
        "rule_gap": whole(rule["gap"]),
        "rule_ratio": Fact(rule["gap"] / rule["b"], f"{rule['gap'] / rule['b']:.1f}"),
        "one_channel_stack": whole(_total(chain((7, 7, 1), ((1, 3, 1),) * 3), "params") - 3),  # weights, no bias
        "std_single": Fact(single7.std[0], f"{single7.std[0]:.2f}"),
        "std_stack": Fact(stack3.std[0], f"{stack3.std[0]:.2f}"),
        "std_stack_sqrt_paths": Fact(
            render_effective.sqrt_path_std(stack3.counts[0]), f"{render_effective.sqrt_path_std(stack3.counts[0]):.2f}"
        ),
    }
    for name, run in _measured().items():
        out[f"std_{name}_measured"] = Fact(run["std"][0], f"{run['std'][0]:.2f}")
    for name, pointer in TIMES.items():
        found = _time(data, pointer.replace("bB", f"b{BATCH}"))
        if found is not None:
            out[name] = found
    if data.timings:
        _, group, _ = find_ratio(data.timings, f"56x56x64/b{BATCH}/train/stacked/single")
        kept = {n: group["variants"][n]["computed"]["kept_bytes"] for n in ("stacked", "single")}
        out["kept_ratio"] = ratio(kept["stacked"], kept["single"])
        out["kept_stack"] = Fact(kept["stacked"], nbytes(kept["stacked"]))
        out["kept_single"] = Fact(kept["single"], nbytes(kept["single"]))
        out["batch"] = whole(BATCH)
        out["mid_shape"] = Fact(math.prod(group["input_shape"]), shape(group["input_shape"]))
    return out


_facts: list[tuple[Data, dict[str, Fact]]] = []  # this build's facts, with the Data they were computed from


def fact(data: Data, name: str) -> Markup:
    """One number of the answer inline, marked with its name so that a test can recompute it."""
    if not _facts or _facts[0][0] is not data:  # a new build (mkdocs serve) reads the results again
        _facts[:] = [(data, facts(data))]
    found = _facts[0][1].get(name)
    if found is None:
        if name not in MEASURED:
            raise KeyError(name)  # a name no fact has: the hook stops the build, naming the page
        return html('<span class="kl-num" data-fact="{}">{}</span>', name, "not measured yet")
    return html('<span class="kl-num" data-fact="{}">{}</span>', name, found.text)


def answer_profile(data: Data | None = None, arg: str = "") -> Markup:
    """Per axis, the weight each input pixel carries with equal weights: one 7×7 layer against three 3×3."""
    series = []
    for name, layers in (
        ("one 7×7", chain(MID, ((MID[2], 7, 1),))),
        ("three 3×3", chain(MID, ((MID[2], 3, 1),) * 3)),
    ):
        field = calc.effective_receptive_field(layers)
        centre = (field.size[0] - 1) / 2
        series.append((name, [(i - centre, p) for i, p in enumerate(field.profile[0])]))
    chart = line_chart(
        series,
        "input pixel, from the centre of the 7×7 patch",
        "share of the weight",
        "How one 7×7 layer and three stacked 3×3 layers weigh the pixels of their 7×7 patch, per axis",
    )
    return figure(
        chart,
        "Both see the same 7×7 patch. With equal weights and no activation, one 7×7 layer gives every pixel the "
        "same share; three 3×3 layers reach the centre by many paths and the corners by one, a bell (computed).",
    )


def answer_compare(data: Data | None = None, arg: str = "compare/") -> Markup:
    """A plain GET form to the comparison calculator at ``arg`` (its URL relative to the page): the calculator's own
    input shape and filters fields, so that the URL it opens carries the reader's values as the calculator reads
    them."""
    specs = {spec.name: spec for spec in calculators.inputs(COMPARE)}
    fields = []
    for name in COMPARE_FIELDS:
        spec = specs[name]
        fid = f"answer-{name}"
        fields.append(
            html(
                '<div class="kl-field"><label for="{}">{}</label><input type="text" id="{}" name="{}" value="{}" '
                'autocomplete="off"></div>',
                fid,
                spec.label,
                fid,
                name,
                spec.default,
            )
        )
    return html(
        '<form class="kl-form kl-answer-form" method="get" action="{}" aria-label="Your own layer">{}'
        '<div class="kl-field"><button type="submit" class="kl-button">Compare</button></div></form>',
        arg or "compare/",
        join(fields),
    )


FIGURES: dict[str, Callable[[Data, str], Markup]] = {
    "fact": fact,
    "answer_profile": answer_profile,
    "answer_compare": answer_compare,
}
