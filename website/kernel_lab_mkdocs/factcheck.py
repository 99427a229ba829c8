"""The Fact-check page: each checkable claim of the source article beside what calc computed for the stored
example runs, what the timing measurement measured, or what the published literature says, with a verdict.

The prose is in claims.toml; this module computes the numbers and the verdicts. Every number the page shows is
traced: an expression over JSON paths into results/<machine>/<file>.json (an example's record, or timing.json,
written by scripts/examples/timing.py), rendered as
    <span class="kl-num" data-expr="[...]" data-value="..." data-style="...">text</span>
so that a test can recompute each one from the stored data. What the article says is paraphrased inside
<span class="kl-claim">; its own numbers are the only ones there.

Timing verdicts: each timing group (shape, batch, forward or training step) gives one paired ratio with its
confidence interval (scripts/examples/stats.py). Only precise ratios count; the claim holds on a machine when
the claimed direction holds in every precise group, does not hold when it fails in every one, depends (on the
shape, the batch or the mode, named) when they disagree, and is within noise when no interval excludes 1.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calc.text import integer, milliseconds, percent, ratio
from kernel_lab.html import Markup, html, join, scroll_region, table
from kernel_lab_mkdocs import render_accuracy, stats
from kernel_lab_mkdocs.render import RUN, admonition, heading
from kernel_lab_mkdocs.store import Data, load_effective_field

__all__ = [
    "EVIDENCE",
    "Outcome",
    "claims",
    "depends_on",
    "evaluate",
    "load_claims",
    "machine_verdict",
    "resolve",
]

CLAIMS = Path(__file__).with_name("claims.toml")
TIMING = "timing"  # results/<machine>/timing.json, addressed as machine/timing/...
SHARED = ""  # results/<file>.json, beside the machines' folders, addressed as /file/... (the effective field)
EFFECTIVE = "effective_field"
ACCURACY = "accuracy"  # results/<machine>/accuracy.json (scripts/examples/accuracy.py)
DEFAULTS = ("relu", "glorot_uniform")  # what a Keras model gets unless told otherwise
HOLDS, FAILS, DEPENDS, NOISE, IMPRECISE = "holds", "fails", "depends", "noise", "imprecise"
PARTLY = "partly"
VERDICTS = {
    HOLDS: "holds",
    PARTLY: "holds in part",
    FAILS: "does not hold",
    DEPENDS: "depends",
    NOISE: "within noise",
    IMPRECISE: "too imprecise to count",
    "unchecked": "not checked here",
    "unmeasured": "not measured yet",
}
ATTRIBUTES = ("shape", "batch", "mode")  # what a timing verdict can depend on
A7, A3 = ("article_7x7", 0), ("article_3x3_stack", 0)
AS_WRITTEN = "article_7x7_as_written"
FIXED = ("inception_3_fixed", 0)
INCEPTION_STEPS = ("inception_0_as_written", "inception_1_input_defined", "inception_2_same_padding")
SWEEP_WIDTHS = ("c3_k64", "c32_k32", "c64_k64", "c128_k128", "c256_k256")

CONSTANTS = ("CONFIDENCE", "HALF_WIDTH_LIMIT", "IQR_LIMIT")  # the thresholds of stats.py a page may quote

# ["get"|"len", "machine/file/path/..."] | ["const", NAME] | ["add"|"sub"|"mul"|"div"|"gt", expr, ...]
# | ["count", expr, ...] (how many are non-zero; "gt" gives 1 or 0)
Expr = Any
Model = tuple[str, str | int]  # (example, model name or index)
Fields = dict[str, Any]


# --- traced numbers ---------------------------------------------------------------------------------------------


def resolve(results: Mapping[str, Mapping[str, Any]], pointer: str) -> Any:
    """Value at 'machine/file/key/index/...' in {machine: {file stem: record}}."""
    machine, example, *path = pointer.split("/")
    value: Any = results[machine][example]
    for part in path:
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def evaluate(results: Mapping[str, Mapping[str, Any]], expr: Expr) -> float:
    """An expression's value: "get" a stored number, "len" of a stored list, "const" a threshold of stats.py,
    arithmetic, "gt" (1 or 0) and "count" (how many of its arguments are non-zero)."""
    op, *args = expr
    if op == "get":
        return float(resolve(results, args[0]))
    if op == "len":
        return float(len(resolve(results, args[0])))
    if op == "const":
        if args[0] not in CONSTANTS:
            raise ValueError(f"not a threshold of stats.py: {args[0]!r}")
        return float(getattr(stats, args[0]))
    values = [evaluate(results, a) for a in args]
    if op == "gt":
        return float(values[0] > values[1])
    if op == "count":
        return float(sum(v != 0 for v in values))
    if op == "add":
        return sum(values)
    if op == "sub":
        return values[0] - values[1]
    if op == "mul":
        out = 1.0
        for v in values:
            out *= v
        return out
    if op == "div":
        return values[0] / values[1]
    raise ValueError(f"unknown operation {op!r}")


class Facts:
    """The stored results (every machine's example records and timing.json) and traced numbers built from them;
    example figures come from ``machine`` (calc's figures are the same on every machine)."""

    def __init__(self, data: Data, machine: str) -> None:
        self.data, self.machine = data, machine
        self.timings = data.timings
        self.results: dict[str, dict[str, Any]] = {k: dict(v["examples"]) for k, v in data.machines.items()}
        for key, timing in self.timings.items():
            self.results.setdefault(key, {})[TIMING] = timing
        for key, record in render_accuracy.load_records(data.examples_dir.parent / "results").items():
            self.results.setdefault(key, {})[ACCURACY] = record
        shared = data.examples_dir.parent / "results" / f"{EFFECTIVE}.json"
        if (recorded := load_effective_field(shared)) is not None:
            self.results[SHARED] = {EFFECTIVE: recorded}

    def model_path(self, example: str, model: str | int = 0) -> str:
        rec = self.data.record(self.machine, example)
        if rec is None:
            raise LookupError(f"no current result for {example} on {self.machine}")
        if isinstance(model, int):
            return f"{self.machine}/{example}/models/{model}"
        for i, m in enumerate(rec["models"]):
            if m["name"] == model:
                return f"{self.machine}/{example}/models/{i}"
        raise LookupError(f"no model {model} in {example}")

    def model(self, example: str, model: str | int) -> dict[str, Any]:
        found: dict[str, Any] = resolve(self.results, self.model_path(example, model))
        return found

    def get(self, example: str, model: str | int, path: str) -> Expr:
        return ["get", f"{self.model_path(example, model)}/{path}"]

    def value(self, expr: Expr) -> float:
        return evaluate(self.results, expr)

    def num(self, expr: Expr, style: str = "int") -> Markup:
        """A traced number: integer with separators, ratio (×), milliseconds, pixels (two decimals), percent, or 3
        significant digits."""
        v = self.value(expr)
        styles = {
            "int": lambda: integer(round(v)),
            "ratio": lambda: ratio(v),
            "ms": lambda: milliseconds(v),
            "px": lambda: f"{v:.2f}",
        }
        text = styles.get(style, lambda: percent(v) if style == "percent" else f"{v:.3g}")()
        return html(
            '<span class="kl-num" data-expr="{}" data-value="{!r}" data-style="{}">{}</span>',
            json.dumps(expr),
            v,
            style,
            text,
        )

    def ratio(self, a: Expr, b: Expr) -> Markup:
        return self.num(["div", a, b], "ratio")

    # --- expressions several claims use ---

    def convs(self, example: str, model: str | int) -> list[int]:
        """Indices of the model's Conv2D layers."""
        return [i for i, layer in enumerate(self.model(example, model)["layers"]) if layer["class_name"] == "Conv2D"]

    def area(self, example: str, model: str | int, i: int) -> Expr:
        """Kernel height × width of layer i."""
        return ["mul", *(self.get(example, model, f"layers/{i}/config/kernel_size/{axis}") for axis in (0, 1))]

    def weights(self, example: str, model: str | int, i: int) -> Expr:
        """kernel height × width × input channels × filters of layer i (input channels: calc's input shape)."""
        layers = self.model(example, model)["layers"]
        j = next(j for j, layer in enumerate(layers) if layer["name"] == layers[i]["inbound"][0])
        return [
            "mul",
            *self.area(example, model, i)[1:],
            self.get(example, model, f"calc/layers/{j}/output_shape/2"),
            self.get(example, model, f"layers/{i}/config/filters"),
        ]

    def per_position(self, example: str, model: str | int, i: int) -> Expr:
        """Layer i's MACs per output position (one output pixel, all of its channels)."""
        size = ["mul", *(self.get(example, model, f"calc/layers/{i}/output_shape/{axis}") for axis in (0, 1))]
        return ["div", self.get(example, model, f"calc/layers/{i}/macs"), size]

    def total(self, example: str, model: str | int, key: str = "params") -> Expr:
        return self.get(example, model, f"calc/totals/{key}")

    def output(self, example: str, model: str | int) -> Markup:
        """The model's output shape, each size traced: 28×28×256."""
        return join([self.num(self.get(example, model, f"calc/output_shape/{axis}")) for axis in range(3)], "×")

    def channels(self, example: str, model: str | int) -> tuple[Markup, Markup]:
        """(input channels, filters) of a one-convolution sweep model."""
        return (
            self.num(self.get(example, model, "layers/0/config/batch_shape/3")),
            self.num(self.get(example, model, "layers/1/config/filters")),
        )


def sweep(width: str, kind: str = "single", k: int = 7) -> Model:
    """A sweep model: one 7×7 layer ("single") or three 3×3 layers ("stacked") at a width such as "c32_k32"."""
    if kind == "single":
        return ("sweep_single", f"single_{k}x{k}_{width}")
    return ("sweep_stacked", f"stacked_{(k - 1) // 2}x3x3_{width}")


# --- each claim's fields (claims.toml has the prose) ------------------------------------------------------------


def receptive_fields(f: Facts) -> Fields:
    field = "calc/receptive_field/size/0"
    one, two = f.get(*sweep("c32_k32", k=3), field), f.get(*sweep("c32_k32", "stacked", 5), field)
    return {
        "one": f.num(one),
        "two": f.num(two),
        "step": f.num(["sub", two, one]),
        "stack": f.num(f.get(*A3, field)),
        "single": f.num(f.get(*A7, field)),
    }


def cost_per_pixel(f: Facts) -> Fields:
    out: Fields = {}
    exact = True
    for key, model, i in (("single", A7, f.convs(*A7)[0]), ("stack", A3, f.convs(*A3)[0])):
        w, per = f.weights(*model, i), f.per_position(*model, i)
        per_pair = ["div", per, ["mul", w[3], w[4]]]
        exact &= f.value(per_pair) == f.value(f.area(*model, i))
        out |= {
            f"{key}_per_pixel": f.num(per),
            f"{key}_per_value": f.num(["div", per, w[4]]),
            f"{key}_per_pair": f.num(per_pair),
            f"{key}_in": f.num(w[3]),
            f"{key}_out": f.num(w[4]),
        }
    return out | {"verdict": HOLDS if exact else FAILS}


def effective_field(f: Facts) -> Fields:
    """The article's two designs measured in Keras (results/effective_field.json): the spread of |∂ output / ∂ input|
    per axis. Similar fails when every measured spread of the stack (all activations, initialisers and both axes)
    lies below every one of the single layer, holds when the two ranges overlap."""
    if EFFECTIVE not in f.results.get(SHARED, {}):
        return {"verdict": "unchecked", "template": "missing"}
    runs = f.results[SHARED][EFFECTIVE]["runs"]
    found: dict[str, list[tuple[float, Expr]]] = {"7x7": [], "3x3_stack": []}
    defaults: dict[str, int] = {}
    for i, run in enumerate(runs):
        if run["group"] != "article" or run["architecture"] not in found:
            continue
        if (run["activation"], run["initializer"]) == DEFAULTS:
            defaults[run["architecture"]] = i
        for axis, std in enumerate(run["std"]):
            found[run["architecture"]].append((std, ["get", f"{SHARED}/{EFFECTIVE}/runs/{i}/std/{axis}"]))
    single, stack = (sorted(found[a], key=lambda x: x[0]) for a in ("7x7", "3x3_stack"))
    at = {a: f"{SHARED}/{EFFECTIVE}/runs/{i}" for a, i in defaults.items()}
    return {
        "verdict": FAILS if stack[-1][0] < single[0][0] else HOLDS,
        "stack": f.num(["get", f"{at['3x3_stack']}/std/0"], "px"),
        "single": f.num(["get", f"{at['7x7']}/std/0"], "px"),
        "stack_lo": f.num(stack[0][1], "px"),
        "stack_hi": f.num(stack[-1][1], "px"),
        "single_lo": f.num(single[0][1], "px"),
        "single_hi": f.num(single[-1][1], "px"),
        "stack_equal": f.num(["get", f"{at['3x3_stack']}/computed/std/0"], "px"),
        "single_equal": f.num(["get", f"{at['7x7']}/computed/std/0"], "px"),
        "field": f.num(f.get(*A3, "calc/receptive_field/size/0")),
    }


def depth_parameters(f: Facts) -> Fields:
    p7, p3 = f.total(*A7), f.total(*A3)
    s7, s3 = f.total(*sweep("c3_k64")), f.total(*sweep("c3_k64", "stacked"))
    wider = f.value(p3) > f.value(p7) or f.value(s3) > f.value(s7)
    c_in, c_out = f.channels(*sweep("c3_k64"))
    return {
        "verdict": HOLDS if wider else FAILS,
        "single": f.num(p7),
        "stack": f.num(p3),
        "ratio": f.ratio(p3, p7),
        "c_in": c_in,
        "c_out": c_out,
        "sweep_ratio": f.ratio(s3, s7),
    }


def filters_cost(f: Facts) -> Fields:
    """The article's stack: its second and third layers read the same channels and differ only in filters."""
    second, third = f.convs(*A3)[1:3]
    w2, w3 = f.weights(*A3, second), f.weights(*A3, third)
    macs = f.ratio(f.per_position(*A3, third), f.per_position(*A3, second))
    same = f.value(["div", f.per_position(*A3, third), f.per_position(*A3, second)]) == f.value(["div", w3[4], w2[4]])
    return {
        "verdict": HOLDS if same else FAILS,
        "c_in": f.num(w2[3]),
        "k2": f.num(w2[4]),
        "k3": f.num(w3[4]),
        "per2": f.num(f.per_position(*A3, second)),
        "per3": f.num(f.per_position(*A3, third)),
        "ratio": macs,
    }


def single_formula(f: Facts) -> Fields:
    w = f.weights(*A7, f.convs(*A7)[0])
    return {"weights": f.num(w), "biases": f.num(w[4]), "params": f.num(f.total(*A7))}


def stack_formula(f: Facts) -> Fields:
    s3 = sweep("c3_k64", "stacked")
    layers = f.convs(*s3)
    first = f.weights(*s3, layers[0])
    return {
        "c_in": f.num(first[3]),
        "c_out": f.num(first[4]),
        "weights": f.num(["add", *(f.weights(*s3, i) for i in layers)]),
        "biases": f.num(["add", *(f.get(*s3, f"layers/{i}/config/filters") for i in layers)]),
        "params": f.num(f.total(*s3)),
    }


def break_even(f: Facts) -> dict[str, Expr]:
    """Weights of three 3×3 layers C→K, K→K, K→K against one 7×7 layer C→K: a·C·K + b·K² against c·C·K, with
    a, b, c the kernel areas from the stored configs; the stack needs fewer weights when K < (c − a)·C / b."""
    s3, s7 = sweep("c32_k32", "stacked"), sweep("c32_k32")
    first, *rest = f.convs(*s3)
    a, c = f.area(*s3, first), f.area(*s7, f.convs(*s7)[0])
    b = ["add", *(f.area(*s3, i) for i in rest)]
    return {"a": a, "b": b, "c": c, "gap": ["sub", c, a], "even": ["div", ["sub", c, a], b]}


def stack_savings(f: Facts) -> Fields:
    even = break_even(f)
    rows, sides = [], set()
    for width in SWEEP_WIDTHS:
        single, stack = sweep(width), sweep(width, "stacked")
        c_in, c_out = f.channels(*single)
        share = ["div", f.total(*stack), f.total(*single)]
        sides.add(f.value(share) < 1)
        rows.append(
            {
                "c_in": c_in,
                "c_out": c_out,
                "ratio": f.num(share, "ratio"),
                "saved": f.num(["sub", f.total(*single), f.total(*stack)]),
            }
        )
    return {
        "verdict": DEPENDS if len(sides) > 1 else HOLDS if sides == {True} else FAILS,
        **{k: f.num(v, "3g" if k == "even" else "int") for k, v in even.items()},
        "widths": rows,
    }


def maintained_accuracy(f: Facts) -> Fields:
    """Three 3×3 layers in place of one 7×7, trained on Fashion-MNIST (results/<machine>/accuracy.json): fewer
    parameters, and accuracy kept when the stack's paired difference from one 7×7 is not "worse" (its 95 % interval
    does not lie below zero; render_accuracy.paired_difference)."""
    machines = sorted(k for k, v in f.results.items() if ACCURACY in v)
    if not machines:
        return {"verdict": "unchecked", "template": "missing"}
    key = machines[0]
    record = f.results[key][ACCURACY]
    variants = record["variants"]
    stack, single = variants["3x3_stack"], variants[record["reference"]]
    d = render_accuracy.paired_difference(stack["runs"], single["runs"])
    if d is None:
        return {"verdict": "unchecked", "template": "missing"}

    def mean(name: str) -> Markup:
        at = f"{key}/{ACCURACY}/variants/{name}"
        runs = variants[name]["runs"]
        total = ["add", *(["get", f"{at}/runs/{i}/test_accuracy"] for i in range(len(runs)))]
        return f.num(["div", total, ["len", f"{at}/runs"]], "percent")

    at = f"{key}/{ACCURACY}/variants"
    return {
        "verdict": FAILS if d.verdict == render_accuracy.WORSE else HOLDS,
        "seeds": f.num(["len", f"{at}/3x3_stack/runs"]),
        "stack": mean("3x3_stack"),
        "single": mean(record["reference"]),
        "stack_params": f.num(["get", f"{at}/3x3_stack/block_params"]),
        "single_params": f.num(["get", f"{at}/{record['reference']}/block_params"]),
        "judged": d.verdict,
        "confidence": f.num(["const", "CONFIDENCE"], "percent"),
        "conclusion": {
            render_accuracy.NOISE: "At this scale the stack keeps the 7×7's accuracy with fewer parameters, and "
            "shows no gain beyond it.",
            render_accuracy.BETTER: "At this scale the stack is more accurate, with fewer parameters.",
            render_accuracy.WORSE: "At this scale the stack loses accuracy against the 7×7.",
        }[d.verdict],
    }


def input_shape(f: Facts) -> Fields:
    rec = f.data.record(f.machine, AS_WRITTEN)
    if rec is None or not rec.get("models"):
        return {"verdict": "unchecked", "template": "missing", "name": AS_WRITTEN}
    shape = join([f.num(f.get(AS_WRITTEN, 0, f"calc/layers/0/output_shape/{axis}")) for axis in range(3)], "×")
    warnings = rec.get("warnings")
    if warnings is None:
        return {"verdict": HOLDS, "template": "no_warnings_field", "shape": shape, "name": AS_WRITTEN}
    texts = [
        f"{w.get('category', 'Warning')}: {w.get('message', '')}" if isinstance(w, dict) else str(w) for w in warnings
    ]
    texts = [t.strip().removesuffix(".") for t in texts]  # the sentence around them ends them
    return {
        "verdict": HOLDS,
        "template": "evidence" if texts else "silent",
        "shape": shape,
        "name": AS_WRITTEN,
        "keras": html('<span class="kl-name">{}</span>', rec.get("keras", "")),
        "warnings": [{"text": t} for t in texts],
    }


def _summary_lines(f: Facts, model: Model) -> tuple[list[str], str]:
    """The model's printed summary: (column headings, text)."""
    text: str = f.model(*model)["summary"]
    head = next(line for line in text.splitlines() if "Param #" in line)
    return [c.strip() for c in re.split(r"[┃│|]", head) if c.strip()], text


def summary_params(f: Facts) -> Fields:
    columns, text = _summary_lines(f, A3)
    layers = f.model(*A3)["layers"]
    rows = [(i, layer) for i, layer in enumerate(layers) if layer["class_name"] == "Conv2D"]
    printed = all(
        any(f"{layer['name']} (" in line and f"{layer['params']:,}" in line for line in text.splitlines())
        for _, layer in rows
    )
    return {
        "verdict": HOLDS if printed and "Param #" in columns else FAILS,
        "columns": [{"name": c} for c in columns],
        "layers": [{"name": layer["name"], "params": f.num(f.get(*A3, f"layers/{i}/params"))} for i, layer in rows],
        "total": f.num(f.total(*A3)),
    }


def summary_complexity(f: Facts) -> Fields:
    """The summary prints no operation count, but a Conv2D's multiply-adds follow from the two columns it prints:
    each output position costs the layer's weights, its Param # less one bias per filter, so MACs = output height ×
    width × (Param # − filters). Partly when that, summed over the layers, is calc's count."""
    columns, _ = _summary_lines(f, A3)
    counts = any(re.search(r"MAC|FLOP|operation", c, re.I) for c in columns)
    derived = [
        "add",
        *(
            [
                "mul",
                f.get(*A3, f"layers/{i}/output_shape/0"),
                f.get(*A3, f"layers/{i}/output_shape/1"),
                ["sub", f.get(*A3, f"layers/{i}/params"), f.get(*A3, f"layers/{i}/output_shape/2")],
            ]
            for i in f.convs(*A3)
        ),
    ]
    equal = f.value(derived) == f.value(f.total(*A3, "macs"))
    return {
        "verdict": HOLDS if counts else PARTLY if equal else FAILS,
        "columns": [{"name": c} for c in columns],
        "derived": f.num(derived),
        "macs": f.num(f.total(*A3, "macs")),
        "flops": f.num(f.total(*A3, "flops")),
    }


EQUAL_DEPTH = "c64_k64"  # the sweep width with as many channels in as out, the article's own assumption


def parameter_counts(f: Facts) -> Fields:
    """As written (the image's channels widened by both designs) and under the article's assumption of a consistent
    channel depth (a sweep model with as many channels in as out): depends when the two disagree."""
    p7, p3 = f.total(*A7), f.total(*A3)
    e7, e3 = f.total(*sweep(EQUAL_DEPTH)), f.total(*sweep(EQUAL_DEPTH, "stacked"))
    written, equal = f.value(p7) > f.value(p3), f.value(e7) > f.value(e3)
    c_in, c_out = f.channels(*sweep(EQUAL_DEPTH))
    return {
        "verdict": DEPENDS if written != equal else HOLDS if written else FAILS,
        "single": f.num(p7),
        "stack": f.num(p3),
        "ratio": f.ratio(p3, p7),
        "mixed": f.num(f.weights(*A3, f.convs(*A3)[1])[3]),
        "image": f.num(f.weights(*A7, f.convs(*A7)[0])[3]),
        "c_in": c_in,
        "c_out": c_out,
        "single_equal": f.num(e7),
        "stack_equal": f.num(e3),
        "ratio_equal": f.ratio(e3, e7),
    }


def same_field(f: Facts) -> Fields:
    return {
        "field": f.num(f.get(*A3, "calc/receptive_field/size/0")),
        "stack_output": f.output(*A3),
        "single_output": f.output(*A7),
    }


def widening(f: Facts) -> Fields:
    filters = [f.get(*A3, f"layers/{i}/config/filters") for i in f.convs(*A3)]
    return {"filters": join((f.num(x) for x in filters), ", ")}


def gradients(f: Facts) -> Fields:
    convs = f.convs(*A3)
    init = f.model(*A3)["layers"][convs[0]]["config"]["kernel_initializer"]["class_name"]
    return {"depth": f.num(["count", *(f.get(*A3, f"layers/{i}/config/filters") for i in convs)]), "init": init}


def googlenet(f: Facts) -> Fields:
    return {}  # published, nothing computed


def inception_runs(f: Facts) -> Fields:
    records = {name: f.data.record(f.machine, name) for name in INCEPTION_STEPS}
    errors = [
        {"name": name, "error": rec["error"]["type"]} for name, rec in records.items() if rec and rec.get("error")
    ]
    return {"errors": errors, "params": f.num(f.total(*FIXED)), "output": f.output(*FIXED)}


def reductions(f: Facts) -> Fields:
    """Each larger-kernel branch of the Inception module, with its 1×1 reduction and without: the same k×k layer
    reading the module's input directly, its MACs scaled by the input's channels over the reduced ones."""
    layers = f.model(*FIXED)["layers"]
    by_name = {layer["name"]: i for i, layer in enumerate(layers)}
    branches = []
    for i, layer in enumerate(layers):
        if layer["class_name"] != "Conv2D" or layer["config"]["kernel_size"][0] == 1:
            continue
        r = by_name[layer["inbound"][0]]
        macs = f.get(*FIXED, f"calc/layers/{i}/macs")
        with_reduction = ["add", f.get(*FIXED, f"calc/layers/{r}/macs"), macs]
        direct = [
            "mul",
            macs,
            ["div", f.get(*FIXED, "calc/layers/0/output_shape/2"), f.get(*FIXED, f"calc/layers/{r}/output_shape/2")],
        ]
        branches.append(
            {
                "k": f.num(f.get(*FIXED, f"layers/{i}/config/kernel_size/0")),
                "with_reduction": f.num(with_reduction),
                "without": f.num(direct),
                "ratio": f.ratio(direct, with_reduction),
            }
        )
    return {"branches": branches}


def inception_scales(f: Facts) -> Fields:
    """The receptive field of each branch the module concatenates, over the module's input."""
    layers = f.model(*FIXED)["layers"]
    by_name = {layer["name"]: i for i, layer in enumerate(layers)}
    concat = next(layer for layer in layers if layer["class_name"] == "Concatenate")
    ends = [by_name[name] for name in concat["inbound"]]
    sizes = [f.get(*FIXED, f"calc/layers/{i}/receptive_field/size/0") for i in ends]
    distinct = {f.value(s) for s in sizes}
    return {"verdict": HOLDS if len(distinct) > 1 else FAILS, "fields": join((f.num(s) for s in sizes), ", ")}


# --- timing claims ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One timing group's paired ratio a/b judged against the direction a claim expects (stats.FASTER: the claim
    holds where a is faster; stats.SLOWER: where a is slower)."""

    group: Mapping[str, Any]
    ratio: stats.Ratio
    expect: str

    @property
    def result(self) -> str:
        """HOLDS, FAILS, NOISE (the interval contains 1) or IMPRECISE (too wide to count)."""
        if not self.ratio.precise:
            return IMPRECISE
        found = stats.verdict(self.ratio)
        if found == stats.NOISE:
            return NOISE
        return HOLDS if found == self.expect else FAILS


def depends_on(outcomes: Sequence[Outcome]) -> list[str]:
    """The attributes (shape, batch, mode) whose value alone decides the result of every group in ``outcomes``."""
    found = []
    for attr in ATTRIBUTES:
        values = {o.group[attr] for o in outcomes}
        if len(values) > 1 and all(len({o.result for o in outcomes if o.group[attr] == v}) == 1 for v in values):
            found.append(attr)
    return found


def machine_verdict(outcomes: Sequence[Outcome]) -> str:
    """One machine's verdict from its groups: only precise ones count (see the module's docstring)."""
    results = {o.result for o in outcomes if o.result != IMPRECISE}
    if results <= {NOISE}:
        return NOISE
    if results == {HOLDS}:
        return HOLDS
    if results == {FAILS}:
        return FAILS
    return DEPENDS


@dataclass(frozen=True)
class Row:
    """A timing group's traced figures for one claim: the measured ratio and its interval."""

    pointer: str  # machine/timing/groups/i
    median: Expr
    low: Expr
    high: Expr

    @property
    def half_width(self) -> Expr:
        """Half the interval's width relative to the ratio, as stats.Ratio.half_width."""
        return ["div", ["sub", self.high, self.low], ["add", self.median, self.median]]

    @property
    def imprecise(self) -> Expr:
        return ["gt", self.half_width, ["const", "HALF_WIDTH_LIMIT"]]


