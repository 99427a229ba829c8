"""The site's calculators: one typed function per calculator, returning Markup.

Each calculator's parameters define its form (kernel_lab.forms). The same function renders the default
result when the site is built and recomputes in the browser (inside Pyodide) on every change.

>>> from kernel_lab.calculators import render, inputs
>>> [i.name for i in inputs("receptive_field")][:2]
['kernel_sizes', 'strides']
>>> "7 × 7" in render("receptive_field")
True
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Annotated, Any

import calc
from calc.text import integer, nbytes
from calc.text import ratio as ratio_text
from calc.text import shape as shape_text
from kernel_lab.analyzer import analyzer
from kernel_lab.charts import bars, heat_map, line_chart, outer_binned, svg_open
from kernel_lab.charts import figure as captioned
from kernel_lab.code import (
    code_panel,
    command_panel,
    inception_script,
    kernel_compare_script,
    kernel_variant_names,
    layer_command,
    layer_script,
)
from kernel_lab.diagram import convolution_diagram
from kernel_lab.forms import Input, InputError, blame, coerce, int_list, read_inputs
from kernel_lab.html import Markup, html, join, table

__all__ = ["CALCULATORS", "FIGURES", "figure", "inputs", "render", "run"]


# --- receptive field ---------------------------------------------------------------------------------------------

MAX_LAYERS = 12


def _chain(
    kernel_sizes: str, strides: str, dilation_rates: str, padding: str, size: int | None, most: int
) -> tuple[list[int], list[int], list[int], list[calc.LayerInfo]]:
    """The square Conv2D layers a chain calculator describes (kernel sizes, strides and dilation rates, each one
    value for every layer or one per layer) on a one-channel input of ``size`` (None: any size)."""
    kernels = int_list("kernel_sizes", kernel_sizes)
    if len(kernels) > most:
        raise InputError("kernel_sizes", f"at most {most} layers, got {len(kernels)}")
    ss = int_list("strides", strides, len(kernels))
    ds = int_list("dilation_rates", dilation_rates, len(kernels))
    fields = {"kernel_size": "kernel_sizes", "strides": "strides", "dilation_rate": "dilation_rates"}
    layers: list[calc.LayerInfo] = []
    shape: tuple[int | None, ...] = (size, size, 1)
    for i, (k, s, d) in enumerate(zip(kernels, ss, ds, strict=True)):
        try:
            layer = calc.conv2d(shape, 1, k, s, padding, dilation_rate=d)
        except calc.LayerConfigError as e:
            raise InputError(fields.get(e.argument, "input_size"), f"layer {i + 1}: {e}") from None
        layers.append(layer)
        shape = layer.output_shape
    return kernels, ss, ds, layers


# The same three layers and the same weights, over ever larger fields.
RF_PRESETS: tuple[tuple[str, dict[str, str]], ...] = (
    ("3, 3, 3", {"kernel_sizes": "3, 3, 3"}),
    ("3, 3, 3 with strides 2, 1, 1", {"kernel_sizes": "3, 3, 3", "strides": "2, 1, 1"}),
    ("3, 3, 3 with dilation rates 1, 2, 4", {"kernel_sizes": "3, 3, 3", "dilation_rates": "1, 2, 4"}),
)


def receptive_field(
    kernel_sizes: Annotated[str, Input("Kernel sizes", "One per layer, separated by commas, e.g. 3, 3, 3")] = "3, 3, 3",
    strides: Annotated[str, Input("Strides", "One value for every layer, or one per layer")] = "1",
    dilation_rates: Annotated[str, Input("Dilation rates", "One value for every layer, or one per layer")] = "1",
    padding: Annotated[str, Input("Padding", "Keras padding of every layer", choices=("valid", "same"))] = "valid",
    input_size: Annotated[int, Input("Input size", "Height and width of the input, pixels", 1, 4096)] = 16,
) -> Markup:
    """Receptive field of a chain of square Conv2D layers, with a per-layer table and a diagram."""
    kernels, ss, ds, layers = _chain(kernel_sizes, strides, dilation_rates, padding, input_size, MAX_LAYERS)
    n = len(layers)
    fieldss = [calc.receptive_field(layers[: i + 1]) for i in range(n)]
    rows = []
    for i, (layer, f) in enumerate(zip(layers, fieldss, strict=True)):
        assert f is not None and layer.window is not None
        rows.append(
            (
                str(i + 1),
                f"{kernels[i]} × {kernels[i]}",
                ss[i],
                ds[i],
                layer.window.kernel[0],
                shape_text(layer.output_shape[:2]),
                f"{f.size[0]} × {f.size[1]}",
                f.stride[0],
                f.padding[0],
            )
        )
    last = fieldss[-1]
    assert last is not None
    summary = html(
        '<p class="kl-summary">After {} layer{}: receptive field <strong>{} × {}</strong> pixels, effective stride '
        "{}, effective padding {}.</p>",
        n, "s" if n > 1 else "", last.size[0], last.size[1], last.stride[0], last.padding[0],
    )  # fmt: skip
    head = ("Layer", "Kernel", "Stride", "Dilation", "Extent", "Output", "Receptive field", "Jump", "Eff. padding")
    return (
        presets("receptive_field", RF_PRESETS)
        + summary
        + table(head, rows, "Receptive field after each layer (square, so one axis shown)", numeric_from=2)
        + _field_diagram(input_size, layers, ds)
    )


def _field_diagram(input_size: int, layers: Sequence[calc.LayerInfo], dilations: Sequence[int]) -> Markup:
    """One row of units per layer (input at the bottom); the units the top unit depends on are filled.

    Units sit at the centre of their own receptive field, in input pixels, so the field's growth reads
    directly off the picture. Works on one axis (height): the layers are square.
    """
    sizes = [input_size] + [layer.output_shape[0] or 0 for layer in layers]
    if input_size > 64 or len(layers) > 8:
        return Markup('<p class="kl-note">The diagram is drawn for inputs up to 64 pixels and 8 layers.</p>')
    # Units the middle top unit depends on, walking down: unit i of layer l reads
    # units i*s - pad_before + t*d, t = 0..k-1, of layer l-1; only those in 0..size-1 exist (the rest are
    # padding, which depends on nothing), so each unit costs at most the size of the layer below, whatever k is.
    deps: list[set[int]] = [set() for _ in sizes]
    deps[-1] = {(sizes[-1] - 1) // 2}
    for li in range(len(layers), 0, -1):
        w = layers[li - 1].window
        assert w is not None
        s, before, d = w.strides[0], w.pad_before[0] or 0, dilations[li - 1]
        below = sizes[li - 1]
        for i in deps[li]:
            first = i * s - before  # tap t = 0
            lo = max(first, first + -(-(0 - first) // d) * d)  # the first tap at position 0 or after
            hi = min(first + w.kernel[0] - 1, below - 1)
            deps[li - 1].update(range(lo, hi + 1, d))
    fields = [calc.INPUT_FIELD] + [calc.receptive_field(layers[:i]) for i in range(1, len(layers) + 1)]
    cell = max(6.0, min(28.0, 560.0 / input_size))
    row_h = 34.0
    left = 70.0
    width = left + input_size * cell + 20
    height = row_h * len(sizes) + 10
    out = [svg_open(width, height, "Receptive field growing layer by layer", "kl-rf")]
    for li, size in enumerate(sizes):
        f = fields[li]
        assert f is not None
        start = f.start[0]
        y = height - 10 - row_h * (li + 1) + 8
        name = "input" if li == 0 else f"layer {li}"
        out.append(html('<text class="kl-tick" x="4" y="{:.1f}">{}</text>', y + row_h / 2 - 4, name))
        unit_w = min(cell * f.stride[0], cell * 2.5) - 2
        for i in range(size):
            centre = (start if start is not None else 0.0) + i * f.stride[0]
            x = left + (centre + 0.5) * cell - unit_w / 2
            cls = "kl-unit on" if i in deps[li] else "kl-unit"
            out.append(
                html(
                    '<rect class="{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{}"/>', cls, x, y, unit_w, row_h - 14
                )
            )
    top_field = fields[-1]
    assert top_field is not None
    out.append(Markup("</svg>"))
    caption = html(
        "Filled units are the ones the middle unit of the last layer depends on; at the input they span {} pixels. "
        "Units are drawn at the centre of their own receptive field; units that only see padding are not drawn.",
        top_field.size[0],
    )
    return captioned(join(out), caption)


# --- effective receptive field -------------------------------------------------------------------------------------

MAX_EFFECTIVE_LAYERS = 20
MAX_EFFECTIVE_FIELD = 1025  # pixels per axis: the chart, heat map and table stay readable (and small)
MAX_TABLE_ROWS = 101


def effective_field(
    kernel_sizes: Annotated[str, Input("Kernel sizes", "One per layer, separated by commas, e.g. 3, 3, 3")] = "3, 3, 3",
    strides: Annotated[str, Input("Strides", "One value for every layer, or one per layer")] = "1",
    dilation_rates: Annotated[str, Input("Dilation rates", "One value for every layer, or one per layer")] = "1",
) -> Markup:
    """Effective receptive field of a chain of square Conv2D layers with equal weights (Luo et al. 2016): how
    much each input pixel weighs in the central output unit, against one layer covering the same field."""
    _, _, _, layers = _chain(kernel_sizes, strides, dilation_rates, "valid", None, MAX_EFFECTIVE_LAYERS)
    extent = calc.receptive_field(layers)
    assert extent is not None  # Conv2D layers always have a window
    if max(extent.size) > MAX_EFFECTIVE_FIELD:
        raise InputError(
            "kernel_sizes",
            f"receptive field of {extent.size[0]} pixels: this calculator draws up to {MAX_EFFECTIVE_FIELD}",
        )
    field = calc.effective_receptive_field(layers)
    size = field.size[0]
    single = calc.effective_receptive_field([calc.conv2d((None, None, 1), 1, size)])
    counts, total = field.counts[0], sum(field.counts[0])
    centre = (size - 1) / 2
    # The widths are per axis (the narrowest central rows, and columns, holding 50 % and 90 % of each axis's
    # weight); the square they span holds the product of the two axes' shares.
    shares = [_central_share(field.counts, w) for w in (field.width_50, field.width_90)]
    summary = html(
        '<p class="kl-summary">Receptive field <strong>{} × {}</strong> pixels. Effective field (equal weights): '
        "standard deviation <strong>{:.2f}</strong> pixels (one {}×{} layer: {:.2f}); the central {} × {} pixels "
        "hold {} of the weight, the central {} × {} pixels {} (per axis, the central {} and {} pixels are the "
        "narrowest that hold half and 90 %).</p>",
        size, field.size[1], field.std[0], size, size, single.std[0], field.width_50[0], field.width_50[1],
        f"{shares[0]:.1%}", field.width_90[0], field.width_90[1], f"{shares[1]:.1%}", field.width_50[0],
        field.width_90[0],
    )  # fmt: skip
    chart = line_chart(
        [
            ("this chain", [(i - centre, p) for i, p in enumerate(field.profile[0])]),
            (f"one {size}×{size} layer", [(i - centre, p) for i, p in enumerate(single.profile[0])]),
        ],
        "input pixel, from the centre of the field",
        "share of the weight",
        f"Weight of each input row in the central output unit: the chain against one {size}×{size} layer",
    )
    shown = range(max(0, size // 2 - MAX_TABLE_ROWS // 2), min(size, size // 2 + MAX_TABLE_ROWS // 2 + 1))
    rows = [(f"{i - centre:+g}", counts[i], f"{counts[i] / total:.4f}") for i in shown]
    part = "" if len(shown) == size else f"; the central {len(shown)} of {size} pixels"
    numbers = table(
        ("Pixel from centre", "Paths", "Share"),
        rows,
        f"Per-axis profile: paths from the central output unit to each input row (total {integer(total)}{part})",
    )
    cells, step = outer_binned(field.profile[0], field.profile[1])
    return (
        summary
        + captioned(chart, _PROFILE_CAPTION)
        + heat_map(cells, f"Effective field of the chain, {size} × {field.size[1]} input pixels", step=step)
        + html('<details class="kl-numbers"><summary>The numbers</summary>{}</details>', numbers)
    )


def _central_share(counts: tuple[tuple[int, ...], tuple[int, ...]], width: tuple[int, int]) -> float:
    """The share of the weight in the central width[0] × width[1] pixels: per axis, the central counts over all of
    them (the width has the field's parity, so it sits exactly in the middle), multiplied."""
    share = 1.0
    for axis_counts, w in zip(counts, width, strict=True):
        start = (len(axis_counts) - w) // 2
        share *= sum(axis_counts[start : start + w]) / sum(axis_counts)
    return share


_PROFILE_CAPTION = (
    "Per axis, the share of the central output unit's input weight that each input row (or column) carries "
    "when every weight is equal: the number of paths from the unit to that pixel, divided by all paths."
)


# --- parameters and compute ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Variant:
    name: str
    layers: tuple[calc.LayerInfo, ...]
    nonlinearities: int

    @property
    def params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs or 0 for layer in self.layers)


