"""The Fact-check page: each checkable claim of the source article beside what the stored runs measured and what
calc computed (the figures the runner stored next to each model), with a verdict.

The prose is in claims.toml; this module computes the numbers and the verdicts. Every number the page shows is
traced: an expression over JSON paths into results/<machine>/<example>.json, rendered as
    <span class="kl-num" data-expr="[...]" data-value="..." data-style="...">text</span>
so that a test can recompute each one from the stored data. What the article says is paraphrased inside
<span class="kl-claim">; its own numbers are the only ones there.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from calc.text import integer, milliseconds, ratio
from kernel_lab.html import Markup, html, join, scroll_region, table
from scripts.examples.render import RUN, admonition, heading
from scripts.examples.store import Data

__all__ = ["EVIDENCE", "claims", "evaluate", "resolve"]

CLAIMS = Path(__file__).with_name("claims.toml")
VERDICTS = {"holds": "holds", "fails": "does not hold", "depends": "depends", "unchecked": "not checked here"}
A7, A3 = ("article_7x7", 0), ("article_3x3_stack", 0)
FIXED = ("inception_3_fixed", 0)
INCEPTION_STEPS = ("inception_0_as_written", "inception_1_input_defined", "inception_2_same_padding")

Expr = Any  # ["get", "machine/example/path/..."] | ["div"|"mul"|"sub"|"add", expr, expr, ...]
Model = tuple[str, str | int]  # (example, model name or index)
Fields = dict[str, Any]


def resolve(results: Mapping[str, Mapping[str, Any]], pointer: str) -> Any:
    """Value at 'machine/example/key/index/...' in {machine: {example: record}}."""
    machine, example, *path = pointer.split("/")
    value: Any = results[machine][example]
    for part in path:
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def evaluate(results: Mapping[str, Mapping[str, Any]], expr: Expr) -> float:
    op, *args = expr
    if op == "get":
        return float(resolve(results, args[0]))
    values = [evaluate(results, a) for a in args]
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
    """Looks up models in the stored results of one machine and builds traced numbers from them."""

    def __init__(self, data: Data, machine: str) -> None:
        self.data, self.machine = data, machine
        self.results = {k: v["examples"] for k, v in data.machines.items()}

    def machines(self, *examples: str) -> list[Facts]:
        """The same facts on every machine that has results for all of ``examples``."""
        keys = [k for k in self.data.machines if all(self.data.record(k, e) for e in examples)]
        return [Facts(self.data, k) for k in keys]

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
        """A traced number: integer with separators, ratio (×), milliseconds, or 3 significant digits."""
        v = self.value(expr)
        text = {"int": integer(round(v)), "ratio": ratio(v), "ms": milliseconds(v)}.get(style, f"{v:.3g}")
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

    def weights(self, example: str, model: str | int, i: int) -> Expr:
        """kernel height × width × input channels × filters of layer i (input channels: calc's input shape)."""
        layers = self.model(example, model)["layers"]
        j = next(j for j, layer in enumerate(layers) if layer["name"] == layers[i]["inbound"][0])
        return [
            "mul",
            *(self.get(example, model, f"layers/{i}/config/kernel_size/{axis}") for axis in (0, 1)),
            self.get(example, model, f"calc/layers/{j}/output_shape/2"),
            self.get(example, model, f"layers/{i}/config/filters"),
        ]

    def per_position(self, example: str, model: str | int, i: int) -> Expr:
        """Layer i's MACs per output position."""
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

    def time_ratio(self, a: Model, b: Model) -> Expr:
        """Measured forward time of model a over model b, one image per call."""
        return ["div", self.get(*a, "timings/forward_b1/median_s"), self.get(*b, "timings/forward_b1/median_s")]


# --- each claim's fields (claims.toml has the prose) ------------------------------------------------------------


def receptive_fields(f: Facts) -> Fields:
    field = "calc/receptive_field/size/0"
    return {
        "two": f.num(f.get("sweep_stacked", "stacked_2x3x3_c32_k32", field)),
        "stack": f.num(f.get(*A3, field)),
        "single": f.num(f.get(*A7, field)),
    }


def cost_per_pixel(f: Facts) -> Fields:
    out: Fields = {}
    for key, model, i in (("single", A7, f.convs(*A7)[0]), ("stack", A3, f.convs(*A3)[0])):
        w, per = f.weights(*model, i), f.per_position(*model, i)
        out |= {
            f"{key}_per_pixel": f.num(per),
            f"{key}_per_pair": f.num(["div", per, ["mul", w[3], w[4]]]),
            f"{key}_in": f.num(w[3]),
            f"{key}_out": f.num(w[4]),
        }
    return out


def parameter_counts(f: Facts) -> Fields:
    p7, p3 = f.total(*A7), f.total(*A3)
    return {
        "verdict": "fails" if f.value(p3) > f.value(p7) else "holds",
        "single": f.num(p7),
        "stack": f.num(p3),
        "ratio": f.ratio(p3, p7),
        "mixed": f.num(f.weights(*A3, f.convs(*A3)[1])[3]),
        "image": f.num(f.weights(*A7, f.convs(*A7)[0])[3]),
    }


def single_formula(f: Facts) -> Fields:
    w = f.weights(*A7, f.convs(*A7)[0])
    return {"weights": f.num(w), "biases": f.num(w[4]), "params": f.num(f.total(*A7))}


def stack_formula(f: Facts) -> Fields:
    s3 = ("sweep_stacked", "stacked_3x3x3_c3_k64")
    layers = f.convs(*s3)
    first = f.weights(*s3, layers[0])
    return {
        "c_in": f.num(first[3]),
        "c_out": f.num(first[4]),
        "weights": f.num(["add", *(f.weights(*s3, i) for i in layers)]),
        "biases": f.num(["add", *(f.get(*s3, f"layers/{i}/config/filters") for i in layers)]),
        "params": f.num(f.total(*s3)),
    }


def stack_savings(f: Facts) -> Fields:
    ratios = []
    for tag in ("c3_k64", "c32_k32", "c64_k64", "c128_k128", "c256_k256"):
        single, stack = ("sweep_single", f"single_7x7_{tag}"), ("sweep_stacked", f"stacked_3x3x3_{tag}")
        c_in, c_out = f.channels(*single)
        ratios.append({"c_in": c_in, "c_out": c_out, "ratio": f.ratio(f.total(*stack), f.total(*single))})
    return {"ratios": ratios}


def single_layer_cost(f: Facts) -> Fields:
    widths, measured = [], []
    for tag in ("c3_k64", "c64_k64"):
        s7, s3 = ("sweep_single", f"single_7x7_{tag}"), ("sweep_single", f"single_3x3_{tag}")
        times = []
        for g in f.machines("sweep_single"):
            measured.append(g.value(g.time_ratio(s7, s3)))
            times.append({"ratio": g.num(g.time_ratio(s7, s3), "ratio"), "machine": g.machine})
        c_in, c_out = f.channels(*s7)
        flops = f.ratio(f.total(*s7, "flops"), f.total(*s3, "flops"))
        widths.append({"c_in": c_in, "c_out": c_out, "flops": flops, "times": times})
    return {"verdict": "holds" if min(measured) > 1 else "depends", "widths": widths}


def stack_speed(f: Facts) -> Fields:
    rows, measured = [], []
    for g in f.machines(A7[0], "sweep_single"):
        pair = g.time_ratio(A3, A7)
        measured.append(g.value(pair))
        widths = []
        for c in (32, 64, 128, 256):
            s7, s3 = ("sweep_single", f"single_7x7_c{c}_k{c}"), ("sweep_stacked", f"stacked_3x3x3_c{c}_k{c}")
            measured.append(g.value(g.time_ratio(s3, s7)))
            widths.append(
                {
                    "channels": g.channels(*s7)[1],
                    "flops": g.ratio(g.total(*s3, "flops"), g.total(*s7, "flops")),
                    "time": g.num(g.time_ratio(s3, s7), "ratio"),
                }
            )
        rows.append(
            {
                "machine": g.machine,
                "pair_flops": g.ratio(g.total(*A3, "flops"), g.total(*A7, "flops")),
                "pair_time": g.num(pair, "ratio"),
                "widths": widths,
            }
        )
    verdict = "holds" if max(measured) < 1 else "fails" if min(measured) > 1 else "depends"
    return {"verdict": verdict, "machines": rows}


def same_field(f: Facts) -> Fields:
    return {
        "field": f.num(f.get(*A3, "calc/receptive_field/size/0")),
        "stack_output": f.output(*A3),
        "single_output": f.output(*A7),
    }


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


EVIDENCE: dict[str, Callable[[Facts], Fields]] = {
    fn.__name__: fn
    for fn in (
        receptive_fields,
        cost_per_pixel,
        parameter_counts,
        single_formula,
        stack_formula,
        stack_savings,
        single_layer_cost,
        stack_speed,
        same_field,
        inception_runs,
        reductions,
    )
}
EVIDENCE["gradients"] = lambda f: {}


# --- the page --------------------------------------------------------------------------------------------------


def load_claims() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = tomllib.loads(CLAIMS.read_text(encoding="utf-8"))["claim"]
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
        says = html('<span class="kl-claim">{}</span>', claim["says"])
        evidence = fill(claim["evidence"], fields, claim.get("each", {}))
        rows.append(
            [html('<a class="kl-claim-no" href="#claim-{}">{}</a>', i, i), says, html("<strong>{}</strong>", verdict)]
        )
        sections += [
            heading(3, f"Claim {i}: {verdict}", f"claim-{i}"),
            html("<p><strong>The article:</strong> {}</p>", says),
            html("<p><strong>Checked:</strong> {}</p>", evidence),
        ]
    claims = table(["#", "the article says (paraphrased)", "verdict"], rows, numeric_from=3)
    return join([scroll_region(claims, "claims and verdicts"), *sections])