TimingRows = Callable[[str, Mapping[str, Any]], Iterable[Row]]


def _ratio_index(group: Mapping[str, Any], a: str, b: str) -> int:
    return next(i for i, r in enumerate(group["ratios"]) if (r["a"], r["b"]) == (a, b))


def _row(pointer: str, group: Mapping[str, Any], a: str, b: str) -> Row:
    r = f"{pointer}/ratios/{_ratio_index(group, a, b)}"
    return Row(pointer, ["get", f"{r}/median"], ["get", f"{r}/low"], ["get", f"{r}/high"])


def stack_rows(pointer: str, group: Mapping[str, Any]) -> Iterable[Row]:
    """Three 3×3 layers relative to one 7×7, every group."""
    yield _row(pointer, group, "stacked", "single")


def one_layer_rows(pointer: str, group: Mapping[str, Any]) -> Iterable[Row]:
    """One 7×7 layer relative to one 3×3 layer with the same channels, timed side by side (the groups that have
    both: the mid-network shapes)."""
    if "single_3x3" in group["variants"]:
        yield _row(pointer, group, "single", "single_3x3")


def timing_outcomes(f: Facts, machine: str, rows: TimingRows, expect: str) -> list[tuple[Row, Outcome]]:
    out = []
    for i, group in enumerate(f.timings[machine]["groups"]):
        for row in rows(f"{machine}/{TIMING}/groups/{i}", group):
            r = stats.Ratio(f.value(row.median), f.value(row.low), f.value(row.high), int(group.get("rounds", 0)))
            out.append((row, Outcome(group, r, expect)))
    return out


