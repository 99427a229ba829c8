# The fact-check page: each checkable claim of the source article beside what the
# stored runs measured and what calc computed (the figures the runner stored
# next to each model), with a verdict. Every number the page shows is a Num: an
# expression over JSON paths into results/<machine>/<example>.json, rendered as
#   <span class="kl-num" data-expr='[...]' data-value="...">text</span>
# so a test can recompute each one from the stored data. What the article says is
# paraphrased inside <span class="kl-claim">; its own numbers are the only ones
# there.

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from typing import Any

from scripts.examples.render import Data, table

Expr = Any  # ["get", "machine/example/path/..."] | ["div"|"mul"|"sub"|"add", expr, expr, ...]


def resolve(results: dict[str, dict[str, Any]], pointer: str) -> Any:
    """Value at 'machine/example/key/index/...' in {machine: {example: record}}."""
    machine, example, *path = pointer.split("/")
    value: Any = results[machine][example]
    for part in path:
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def evaluate(results: dict[str, dict[str, Any]], expr: Expr) -> float:
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

    def layer_index(self, example: str, model: str | int, where: Callable[[dict[str, Any]], bool]) -> int:
        m = resolve(self.results, self.model_path(example, model))
        return next(i for i, layer in enumerate(m["layers"]) if where(layer))

    def get(self, example: str, model: str | int, path: str) -> Expr:
        return ["get", f"{self.model_path(example, model)}/{path}"]

    def value(self, expr: Expr) -> float:
        return evaluate(self.results, expr)

    def num(self, expr: Expr, style: str = "int") -> str:
        """A traced number: integer with separators, ratio (×), percent, or 3 significant digits."""
        v = self.value(expr)
        if style == "int":
            text = f"{round(v):,}"
        elif style == "ratio":
            text = f"{v:.2f}×"
        elif style == "ms":
            text = f"{v * 1e3:.3g} ms"
        else:
            text = f"{v:.3g}"
        return (
            f"<span class=\"kl-num\" data-expr='{escape(json.dumps(expr), quote=True)}' "
            f'data-value="{v!r}" data-style="{style}">{text}</span>'
        )


def claim(text: str) -> str:
    return f'<span class="kl-claim">{text}</span>'


VERDICTS = {"holds": "holds", "fails": "does not hold", "depends": "depends", "unchecked": "not checked here"}


def _conv(layer: dict[str, Any], k: int | None = None) -> bool:
    return layer["class_name"] == "Conv2D" and (k is None or layer["config"]["kernel_size"][0] == k)