def _variants(
    shape: tuple[int | None, ...],
    filters: Sequence[int],
    k: int,
    use_bias: bool,
    strides: int = 1,
    which: Sequence[int] = (0, 1, 2, 3),
) -> dict[int, _Variant]:
    """The four ways to cover a k×k field, by index: 0 one k×k, 1 (k-1)/2 stacked 3×3, 2 1×k then k×1,
    3 separable k×k, on an input of ``shape`` (None sizes: any), padding 'same'. Only the ones in ``which`` are
    built (the break-even search needs two).

    ``filters`` has one value per stacked 3×3 layer; the other variants end with the last of them (the stack's
    output). ``strides`` is the stride of each variant's first layer (a stem's); 1×k then k×1 take (1, s) then
    (s, 1), so that their field stays k × k.
    """
    same, last = "same", filters[-1]
    names = kernel_variant_names(k)
    made: dict[tuple[Any, ...], calc.LayerInfo] = {}

    def conv(input_shape: tuple[int | None, ...], f: int, kernel: Any, s: Any) -> calc.LayerInfo:
        key = (input_shape, f, kernel, s)  # a stack's repeated layers are computed once
        if key not in made:
            made[key] = calc.conv2d(input_shape, f, kernel, strides=s, padding=same, use_bias=use_bias)
        return made[key]

    out: dict[int, _Variant] = {}
    if 0 in which:
        out[0] = _Variant(names[0], (conv(shape, last, k, strides),), 1)
    if 1 in which:
        stack, x = [], shape
        for i, f in enumerate(filters):
            stack.append(conv(x, f, 3, strides if i == 0 else 1))
            x = stack[-1].output_shape
        out[1] = _Variant(names[1], tuple(stack), len(stack))
    if 2 in which:
        first = conv(shape, last, (1, k), (1, strides))
        out[2] = _Variant(names[2], (first, conv(first.output_shape, last, (k, 1), (strides, 1))), 2)
    if 3 in which:
        separable = calc.separable_conv2d(shape, last, k, strides=strides, padding=same, use_bias=use_bias)
        out[3] = _Variant(names[3], (separable,), 1)
    return out