def _attribute_value(f: Facts, row: Row, attr: str, value: Any) -> Markup:
    if attr == "batch":
        return f.num(["get", f"{row.pointer}/batch"])
    return html("<code>{}</code>", value)


def _span(f: Facts, found: Sequence[tuple[Row, Outcome]], words: Mapping[str, str]) -> Markup:
    """The lowest and the highest measured ratio of these groups (one ratio where there is one group): the numbers
    that decide the verdict, each traced to its group."""
    ordered = sorted(found, key=lambda x: x[1].ratio.median)
    low, high = ordered[0][0], ordered[-1][0]
    if low is high:
        return f.num(low.median, "ratio")
    return html(words["span"], low=f.num(low.median, "ratio"), high=f.num(high.median, "ratio"))


def _detail(f: Facts, found: list[tuple[Row, Outcome]], words: Mapping[str, str]) -> Markup:
    """Which groups hold, fail or are within noise, with the measured ratios of each: by the deciding attribute if
    one decides, else group by group."""
    counted = [(row, o) for row, o in found if o.result != IMPRECISE]
    attrs = depends_on([o for _, o in counted])
    parts = []
    for result in (HOLDS, FAILS, NOISE):
        these = [(row, o) for row, o in counted if o.result == result]
        if not these:
            continue
        if attrs:
            first: dict[Any, Row] = {}
            for row, o in these:
                first.setdefault(o.group[attrs[0]], row)
            which = join((_attribute_value(f, row, attrs[0], v) for v, row in first.items()), ", ")
        else:
            which = join((html("<code>{}</code>", o.group["id"]) for _, o in these), ", ")
        parts.append(html(words["part"], verdict=VERDICTS[result], which=which, span=_span(f, these, words)))
    template = words["depends"] if attrs else words["depends_together"]
    return html(template, on=" or the ".join(attrs), parts=join(parts, "; "))