def claims(f: Facts) -> list[tuple[str, str, str]]:
    """(what the article says, verdict key, evidence in HTML) for each claim, from one machine's results."""
    a7, a3 = "article_7x7", "article_3x3_stack"
    n = f.num

    def get(example: str, model: str | int, path: str) -> Expr:
        return f.get(example, model, path)

    def convs(example: str, model: str | int) -> list[int]:
        m = resolve(f.results, f.model_path(example, model))
        return [i for i, layer in enumerate(m["layers"]) if layer["class_name"] == "Conv2D"]

    def weights(example: str, model: str | int, i: int) -> Expr:
        """kernel height × width × input channels × filters of layer i (input channels: calc's input shape)."""
        src = resolve(f.results, f.model_path(example, model))["layers"][i]["inbound"][0]
        j = next(
            j
            for j, layer in enumerate(resolve(f.results, f.model_path(example, model))["layers"])
            if layer["name"] == src
        )
        return [
            "mul",
            get(example, model, f"layers/{i}/config/kernel_size/0"),
            get(example, model, f"layers/{i}/config/kernel_size/1"),
            get(example, model, f"calc/layers/{j}/output_shape/2"),
            get(example, model, f"layers/{i}/config/filters"),
        ]

    def per_position(example: str, model: str | int, i: int) -> Expr:
        return [
            "div",
            get(example, model, f"calc/layers/{i}/macs"),
            [
                "mul",
                get(example, model, f"calc/layers/{i}/output_shape/0"),
                get(example, model, f"calc/layers/{i}/output_shape/1"),
            ],
        ]

    def rf(example: str, model: str | int) -> str:
        return n(get(example, model, "calc/receptive_field/size/0"))

    def total(example: str, model: str | int, key: str = "params") -> Expr:
        return get(example, model, f"calc/totals/{key}")

    measured: list[float] = []

    def time_ratio(g: Facts, a: tuple[str, str | int], b: tuple[str, str | int]) -> str:
        """Measured forward time of model a over model b, one image per call, on g's machine (kept in measured)."""
        expr = ["div", g.get(*a, "timings/forward_b1/median_s"), g.get(*b, "timings/forward_b1/median_s")]
        measured.append(g.value(expr))
        return g.num(expr, "ratio")

    out = []
    # 1. receptive fields of stacks
    out.append(
        (
            claim("Two stacked 3×3 layers see a 5×5 window and three see 7×7, like one 7×7 layer."),
            "holds",
            f"calc's receptive field, in pixels: two 3×3 layers {rf('sweep_stacked', 'stacked_2x3x3_c32_k32')}, "
            f"the article's three-layer stack {rf(a3, 0)}, its single 7×7 layer {rf(a7, 0)}.",
        )
    )

    # 2. cost per output pixel
    (c7,), c3 = convs(a7, 0), convs(a3, 0)[0]
    w7, w3 = weights(a7, 0, c7), weights(a3, 0, c3)
    out.append(
        (
            claim("A 7×7 kernel costs 49 multiply-adds per output pixel, a 3×3 kernel 9."),
            "depends",
            f"Per pair of input channel and filter only. The article's 7×7 layer does {n(per_position(a7, 0, c7))} "
            f"multiply-adds per output pixel, {n(['div', per_position(a7, 0, c7), ['mul', w7[3], w7[4]]])} "
            f"for each of its {n(w7[3])} input channels × {n(w7[4])} filters; the first 3×3 layer of the stack does "
            f"{n(per_position(a3, 0, c3))}, {n(['div', per_position(a3, 0, c3), ['mul', w3[3], w3[4]]])} "
            f"for each of its {n(w3[3])} × {n(w3[4])} channel pairs.",
        )
    )

    # 3. the article's own examples: which has more parameters
    p7, p3 = total(a7, 0), total(a3, 0)
    out.append(
        (
            claim("The 7×7 example has a relatively high parameter count compared with the 3×3 example."),
            "fails" if f.value(p3) > f.value(p7) else "holds",
            f"The 7×7 model has {n(p7)} parameters, the 3×3 stack {n(p3)}, {n(['div', p3, p7], 'ratio')} as many: "
            f"its second and third layers mix {n(weights(a3, 0, convs(a3, 0)[1])[3])} channels each, where the "
            f"7×7 layer reads the image's {n(w7[3])}.",
        )
    )

    # 4. the 7·7·C·K formula
    out.append(
        (
            claim("A 7×7 layer with C input and K output channels has 7·7·C·K parameters."),
            "holds",
            f"For the weights; Keras adds one bias per filter. The 7×7 example: {n(w7)} weights + "
            f"{n(w7[4])} biases = {n(p7)} parameters, as <code>model.summary()</code> prints.",
        )
    )

    # 5. the stack formula
    s3 = ("sweep_stacked", "stacked_3x3x3_c3_k64")
    layers3 = convs(*s3)
    stack_w = ["add", *[weights(*s3, i) for i in layers3]]
    biases = ["add", *[get(*s3, f"layers/{i}/config/filters") for i in layers3]]
    out.append(
        (
            claim("Three stacked 3×3 layers have 3·3·C·K + 3·3·K·K + 3·3·K·K parameters."),
            "holds",
            f"For the weights, again plus one bias per filter. Three 3×3 layers from {n(weights(*s3, layers3[0])[3])} "
            f"to {n(weights(*s3, layers3[0])[4])} channels: {n(stack_w)} weights + {n(biases)} biases = "
            f"{n(total(*s3))} parameters.",
        )
    )

    # 6. fewer parameters for stacks, "substantial with many channels"
    widths = [("c3_k64", "first layer")] + [(f"c{c}_k{c}", "") for c in (32, 64, 128, 256)]
    ratios = []
    for tag, _ in widths:
        single, stack = ("sweep_single", f"single_7x7_{tag}"), ("sweep_stacked", f"stacked_3x3x3_{tag}")
        c_in = n(get(*single, "layers/0/config/batch_shape/3"))
        k_out = n(get(*single, "layers/1/config/filters"))
        ratios.append(f"{c_in}→{k_out}: {n(['div', total(*stack), total(*single)], 'ratio')}")
    out.append(
        (
            claim(
                "Stacked 3×3 layers need fewer parameters than one 7×7 layer, and the difference is substantial "
                "when there are many channels."
            ),
            "depends",
            "On the ratio of output to input channels, not on their number. Parameters of three 3×3 layers "
            "relative to one 7×7 layer, same channels in and out: " + "; ".join(ratios) + ". With as many channels "
            "in as out the ratio is the same at every width; a first layer that widens the image's few channels "
            "into many is the opposite case.",
        )
    )

    # 7. 7×7 vs 3×3 with the same number of filters: compute and measured time
    parts7 = []
    measured.clear()
    for tag in ("c3_k64", "c64_k64"):
        s7, s3_ = ("sweep_single", f"single_7x7_{tag}"), ("sweep_single", f"single_3x3_{tag}")
        parts7.append(
            f"{n(get(*s7, 'layers/0/config/batch_shape/3'))}→{n(get(*s7, 'layers/1/config/filters'))} channels: "
            f"{n(['div', total(*s7, 'flops'), total(*s3_, 'flops')], 'ratio')} the FLOPs, "
            + ", ".join(
                f"{time_ratio(Facts(f.data, k), s7, s3_)} the time on <code>{escape(k)}</code>"
                for k in f.data.machines
                if f.data.record(k, "sweep_single")
            )
        )
    out.append(
        (
            claim("A 7×7 layer with 64 filters is significantly more expensive than a 3×3 layer with 64 filters."),
            "holds" if min(measured) > 1 else "depends",
            "7×7 relative to 3×3, one layer each on the sweep's input, one image per call: " + "; ".join(parts7) + ".",
        )
    )

    # 8. speed: stacks more efficient than one 7×7
    rows = []
    widening, same_width = [], []
    for k in f.data.machines:
        g = Facts(f.data, k)
        if not g.data.record(k, a7) or not g.data.record(k, "sweep_single"):
            continue
        measured.clear()
        cells = [
            f"the article's own pair: {n(['div', total(a3, 0, 'flops'), total(a7, 0, 'flops')], 'ratio')} FLOPs, "
            f"{time_ratio(g, (a3, 0), (a7, 0))} time"
        ]
        for c in (32, 64, 128, 256):
            s7, s3_ = ("sweep_single", f"single_7x7_c{c}_k{c}"), ("sweep_stacked", f"stacked_3x3x3_c{c}_k{c}")
            cells.append(
                f"{n(get(*s7, 'layers/1/config/filters'))} channels: "
                f"{n(['div', total(*s3_, 'flops'), total(*s7, 'flops')], 'ratio')} FLOPs, {time_ratio(g, s3_, s7)} time"
            )
        widening.append(measured[0])
        same_width.extend(measured[1:])
        rows.append(
            f"On <code>{escape(k)}</code> (one image per call, three 3×3 layers relative to one 7×7): "
            + "; ".join(cells)
            + "."
        )
    out.append(
        (
            claim("Several 3×3 layers proved more computationally efficient than one 7×7 layer."),
            "holds" if max(widening + same_width) < 1 else "fails" if min(widening + same_width) > 1 else "depends",
            "On the channels, and on the machine. With as many channels in as out the stack needs fewer FLOPs; where "
            "a layer widens few channels into many, as in the article's own pair of examples, it needs more. A ratio "
            "below one means the stack was faster. " + " ".join(rows),
        )
    )

    # 9. same receptive field and output for the article's two examples
    out.append(
        (
            claim("The three-layer 3×3 example reaches a receptive field comparable to the 7×7 example."),
            "holds",
            f"The same, exactly: {rf(a3, 0)}×{rf(a3, 0)} for both, and both end with "
            f"{n(get(a3, 0, 'calc/output_shape/0'))}×{n(get(a3, 0, 'calc/output_shape/1'))}×"
            f"{n(get(a3, 0, 'calc/output_shape/2'))} outputs "
            f"(the 7×7 model: {n(get(a7, 0, 'calc/output_shape/0'))}×{n(get(a7, 0, 'calc/output_shape/1'))}×"
            f"{n(get(a7, 0, 'calc/output_shape/2'))}).",
        )
    )

    # 10. the Inception code runs once x is defined
    errors = []
    for name in ("inception_0_as_written", "inception_1_input_defined", "inception_2_same_padding"):
        rec = f.data.record(f.machine, name)
        if rec and rec.get("error"):
            errors.append(f"<code>{escape(name)}</code>: <code>{escape(rec['error']['type'])}</code>")
    fixed = ("inception_3_fixed", 0)
    out.append(
        (
            claim("The Inception example works once a preceding layer defines its input tensor."),
            "fails",
            "Run as written it stops at the undefined input; with the input defined, the unpadded 3×3 and 5×5 "
            "branches cannot be concatenated; with those padded, <code>keras.Sequential</code> refuses a tensor. "
            + ", ".join(errors)
            + f". The corrected module builds: {n(total(*fixed))} parameters, output "
            f"{n(get(*fixed, 'calc/output_shape/0'))}×{n(get(*fixed, 'calc/output_shape/1'))}×"
            f"{n(get(*fixed, 'calc/output_shape/2'))}.",
        )
    )

    # 11. 1×1 convolutions for efficiency
    m = resolve(f.results, f.model_path(*fixed))
    by_name = {layer["name"]: i for i, layer in enumerate(m["layers"])}
    branch_parts = []
    for i, layer in enumerate(m["layers"]):
        if layer["class_name"] == "Conv2D" and layer["config"]["kernel_size"][0] > 1:
            r = by_name[layer["inbound"][0]]
            with_reduce = ["add", get(*fixed, f"calc/layers/{r}/macs"), get(*fixed, f"calc/layers/{i}/macs")]
            # the same k×k layer reading the module's input directly: its MACs scale with the input channels
            direct = [
                "mul",
                get(*fixed, f"calc/layers/{i}/macs"),
                ["div", get(*fixed, "calc/layers/0/output_shape/2"), get(*fixed, f"calc/layers/{r}/output_shape/2")],
            ]
            k = n(get(*fixed, f"layers/{i}/config/kernel_size/0"))
            branch_parts.append(
                f"the {k}×{k} branch: {n(with_reduce)} MACs with its 1×1 reduction, {n(direct)} without "
                f"({n(['div', direct, with_reduce], 'ratio')})"
            )
    out.append(
        (
            claim("The 1×1 convolutions of the Inception module are there for efficiency."),
            "holds",
            "They cut the channels before the larger kernels. Per example, from calc: " + "; ".join(branch_parts) + ".",
        )
    )

    # 12. gradients
    out.append(
        (
            claim("Deeper 3×3 stacks call for care about vanishing or exploding gradients."),
            "unchecked",
            "Nothing here trains a network to convergence, so this site measures nothing that bears on it.",
        )
    )
    return out


def render_claims(data: Data, arg: str | None = None) -> str:
    machines = [k for k in data.machines if data.record(k, "article_7x7") and data.record(k, "sweep_single")]
    if not machines:
        return "!!! warning\n    No current results to check the claims against: run `python -m scripts.examples`."
    f = Facts(data, machines[0])
    rows = []
    sections = []
    for i, (what, verdict, evidence) in enumerate(claims(f), 1):
        rows.append([f"[{i}](#claim-{i})", what, f"**{VERDICTS[verdict]}**"])
        sections.append(
            f'<h3 id="claim-{i}">Claim {i}: {VERDICTS[verdict]}</h3>\n\n'
            f"<p><strong>The article:</strong> {what}</p>\n\n<p><strong>Checked:</strong> {evidence}</p>"
        )
    return (
        table(["#", "the article says (paraphrased)", "verdict"], rows, ["--:", "---", "---"])
        + "\n\n"
        + "\n\n".join(sections)
    )


RENDERERS = {"claims": render_claims}
