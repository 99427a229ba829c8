"""ConvNeXtTiny as keras.applications builds it (7×7 depthwise kernels) and with 3×3 depthwise kernels, everything
else equal, through calc: parameters and MACs by layer kind, and the receptive field at the end of each stage
(docs/large-kernels.md).

A page asks for the figure with ``<div data-figure="convnext"></div>`` and for one of its numbers inside a sentence
with ``<span data-figure="convnext" data-arg="NAME"></span>`` (NAME a key of :func:`facts`);
website/kernel_lab_mkdocs/figures.py registers it (analysed once per build).
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import calc
from calc.text import effective_std, integer, pair, percent, shape
from kernel_lab.applications import CONFIG_FOLDER
from kernel_lab.charts import bars
from kernel_lab.html import Markup, html, join, scroll_region, table

__all__ = [
    "FIGURES",
    "Leaf",
    "NoDepthwiseError",
    "Stage",
    "Variant",
    "analyse",
    "facts",
    "figure",
    "is_depthwise",
    "kind_of",
    "layer_entries",
    "leaves",
    "load",
    "variant",
    "with_depthwise_kernel",
]

APPLICATION = "ConvNeXtTiny"
CONFIG = Path(__file__).resolve().parents[2] / "docs" / CONFIG_FOLDER / f"{APPLICATION}.json.gz"
INPUT_SHAPE = (224, 224, 3)
SMALL_KERNEL = 3  # the variant's depthwise kernel size

# Layer kinds, in the tables' order; a leaf layer's kind is decided by kind_of.
STEM, DEPTHWISE, POINTWISE, DOWNSAMPLING = "stem conv", "depthwise", "pointwise (Dense)", "downsampling conv"
NORM, SCALE, HEAD, OTHER = "LayerNormalization", "layer scale", "head", "other"
KINDS = (STEM, DEPTHWISE, POINTWISE, DOWNSAMPLING, NORM, SCALE, HEAD, OTHER)


class NoDepthwiseError(ValueError):
    """The model has no depthwise layer whose kernel size could be changed."""


def load(path: Path = CONFIG) -> dict[str, Any]:
    """A gzipped Keras model config (the analyzer's keras.applications configs are stored so)."""
    config: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    return config


def is_depthwise(entry: Mapping[str, Any]) -> bool:
    """A layer entry that is a depthwise convolution: a DepthwiseConv2D, or a Conv2D with one filter per group
    (groups == filters > 1), which is how Keras's ConvNeXt writes its depthwise layers."""
    cls, cfg = entry.get("class_name"), entry.get("config")
    if not isinstance(cfg, Mapping):
        return False
    if cls == "DepthwiseConv2D":
        return True
    groups = cfg.get("groups", 1)
    return cls == "Conv2D" and isinstance(groups, int) and groups > 1 and groups == cfg.get("filters")


def layer_entries(config: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every layer entry of a model config in order, the layers of nested models included."""
    for entry in config.get("config", {}).get("layers", []):
        yield entry
        if isinstance(entry.get("config"), dict) and "layers" in entry["config"]:
            yield from layer_entries(entry)


def with_depthwise_kernel(config: Mapping[str, Any], kernel_size: int) -> dict[str, Any]:
    """A copy of a Keras model config with every depthwise layer's kernel size set to ``kernel_size`` × ``kernel_size``
    (see :func:`is_depthwise`); padding, strides and every other setting unchanged.

    Raises:
        NoDepthwiseError: the model has no depthwise layer.
    """
    out = copy.deepcopy(dict(config))
    found = [entry for entry in layer_entries(out) if is_depthwise(entry)]
    if not found:
        name = out.get("config", {}).get("name", "model")
        raise NoDepthwiseError(
            f"{name}: no depthwise layer (DepthwiseConv2D, or Conv2D with groups == filters) whose kernel size could "
            "be changed"
        )
    for entry in found:
        entry["config"]["kernel_size"] = [kernel_size, kernel_size]
    return out


@dataclass(frozen=True, slots=True)
class Leaf:
    """One layer that is not a model: calc's row for it, its config entry and its input shape."""

    row: calc.LayerRow
    entry: Mapping[str, Any]
    input_shape: tuple[int | None, ...] | None


def leaves(config: Mapping[str, Any], summary: calc.Summary, start: Sequence[int | None] | None = None) -> list[Leaf]:
    """calc's rows with nested models opened up (calc gives a nested model one row; it is summarized on its own,
    on the shape it receives, and must add up to that row). ``start``: the input shape of a first layer."""
    entries = {entry["config"]["name"]: entry for entry in config["config"]["layers"]}
    rows = {row.name: row for row in summary.layers}
    out: list[Leaf] = []
    for row in summary.layers:
        entry = entries[row.name]
        given = rows[row.inbound[0]].output_shape if row.inbound else start
        if "layers" not in entry["config"]:
            out.append(Leaf(row, entry, None if given is None else tuple(given)))
            continue
        inner = calc.summarize(entry, given)
        if (inner.params, inner.macs) != (row.params, row.macs):
            raise ValueError(f"{row.name}: its layers do not add up to calc's row for the nested model")
        out += leaves(entry, inner, given)
    return out


def kind_of(leaf: Leaf, convolutions_before: int) -> str:
    """A leaf's kind: the head is everything on a vector (after the global pooling); the first full convolution is
    the stem and later ones downsample; Dense on every pixel is a pointwise (1×1) convolution."""
    out = leaf.row.output_shape
    if out is not None and len(out) == 1:
        return HEAD
    if is_depthwise(leaf.entry):
        return DEPTHWISE
    if leaf.row.class_name == "Conv2D":
        return STEM if convolutions_before == 0 else DOWNSAMPLING
    return {"Dense": POINTWISE, "LayerNormalization": NORM, "LayerScale": SCALE}.get(leaf.row.class_name, OTHER)


@dataclass(frozen=True, slots=True)
class Stage:
    """The end of one stage: its output shape, theoretical receptive field and the effective field's std along
    the path through every block."""

    output_shape: tuple[int | None, ...]
    receptive_field: calc.ReceptiveField
    effective_std: tuple[float, float]


@dataclass(frozen=True, slots=True)
class Variant:
    """One model through calc: its summary, its leaf layers with their kinds, figures by kind, stage ends."""

    kernel_size: tuple[int, int]
    summary: calc.Summary
    leaves: list[tuple[Leaf, str]]
    stages: list[Stage]

    def total(self, what: str) -> int:
        return sum(getattr(leaf.row, what) or 0 for leaf, _ in self.leaves)

    def by_kind(self, what: str) -> dict[str, int]:
        """Parameters (``what="params"``) or MACs (``"macs"``) summed by kind, every kind listed."""
        out = dict.fromkeys(KINDS, 0)
        for leaf, kind in self.leaves:
            out[kind] += getattr(leaf.row, what) or 0
        return out

    def count(self, kind: str) -> int:
        return sum(1 for _, k in self.leaves if k == kind)


def _stages(kinded: Sequence[tuple[Leaf, str]]) -> list[Stage]:
    """The receptive field at the end of each stage (before each downsampling convolution, and at the last
    convolution), from the chain of convolutions up to there: the path through every block, which the shortcuts
    skip. Along that path calc gives the effective field's std; with the shortcuts the network's effective field
    is a mixture of shorter paths, so that std is its upper bound."""
    chain: list[calc.LayerInfo] = []
    out: list[Stage] = []

    def close() -> None:
        field = calc.receptive_field(chain)
        if field is None:
            raise ValueError("no receptive field at a stage end")
        out.append(Stage(chain[-1].output_shape, field, calc.effective_receptive_field(chain).std))

    for leaf, kind in kinded:
        if kind == DOWNSAMPLING:
            close()
        if kind in (STEM, DEPTHWISE, DOWNSAMPLING):
            chain.append(calc.layer_info(leaf.row.class_name, leaf.entry["config"], leaf.input_shape))
    close()
    return out


def variant(config: Mapping[str, Any]) -> Variant:
    """One model config through calc at INPUT_SHAPE."""
    summary = calc.summarize(config, INPUT_SHAPE)
    if summary.partial:
        raise ValueError(f"calc could not count every layer: {summary.warnings}")
    kinded: list[tuple[Leaf, str]] = []
    convolutions = 0
    for leaf in leaves(config, summary):
        kind = kind_of(leaf, convolutions)
        convolutions += kind in (STEM, DOWNSAMPLING)
        kinded.append((leaf, kind))
    sizes = {tuple(leaf.entry["config"]["kernel_size"]) for leaf, kind in kinded if kind == DEPTHWISE}
    if len(sizes) != 1:
        raise ValueError(f"expected one depthwise kernel size, got {sorted(sizes)}")
    (size,) = sizes
    return Variant((int(size[0]), int(size[1])), summary, kinded, _stages(kinded))


def analyse(config: Mapping[str, Any] | None = None) -> tuple[Variant, Variant]:
    """ConvNeXtTiny (the shipped config unless ``config`` is given) as built, and with SMALL_KERNEL depthwise
    kernels."""
    base = load() if config is None else config
    return variant(base), variant(with_depthwise_kernel(base, SMALL_KERNEL))


def _share(part: int, whole: int) -> str:
    """``part`` as a percentage of ``whole``, two significant digits (whole percentages would round the
    depthwise layers' 1.2 % to 1 %)."""
    return percent(part / whole, digits=2)


def _name(v: Variant) -> str:
    return f"{v.kernel_size[0]}×{v.kernel_size[1]}"


def facts(large: Variant, small: Variant) -> dict[str, str]:
    """The numbers the page quotes, by name: totals, the depthwise and pointwise layers' share, and the cost of
    the large kernels (the model with them minus the one without)."""
    out = {"large": _name(large), "small": _name(small), "depthwise_layers": integer(large.count(DEPTHWISE))}
    for tag, v in (("large", large), ("small", small)):
        for what in ("params", "macs"):
            total, kinds = v.total(what), v.by_kind(what)
            out[f"{what}_{tag}"] = integer(total)
            for kind, short in ((DEPTHWISE, "depthwise"), (POINTWISE, "pointwise")):
                out[f"{short}_{what}_{tag}"] = integer(kinds[kind])
                out[f"{short}_{what}_share_{tag}"] = _share(kinds[kind], total)
        out[f"field_{tag}"] = pair(v.stages[-1].receptive_field.size)
        out[f"std_{tag}"] = effective_std(v.stages[-1].effective_std) or ""
    for what in ("params", "macs"):
        extra = large.total(what) - small.total(what)
        out[f"{what}_extra"] = integer(extra)
        out[f"{what}_extra_share"] = _share(extra, large.total(what))
    out["flops_convention"] = large.summary.totals()["flops_convention"]
    return out


def _kind_table(large: Variant, small: Variant, what: str, label: str) -> Markup:
    """Parameters or MACs by layer kind, with each kind's share of its model's total, for both models."""
    a, b = large.by_kind(what), small.by_kind(what)
    ta, tb = large.total(what), small.total(what)
    rows: list[Sequence[str]] = [
        (kind, integer(large.count(kind)), integer(a[kind]), _share(a[kind], ta), integer(b[kind]), _share(b[kind], tb))
        for kind in KINDS
    ]
    rows.append(("total", integer(len(large.leaves)), integer(ta), _share(ta, ta), integer(tb), _share(tb, tb)))
    head = ("Layer kind", "Layers", f"{label}, {_name(large)}", "Share", f"{label}, {_name(small)}", "Share")
    caption = (
        f"{label} by layer kind, {APPLICATION} on a {shape(INPUT_SHAPE)} input: depthwise kernels "
        f"{_name(large)} (as Keras builds it) and {_name(small)}"
    )
    return scroll_region(table(head, rows, caption), caption)


def _stage_table(large: Variant, small: Variant) -> Markup:
    """Receptive field and effective-field std at the end of each stage, for both models."""
    rows = [
        (
            f"stage {i + 1}",
            shape(s.output_shape),
            pair(s.receptive_field.size),
            pair(t.receptive_field.size),
            effective_std(s.effective_std),
            effective_std(t.effective_std),
        )
        for i, (s, t) in enumerate(zip(large.stages, small.stages, strict=True))
    ]
    a, b = _name(large), _name(small)
    head = ("End of", "Output", f"Receptive field, {a}", f"Receptive field, {b}", f"Std, {a} (px)", f"Std, {b} (px)")
    caption = (
        "Theoretical receptive field (pixels) at the end of each stage, and the standard deviation of the "
        "effective field with equal weights along the path through every block (the most any mixture of shorter "
        "paths through the shortcuts can spread)"
    )
    return scroll_region(table(head, rows, caption), caption)


def figure(
    arg: str = "", config: Mapping[str, Any] | None = None, variants: tuple[Variant, Variant] | None = None
) -> Markup:
    """The page's figure (tables of parameters and MACs by layer kind, their bar charts, the stage ends), or with
    ``arg`` the one number of :func:`facts` it names, as text for a sentence. ``variants``: :func:`analyse`'s
    result when the caller has it (a page quotes a dozen numbers of one analysis)."""
    large, small = analyse(config) if variants is None else variants
    if arg:
        return html("{}", facts(large, small)[arg])
    names = (f"{_name(large)} depthwise", f"{_name(small)} depthwise")
    charts = [
        bars(
            [(kind, (large.by_kind(what)[kind], small.by_kind(what)[kind])) for kind in KINDS],
            names,
            f"{label} by layer kind: {names[0]} against {names[1]}",
        )
        for what, label in (("params", "Parameters"), ("macs", "MACs"))
    ]
    return join(
        [
            _kind_table(large, small, "params", "Parameters"),
            charts[0],
            _kind_table(large, small, "macs", "MACs"),
            charts[1],
            _stage_table(large, small),
        ]
    )


# Figures by marker name (data-figure); each takes the marker's data-arg.
FIGURES: dict[str, Callable[[str], Markup]] = {"convnext": figure}