def _tables(found: list[tuple[Row, Outcome]], words: Mapping[str, str]) -> Markup:
    """Links to the speed page's tables that hold every group of the claim, one per shape."""
    shapes = list(dict.fromkeys(o.group["shape"] for _, o in found))
    links = join((html(words["table"], anchor=f"ratios-{shape}", shape=shape) for shape in shapes), ", ")
    return html(words["tables"], links=links)


def timing_claim(f: Facts, rows: TimingRows, expect: str) -> Fields:
    """Per machine: the verdict, what it depends on, the measured ratios that decide it, how many groups were too
    imprecise, and links to the speed page's tables of every group (the field "blocks"); "not measured yet" for a
    machine with example results and no timing.json. The groups' own tables are on the speed page only."""
    words = load_toml()["timing"]
    machines = sorted(set(f.data.machines) | set(f.timings))
    blocks, verdicts, found_all = [], [], []
    for key in machines:
        if key not in f.timings:
            blocks.append(html(words["unmeasured"], key=key))
            continue
        found = timing_outcomes(f, key, rows, expect)
        found_all += found
        verdict = machine_verdict([o for _, o in found])
        verdicts.append(verdict)
        where = html(
            words["here" if len(machines) == 1 else "there"],
            key=key,
            cpu=html('<span class="kl-name">{}</span>', f.timings[key]["machine"].get("cpu", key)),
            cores=f.num(["get", f"{key}/{TIMING}/machine/cores"]),
        )
        counted = [(row, o) for row, o in found if o.result != IMPRECISE]
        if verdict == DEPENDS:
            detail = _detail(f, found, words)
        elif counted:
            detail = html(words["uniform"], span=_span(f, counted, words))
        else:
            detail = Markup("")
        summary = html(
            words["summary"],
            where=where,
            verdict=VERDICTS[verdict],
            detail=detail,
            imprecise=f.num(["count", *(row.imprecise for row, _ in found)]),
            groups=f.num(["count", *(row.median for row, _ in found)]),
        )
        blocks.append(html("<p>{}</p>", summary))
    if found_all:
        blocks.append(html("<p>{}</p>", _tables(found_all, words)))
    verdict = "unmeasured" if not verdicts else verdicts[0] if len(set(verdicts)) == 1 else DEPENDS
    return {"verdict": verdict, "blocks": join(blocks)}