@lru_cache(maxsize=64)
def _break_even(in_channels: int, k: int, use_bias: bool, variant: int) -> int | None:
    """Smallest filters count (the same in every layer) at which ``variant`` has at least as many parameters as
    one k×k layer.

    The difference is F*(a*F + b) with a >= 0, so it changes sign at most once: doubling F brackets the
    change, a binary search finds it. None when the variant never catches up (or equals it throughout).

    Kept for the last few arguments (a pure function of them): typing a number of filters changes none of them,
    and the search was most of the comparison's time.
    """
    n = max(1, (k - 1) // 2)

    def costlier(f: int) -> bool:
        v = _variants((1, 1, in_channels), [f] * n, k, use_bias, which=(0, variant))
        return v[variant].params >= v[0].params

    limit = 1 << 20
    if costlier(1):
        return 1 if costlier(limit) else None
    lo, hi = 1, 2
    while not costlier(hi):
        if hi >= limit:
            return None
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if costlier(mid) else (mid, hi)
    return hi


# The situations the home page weighs, as presets of the comparison: (button text, the fields it sets).
COMPARE_PRESETS: tuple[tuple[str, dict[str, str]], ...] = (
    ("Inside a network: 56 × 56 × 64 → 64", {"kernel_size": "7", "input_shape": "56, 56, 64", "filters": "64"}),
    (
        "Stem from 3 channels, stride 2 (ResNet-C)",
        {"kernel_size": "7", "input_shape": "224, 224, 3", "filters": "32, 32, 64", "strides": "2"},
    ),
    ("Large depthwise field: 31 × 31", {"kernel_size": "31", "input_shape": "56, 56, 64", "filters": "64"}),
)


def presets(name: str, choices: Sequence[tuple[str, Mapping[str, str]]]) -> Markup:
    """Buttons that fill calculator ``name``'s form and recompute: calculators.js reads ``data-preset``, every field of
    the form as JSON (the ones a preset does not name back to their defaults)."""
    defaults = {s.name: str(s.default).lower() if s.kind == "bool" else str(s.default) for s in inputs(name)}
    buttons = join(
        html(
            '<button type="button" class="kl-button" data-preset="{}">{}</button>',
            json.dumps({**defaults, **values}, ensure_ascii=False),
            label,
        )
        for label, values in choices
    )
    return html('<p class="kl-tools kl-presets"><span class="kl-note">Try:</span> {}</p>', buttons)


def _stride_text(layer: calc.LayerInfo) -> str:
    w = layer.window
    assert w is not None
    k, s = w.kernel, w.strides
    stride = "" if s == (1, 1) else f"/{s[0]}" if s[0] == s[1] else f"/({s[0]}, {s[1]})"
    return f"{k[0]}×{k[1]}{stride} → {layer.output_shape[-1]}"


def kernel_compare(
    kernel_size: Annotated[
        int, Input("Kernel size", "k of the one k×k layer; odd, so that (k − 1)/2 stacked 3×3 reach it", 3, 31)
    ] = 7,
    input_shape: Annotated[str, Input("Input shape", "Height, width, channels, e.g. 224, 224, 3")] = "56, 56, 64",
    filters: Annotated[
        str, Input("Filters", "One for every layer, or one per stacked 3×3 layer (the last is every variant's)")
    ] = "64",
    strides: Annotated[int, Input("Strides", "Of each variant's first layer, e.g. 2 at a stem", 1, 16)] = 1,
    use_bias: Annotated[bool, Input("Use bias", "Keras' use_bias on every layer")] = True,
) -> Markup:
    """One k×k Conv2D against the layers that reach (at least) the same receptive field with fewer weights."""
    k = kernel_size
    if k % 2 == 0:
        raise InputError("kernel_size", f"must be odd so that stacked 3×3 layers reach it exactly, got {k}")
    shape = tuple(int_list("input_shape", input_shape))
    if len(shape) != 3 or min(shape) < 1:
        raise InputError("input_shape", "give height, width and channels, three whole numbers from 1 up")
    n = (k - 1) // 2
    fs = int_list("filters", filters, n)
    if len(fs) != n:  # k = 3: one layer, so one value
        raise InputError("filters", f"give one value (a {k}×{k} layer has no stack of 3×3 layers); got {len(fs)}")
    if min(fs) < 1:
        raise InputError("filters", "filters must be at least 1")
    # k = 3: the "stack" would be the single layer again; no row for it.
    which = (0, 2, 3) if k == 3 else (0, 1, 2, 3)
    with blame({"filters": "filters", "input_shape": "input_shape", "strides": "strides"}, "kernel_size"):
        variants = _variants(shape, fs, k, use_bias, strides, which)
    base = variants[0]
    rows, described = [], []
    for v in variants.values():
        rf = calc.receptive_field(v.layers)
        assert rf is not None
        rows.append(
            (v.name, len(v.layers), v.params, ratio_text(v.params / base.params), v.macs,
             ratio_text(v.macs / base.macs) if base.macs else "—", f"{rf.size[0]} × {rf.size[1]}")
        )  # fmt: skip
        described.append(f"{v.name}: {', '.join(_stride_text(layer) for layer in v.layers)}")
    head = ("Variant", "Layers", "Params", "Params ÷ k×k", "MACs", "MACs ÷ k×k", "Receptive field")
    caption = f"Input {shape_text(shape)}, output {shape_text(base.layers[-1].output_shape)}"
    note = html(
        '<p class="kl-note">Layers (kernel/stride → filters): {}. MACs: one per multiply-add (FLOPs = 2 × MACs). '
        "Every layer adds one activation (nonlinearity).</p>",
        "; ".join(described),
    )
    return (
        presets("kernel_compare", COMPARE_PRESETS)
        + _compare_summary(variants, shape)
        + table(head, rows, caption)
        + note
        + _break_even_chart(shape[2], k, use_bias, fs[-1])
        + code_panel(kernel_compare_script(k, shape, fs, strides, use_bias))
    )


def _compare_summary(variants: Mapping[int, _Variant], shape: Sequence[int]) -> Markup:
    """The key figures in one line: each variant's parameters and MACs as a multiple of the one k×k layer's."""
    base = variants[0]
    parts = [
        html(
            "{}: <strong>{}</strong> the parameters, <strong>{}</strong> the MACs",
            v.name,
            ratio_text(v.params / base.params),
            ratio_text(v.macs / base.macs) if base.macs else "—",
        )
        for i, v in variants.items()
        if i
    ]
    return html(
        '<p class="kl-summary">{} on {}: {} parameters, {} MACs. {}.</p>',
        base.name, shape_text(tuple(shape)), integer(base.params), integer(base.macs), join(parts, "; "),
    )  # fmt: skip


@lru_cache(maxsize=1024)
def _params_ratios(in_channels: int, k: int, use_bias: bool, filters: int) -> tuple[float, float, float]:
    """Parameters of variants 1, 2 and 3 over the one k×k layer's, ``filters`` in every layer; kept for the last
    thousand arguments (a pure function of them): the chart's points, most of which stay when the filters change."""
    v = _variants((1, 1, in_channels), [filters] * max(1, (k - 1) // 2), k, use_bias)
    return v[1].params / v[0].params, v[2].params / v[0].params, v[3].params / v[0].params


def _break_even_chart(in_channels: int, k: int, use_bias: bool, current: int) -> Markup:
    """Parameters of each variant over the one k×k layer's, by filters (the same in every layer), on a log scale
    so that every ratio is drawn where it is; the reader's filters marked."""
    lo = max(1, min(in_channels, current) // 16)
    hi = max(in_channels, current) * 16
    filters = sorted({max(1, round(lo * (hi / lo) ** (i / 24))) for i in range(25)})
    names = ("stacked 3×3", "1×k then k×1", "separable")
    shown = (2, 3) if k == 3 else (1, 2, 3)
    series: list[tuple[str, list[tuple[float, float]]]] = [(names[i - 1], []) for i in shown]
    for f in filters:
        ratios = _params_ratios(in_channels, k, use_bias, f)
        for j, i in enumerate(shown):
            series[j][1].append((f, ratios[i - 1]))
    markers = [(float(current), f"your filters: {integer(current)}")]
    notes = []
    for i in shown[:-1]:
        label = names[i - 1]
        even = _break_even(in_channels, k, use_bias, i)
        if even is None:
            notes.append(f"{label}: never costlier than one {k}×{k} layer")
        else:
            notes.append(f"{label}: as costly as one {k}×{k} layer from {integer(even)} filters on")
    chart = line_chart(
        series,
        f"filters, every layer (input channels fixed at {in_channels})",
        f"params ÷ one {k}×{k} layer",
        f"Parameters of each variant relative to one {k}×{k} layer, by number of filters",
        x_log=True,
        y_log=True,
        markers=markers,
        reference_y=1.0,
    )
    caption = html(
        "Break-even (parameters; MACs follow the same ratio without bias and stride): {}. Above the dashed line "
        "a variant costs more than the single layer; the scale is logarithmic.",
        "; ".join(notes),
    )
    return captioned(chart, caption)


# --- Inception module ---------------------------------------------------------------------------------------------


def inception(
    size: Annotated[int, Input("Feature map size", "Height and width of the module's input", 1, 4096)] = 28,
    in_channels: Annotated[int, Input("Input channels", "Channels entering the module", 1, 65536)] = 192,
    filters_1x1: Annotated[int, Input("#1×1", "Filters of the 1×1 branch", 1, 65536)] = 64,
    filters_3x3_reduce: Annotated[int, Input("#3×3 reduce", "1×1 filters before the 3×3", 1, 65536)] = 96,
    filters_3x3: Annotated[int, Input("#3×3", "Filters of the 3×3 convolution", 1, 65536)] = 128,
    filters_5x5_reduce: Annotated[int, Input("#5×5 reduce", "1×1 filters before the 5×5", 1, 65536)] = 16,
    filters_5x5: Annotated[int, Input("#5×5", "Filters of the 5×5 convolution", 1, 65536)] = 32,
    pool_proj: Annotated[int, Input("Pool proj", "1×1 filters after the 3×3 max pooling", 1, 65536)] = 32,
) -> Markup:
    """Naive Inception module (parallel 1×1, 3×3, 5×5, pooling) against the version with 1×1 reductions."""
    shape = (size, size, in_channels)
    same = "same"
    fields = {"filters": "filters_1x1", "input_shape": "size"}
    with blame(fields, "size"):
        pool = calc.max_pooling2d(shape, 3, 1, same)
        naive = {
            "1×1": [calc.conv2d(shape, filters_1x1, 1, padding=same)],
            "3×3": [calc.conv2d(shape, filters_3x3, 3, padding=same)],
            "5×5": [calc.conv2d(shape, filters_5x5, 5, padding=same)],
            "pool": [pool],
        }
        r3 = calc.conv2d(shape, filters_3x3_reduce, 1, padding=same)
        r5 = calc.conv2d(shape, filters_5x5_reduce, 1, padding=same)
        reduced = {
            "1×1": [calc.conv2d(shape, filters_1x1, 1, padding=same)],
            "3×3": [r3, calc.conv2d(r3.output_shape, filters_3x3, 3, padding=same)],
            "5×5": [r5, calc.conv2d(r5.output_shape, filters_5x5, 5, padding=same)],
            "pool": [pool, calc.conv2d(pool.output_shape, pool_proj, 1, padding=same)],
        }
        out_naive = calc.concatenate([b[-1].output_shape for b in naive.values()])
        out_reduced = calc.concatenate([b[-1].output_shape for b in reduced.values()])
    rows: list[tuple[str, int, int, int, int, int, int]] = []
    totals = [0, 0, 0, 0]
    for branch in naive:
        a, b = naive[branch], reduced[branch]
        pa, pb = sum(x.params for x in a), sum(x.params for x in b)
        ma, mb = sum(x.macs or 0 for x in a), sum(x.macs or 0 for x in b)
        ca, cb = a[-1].output_shape[-1], b[-1].output_shape[-1]
        assert ca is not None and cb is not None
        rows.append((branch, pa, ma, ca, pb, mb, cb))
        for j, v in enumerate((pa, ma, pb, mb)):
            totals[j] += v
    tot = (
        "total",
        totals[0],
        totals[1],
        out_naive.output_shape[-1],
        totals[2],
        totals[3],
        out_reduced.output_shape[-1],
    )
    head = (
        "Branch",
        "Naive params",
        "Naive MACs",
        "Naive channels",
        "Reduced params",
        "Reduced MACs",
        "Reduced channels",
    )
    ratio = totals[1] / totals[3] if totals[3] else float("inf")
    branch_filters = (filters_1x1, filters_3x3_reduce, filters_3x3, filters_5x5_reduce, filters_5x5, pool_proj)
    summary = html(
        '<p class="kl-summary">Output: naive {}, with 1×1 reductions {}. The reductions cut the MACs by a factor '
        "of <strong>{:.2f}</strong> ({} → {}).</p>",
        shape_text(out_naive.output_shape), shape_text(out_reduced.output_shape), ratio, integer(totals[1]),
        integer(totals[3]),
    )  # fmt: skip
    return (
        summary
        + table(head, [*rows, tot], f"Inception module on a {shape_text(shape)} input, padding 'same'")
        + bars(
            [(r[0], (r[2], r[5])) for r in rows],
            ("naive", "with 1×1 reductions"),
            "MACs per branch: naive against reduced",
        )
        + code_panel(inception_script(size, in_channels, *branch_filters))
    )


# --- one layer ----------------------------------------------------------------------------------------------------

LAYER_CLASSES = (
    "Conv2D",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "Conv2DTranspose",
    "MaxPooling2D",
    "AveragePooling2D",
)


def layer(
    class_name: Annotated[str, Input("Layer", "Keras layer class", choices=LAYER_CLASSES)] = "Conv2D",
    height: Annotated[int, Input("Input height", "Pixels", 1, 1 << 20)] = 224,
    width: Annotated[int, Input("Input width", "Pixels", 1, 1 << 20)] = 224,
    channels: Annotated[int, Input("Input channels", "Channels of the input", 1, 1 << 20)] = 3,
    filters: Annotated[int, Input("Filters", "Output channels (Conv2D, SeparableConv2D, transpose)", 1, 1 << 20)] = 64,
    kernel_height: Annotated[int, Input("Kernel height", "kernel_size (pool_size for pooling)", 1, 1024)] = 7,
    kernel_width: Annotated[int, Input("Kernel width", "kernel_size (pool_size for pooling)", 1, 1024)] = 7,
    strides: Annotated[int, Input("Strides", "Same on both axes", 1, 1024)] = 2,
    padding: Annotated[str, Input("Padding", "Keras padding", choices=("valid", "same"))] = "same",
    dilation_rate: Annotated[int, Input("Dilation rate", "Same on both axes; 1 with strides > 1", 1, 1024)] = 1,
    groups: Annotated[int, Input("Groups", "Conv2D only: must divide channels and filters", 1, 1 << 20)] = 1,
    depth_multiplier: Annotated[int, Input("Depth multiplier", "Depthwise and separable only", 1, 1024)] = 1,
    use_bias: Annotated[bool, Input("Use bias", "Keras use_bias")] = True,
    dtype: Annotated[str, Input("Data type", "For the memory figures", choices=tuple(calc.DTYPE_BYTES))] = "float32",
    row: Annotated[int, Input("Drawn output row", "The output unit the drawing shows, from 0", 0, 1 << 20)] = 0,
    col: Annotated[int, Input("Drawn output column", "The output unit the drawing shows, from 0", 0, 1 << 20)] = 0,
) -> Markup:
    """Shape, parameters, MACs, memory and receptive field of one Conv2D-family layer, and a drawing of it."""
    uses = calc.layer_arguments(class_name)
    config: dict[str, Any] = {"strides": strides, "padding": padding}
    config["pool_size" if "pool_size" in uses else "kernel_size"] = (kernel_height, kernel_width)
    for name, value in (
        ("filters", filters),
        ("dilation_rate", dilation_rate),
        ("groups", groups),
        ("depth_multiplier", depth_multiplier),
        ("use_bias", use_bias),
    ):
        if name in uses:
            config[name] = value
    fields = {"kernel_size": "kernel_height", "pool_size": "kernel_height", "input_shape": "height"}
    fields.update({k: k for k in ("filters", "strides", "dilation_rate", "groups", "depth_multiplier")})
    with blame(fields, "class_name"):
        info = calc.layer_info(class_name, config, (height, width, channels))
    rf = calc.receptive_field([info])
    ignored = [n for n in ("filters", "dilation_rate", "groups", "depth_multiplier", "use_bias") if n not in uses]
    rows: list[tuple[str, str | int | None]] = [
        ("Output shape", shape_text(info.output_shape)),
        ("Parameters", info.params),
        ("Trainable parameters", info.trainable_params),
        ("MACs", info.macs),
        ("FLOPs (2 × MACs)", info.flops),
        (f"Output activations ({dtype})", nbytes(info.activation_bytes(dtype))),
        (f"Weights ({dtype})", nbytes(info.weight_bytes(dtype))),
    ]
    if rf is not None:
        rows.append(("Receptive field", f"{rf.size[0]} × {rf.size[1]}"))
        rows.append(("Jump (stride)", f"{rf.stride[0]} × {rf.stride[1]}"))
        pad = rf.padding
        rows.append(("Padding before (top, left)", f"{pad[0]}, {pad[1]}"))
    else:
        rows.append(("Receptive field", "depends on the position (strided transpose)"))
    note = html('<p class="kl-note">Not used by {}: {}.</p>', class_name, ", ".join(ignored)) if ignored else ""
    for name, value, size in (("row", row, info.output_shape[0]), ("col", col, info.output_shape[1])):
        if size is not None and value >= size:
            raise InputError(name, f"the output has {size} {'rows' if name == 'row' else 'columns'} (0 to {size - 1})")
    return (
        table(("Figure", "Value"), rows, f"keras.layers.{class_name} on a {height} × {width} × {channels} input")
        + note
        + convolution_diagram(info, height, width, row, col)
        + code_panel(layer_script(class_name, (height, width, channels), config, dtype))
        + command_panel(layer_command(class_name, (height, width, channels), config))
    )


# --- static figures (no form: rendered at build time only) --------------------------------------------------------


def short_answer() -> Markup:
    """The home page's short answer: one 7×7 Conv2D against three stacked 3×3 Conv2D, inside a network
    (56 × 56 × 64 → 64) and at a real stem (224 × 224 × 3 → 64, stride 2: ResNet's 7×7/2 against the 3×3/2 → 32,
    3×3 → 32, 3×3 → 64 of ResNet-C, He et al., "Bag of Tricks", 2019). Padding 'same', bias on."""
    Spec = tuple[int, int, int]  # filters, kernel size, stride
    cases: tuple[tuple[str, tuple[int, int, int], tuple[Spec, ...], tuple[Spec, ...]], ...] = (
        ("Inside a network", (56, 56, 64), ((64, 7, 1),), ((64, 3, 1),) * 3),
        ("At the stem", (224, 224, 3), ((64, 7, 2),), ((32, 3, 2), (32, 3, 1), (64, 3, 1))),
    )

    def chain(input_shape: tuple[int, ...], specs: tuple[Spec, ...]) -> list[calc.LayerInfo]:
        layers: list[calc.LayerInfo] = []
        shape: tuple[int | None, ...] = input_shape
        for filters, k, s in specs:
            layers.append(calc.conv2d(shape, filters, k, strides=s, padding="same"))
            shape = layers[-1].output_shape
        return layers

    def named(specs: tuple[Spec, ...]) -> str:
        return ", ".join(f"{k}×{k}{f'/{s}' if s != 1 else ''} → {f}" for f, k, s in specs)

    rows, layers = [], []
    for label, input_shape, single_specs, stack_specs in cases:
        single, stack = chain(input_shape, single_specs), chain(input_shape, stack_specs)
        params = [sum(layer.params for layer in c) for c in (single, stack)]
        macs = [sum(layer.macs or 0 for layer in c) for c in (single, stack)]
        shapes = f"{shape_text(input_shape)} → {shape_text(single[-1].output_shape)}"
        rows.append(
            (f"{label}, {shapes}", params[0], params[1], ratio_text(params[1] / params[0]), macs[0], macs[1],
             ratio_text(macs[1] / macs[0]))
        )  # fmt: skip
        layers.append(f"{label.lower()}, {named(single_specs)} against {named(stack_specs)}")
    head = ("Case", "7×7 params", "3×3 stack params", "Params ratio", "7×7 MACs", "3×3 stack MACs", "MACs ratio")
    caption = "One 7×7 Conv2D against three stacked 3×3 Conv2D (padding 'same', bias on; MACs per image)"
    f = _break_even(64, 7, True, 1)
    return table(head, rows, caption) + html(
        '<p class="kl-note">Layers (kernel/stride → filters): {}. Ratios: the stack over the single layer. With 64 '
        "input channels the stack stays cheaper up to {} filters.</p>",
        "; ".join(layers),
        integer((f or 1) - 1),
    )


def _effective_variants(k: int) -> dict[str, list[calc.LayerInfo]]:
    """The ways to cover a k×k field that the pages compare (those of the kernel comparison), as chains of layers
    on any input size; channels and padding do not change an effective field."""
    return {v.name: list(v.layers) for v in _variants((None, None, 1), [1] * ((k - 1) // 2), k, True).values()}


def effective_field_table() -> Markup:
    """The effective field (equal weights) of each way to cover a k×k field, k = 5, 7, 9, 11."""
    rows = []
    for k in (5, 7, 9, 11):
        for name, layers in _effective_variants(k).items():
            field = calc.effective_receptive_field(layers)
            rows.append(
                (
                    name,
                    f"{field.size[0]} × {field.size[1]}",
                    f"{field.std[0]:.2f}",
                    f"{field.width_50[0]} × {field.width_50[1]}",
                    f"{field.width_90[0]} × {field.width_90[1]}",
                )
            )
    head = ("Layers", "Receptive field", "Std (pixels)", "Central 50 %", "Central 90 %")
    return table(head, rows, "Effective field with equal weights, per axis (rows; columns are the same)")


def effective_field_maps() -> Markup:
    """Heat maps of one 7×7 layer against three stacked 3×3 layers (equal weights), side by side."""
    fields = {name: calc.effective_receptive_field(layers) for name, layers in _effective_variants(7).items()}
    shown = list(fields.items())[:2]
    top = max(max(max(row) for row in f.map()) for _, f in shown)  # one scale for both
    maps = [heat_map(f.map(), f"{name}: computed, standard deviation {f.std[0]:.2f} pixels", top) for name, f in shown]
    return html('<div class="kl-side">{}</div>', join(maps))


FIGURES: dict[str, Callable[[], Markup]] = {
    "short_answer": short_answer,
    "effective_field_table": effective_field_table,
    "effective_field_maps": effective_field_maps,
}

CALCULATORS: dict[str, Callable[..., Markup]] = {
    "receptive_field": receptive_field,
    "effective_field": effective_field,
    "kernel_compare": kernel_compare,
    "inception": inception,
    "layer": layer,
    "analyzer": analyzer,
}


def figure(name: str) -> Markup:
    """A static figure's HTML (the short answer on the home page, ...)."""
    return FIGURES[name]()


@cache
def inputs(name: str) -> tuple[Input, ...]:
    """The form of calculator ``name``: one Input per parameter."""
    return read_inputs(CALCULATORS[name])


def render(name: str, **values: Any) -> Markup:
    """Result HTML of calculator ``name`` for typed ``values`` (missing ones take their defaults)."""
    return CALCULATORS[name](**values)


def run(name: str, raw: Mapping[str, Any]) -> Markup:
    """Like render, from raw form values (strings, or bytes for a file); raises InputError on bad input."""
    if not isinstance(name, str) or name not in CALCULATORS:
        raise InputError("", f"no calculator named {name!r}")
    values = {spec.name: coerce(spec, raw[spec.name]) for spec in inputs(name) if spec.name in raw}
    return render(name, **values)