def stack_speed(f: Facts) -> Fields:
    return timing_claim(f, stack_rows, stats.FASTER)


def single_layer_cost(f: Facts) -> Fields:
    s7, s3 = A7, ("sweep_single", "single_3x3_c64_k64")
    per_layer = f.ratio(f.area(*s7, f.convs(*s7)[0]), f.area(*s3, f.convs(*s3)[0]))
    return timing_claim(f, one_layer_rows, stats.SLOWER) | {"per_layer": per_layer}


EVIDENCE: dict[str, Callable[[Facts], Fields]] = {
    fn.__name__: fn
    for fn in (
        receptive_fields,
        cost_per_pixel,
        effective_field,
        depth_parameters,
        stack_speed,
        filters_cost,
        single_layer_cost,
        single_formula,
        stack_formula,
        stack_savings,
        maintained_accuracy,
        input_shape,
        summary_params,
        parameter_counts,
        same_field,
        widening,
        summary_complexity,
        gradients,
        inception_runs,
        googlenet,
        reductions,
        inception_scales,
    )
}


# --- the page --------------------------------------------------------------------------------------------------


def load_toml() -> dict[str, Any]:
    return tomllib.loads(CLAIMS.read_text(encoding="utf-8"))


def load_claims() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = load_toml()["claim"]
    ids = [c["id"] for c in found]
    if len(set(ids)) != len(ids) or set(ids) != set(EVIDENCE):
        raise ValueError(f"{CLAIMS.name}: every claim id once, one per function in EVIDENCE")
    return found


def fill(template: str, fields: Mapping[str, Any], each: Mapping[str, Mapping[str, str]]) -> Markup:
    """``template`` (claims.toml's HTML) with its fields; a list field is written item by item with each[name]."""
    values = {}
    for name, value in fields.items():
        if isinstance(value, list):
            spec = each[name]
            value = join((fill(spec["item"], item, each) for item in value), Markup(spec["join"]))
        values[name] = value
    return html(template, **values)


def sources(claim: Mapping[str, Any]) -> dict[str, Markup]:
    """The claim's published sources, each as a citation its evidence places with {name}."""
    return {
        name: html(
            '<cite class="kl-source">({}, <a href="{}">{}</a>, {} {}{})</cite>',
            s["authors"],
            s["url"],
            s["title"],
            s["venue"],
            s["year"],
            html(", {}", s["section"]) if "section" in s else "",
        )
        for name, s in claim.get("source", {}).items()
    }


def verdict_of(claim: Mapping[str, Any], fields: Fields) -> str:
    """The verdict claims.toml gives, or else the one the measurements gave (the field "verdict")."""
    given, measured = claim.get("verdict"), fields.pop("verdict", None)
    if (given is None) == (measured is None):
        raise ValueError(f"claim {claim['id']}: a verdict either in {CLAIMS.name} or from the data")
    return VERDICTS[given or measured]


def claims(data: Data, arg: str = "") -> Markup:
    """The summary table of every claim and its verdict, then each claim with its evidence."""
    machines = [k for k in data.machines if data.record(k, A7[0]) and data.record(k, "sweep_single")]
    if not machines:
        return admonition("warning", html("No current results to check the claims against: run {}.", RUN))
    f = Facts(data, machines[0])
    rows, sections = [], []
    for i, claim in enumerate(load_claims(), 1):
        fields = EVIDENCE[claim["id"]](f)
        verdict = verdict_of(claim, fields)
        template = claim[fields.pop("template", "evidence")]
        blocks = fields.pop("blocks", Markup(""))
        says = html('<span class="kl-claim">{}</span>', claim["says"])
        evidence = fill(template, fields | sources(claim), claim.get("each", {}))
        rows.append(
            [html('<a class="kl-claim-no" href="#claim-{}">{}</a>', i, i), says, html("<strong>{}</strong>", verdict)]
        )
        sections += [
            heading(3, f"Claim {i}: {verdict}", f"claim-{i}"),
            html("<p><strong>The article:</strong> {}</p>", says),
            html("<p><strong>{}:</strong> {}</p>", claim.get("label", "Checked"), evidence),
            blocks,
        ]
    claims = table(["#", "the article says (paraphrased)", "verdict"], rows, numeric_from=3)
    thresholds = {k.lower().removesuffix("_limit"): f.num(["const", k], "percent") for k in CONSTANTS}
    method = html("<p>{}</p>", html(load_toml()["timing"]["method"], **thresholds))
    return join([method, scroll_region(claims, "claims and verdicts"), *sections])
