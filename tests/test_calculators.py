"""The site's calculators (website/kernel_lab/calculators.py): forms, errors, and every figure they show checked
against real Keras (parameter counts from count_params(), shapes from the built layers, MACs from Keras's own output
shapes and kernel sizes), or against hand-derived values written as arithmetic.

Run time: about 10 s, most of it importing TensorFlow and building small models.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest

import calc
from calc.text import nbytes
from kernel_lab.calculators import CALCULATORS, inputs, render, run
from kernel_lab.forms import InputError
from kernel_lab.worker import handle
from tests.html_tables import tables

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]


def records(html: str, index: int = 0) -> list[dict[str, str]]:
    """Rows of the ``index``-th table as dicts keyed by the header row."""
    head, *rows = tables(html)[index]
    return [dict(zip(head, row, strict=True)) for row in rows]


def number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def keras() -> Any:
    return pytest.importorskip("keras")


def _macs(model: Any) -> int:
    """MACs from Keras's own tensors: for each convolution, output positions × weights per position."""
    total = 0
    for layer in model.layers:
        if not layer.weights:
            continue
        out = layer.output.shape
        positions = math.prod(out[1:3])
        if type(layer).__name__ == "SeparableConv2D":
            depthwise, pointwise = layer.depthwise_kernel.shape, layer.pointwise_kernel.shape
            total += positions * (math.prod(depthwise) + math.prod(pointwise))
        else:
            total += positions * math.prod(layer.kernel.shape)
    return total


# --- forms ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_every_parameter_has_a_complete_field(name: str) -> None:
    for spec in inputs(name):
        assert spec.label and spec.name and spec.kind in ("int", "bool", "choice", "text", "textarea", "file")
        if spec.kind == "int":
            assert spec.minimum is not None and spec.maximum is not None
            assert spec.minimum <= spec.default <= spec.maximum
        if spec.kind == "choice":
            assert spec.default in spec.choices


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_defaults_render_and_raw_strings_give_the_same_result(name: str) -> None:
    raw = {s.name: ("" if s.kind == "file" else str(s.default)) for s in inputs(name) if s.kind != "bool"}
    assert run(name, raw) == render(name)


def test_bad_inputs_name_their_field() -> None:
    cases = [
        ("layer", {"strides": "two"}, "strides"),
        ("layer", {"strides": "0"}, "strides"),
        ("layer", {"padding": "full"}, "padding"),
        ("layer", {"kernel_height": "300", "padding": "valid", "height": "224"}, "kernel_height"),
        ("layer", {"filters": "6", "groups": "4", "channels": "8"}, "groups"),
        ("kernel_compare", {"kernel_size": "8"}, "kernel_size"),
        ("receptive_field", {"kernel_sizes": "3, 3", "strides": "1, 1, 1"}, "strides"),
        ("receptive_field", {"kernel_sizes": "3, 3, 3", "input_size": "6"}, "kernel_sizes"),  # calc blames kernel_size
        ("analyzer", {"source": "{not json"}, "source"),
    ]
    for name, raw, field in cases:
        with pytest.raises(InputError) as caught:
            run(name, raw)
        assert caught.value.field == field, (name, raw, str(caught.value))
        reply = json.loads(handle(json.dumps({"name": name, "inputs": raw})))
        assert reply == {"ok": False, "field": field, "message": str(caught.value)}


def test_handle_answers_html_and_never_raises_on_bad_requests() -> None:
    ok = json.loads(handle(json.dumps({"name": "layer", "inputs": {"filters": "32"}})))
    assert ok["ok"] and ok["html"] == run("layer", {"filters": "32"})
    unknown = json.loads(handle(json.dumps({"name": "nope", "inputs": {}})))
    assert unknown["ok"] is False and "nope" in unknown["message"]


# --- receptive field: hand-derived -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernels", "strides", "dilations", "size", "jump"),
    [
        ("3, 3, 3", "1", "1", 1 + 3 * (3 - 1), 1),
        ("3, 3", "1", "1", 1 + 2 * (3 - 1), 1),
        ("7", "1", "1", 7, 1),
        ("3, 3, 3", "2, 1, 1", "1", 1 + (3 - 1) + (3 - 1) * 2 + (3 - 1) * 2, 2),
        ("3, 3, 3", "1", "1, 2, 4", 1 + (3 - 1) * 1 + (3 - 1) * 2 + (3 - 1) * 4, 1),
        ("3, 3", "2", "1", 1 + (3 - 1) + (3 - 1) * 2, 4),
    ],
)
def test_receptive_field_table(kernels: str, strides: str, dilations: str, size: int, jump: int) -> None:
    html = run(
        "receptive_field",
        {"kernel_sizes": kernels, "strides": strides, "dilation_rates": dilations, "input_size": "64"},
    )
    last = records(html)[-1]
    assert last["Receptive field"] == f"{size} × {size}"
    assert number(last["Jump"]) == jump
    assert "<svg" in html and f"span {size} pixels" in html


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_receptive_field_output_sizes_match_keras(keras: Any, padding: str) -> None:
    x = inp = keras.Input((31, 31, 1))
    for k, s, d in ((3, 2, 1), (5, 1, 2), (3, 1, 1)):
        x = keras.layers.Conv2D(1, k, strides=s, dilation_rate=d, padding=padding)(x)
    model = keras.Model(inp, x)
    raw = {"kernel_sizes": "3, 5, 3", "strides": "2, 1, 1", "dilation_rates": "1, 2, 1", "padding": padding}
    html = run("receptive_field", {**raw, "input_size": "31"})
    assert [r["Output"] for r in records(html)] == [
        f"{la.output.shape[1]} × {la.output.shape[2]}" for la in model.layers[1:]
    ]


# --- parameters and compute: against Keras ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "shape", "filters", "strides", "bias"),
    [
        (7, (56, 56, 64), (64, 64, 64), 1, True),
        (5, (32, 32, 3), (64, 64), 1, False),
        (9, (14, 14, 32), (96,) * 4, 1, True),
        (7, (224, 224, 3), (32, 32, 64), 2, True),  # ResNet-C's stem against ResNet's 7×7/2 (the home page's row)
        (5, (15, 17, 8), (4, 12), 3, False),
        (3, (20, 20, 16), (24,), 2, True),
    ],
)
def test_kernel_compare_matches_keras(
    keras: Any, k: int, shape: tuple[int, int, int], filters: tuple[int, ...], strides: int, bias: bool
) -> None:
    L = keras.layers

    def model(*layers: Any) -> Any:
        x = inp = keras.Input(shape)
        for layer in layers:
            x = layer(x)
        return keras.Model(inp, x)

    def conv(f: int, kernel: Any, s: Any = 1) -> Any:
        return L.Conv2D(f, kernel, strides=s, padding="same", use_bias=bias)

    f = filters[-1]
    built = [
        model(conv(f, k, strides)),
        *([model(*[conv(fi, 3, strides if i == 0 else 1) for i, fi in enumerate(filters)])] if k > 3 else []),
        model(conv(f, (1, k), (1, strides)), conv(f, (k, 1), (strides, 1))),
        model(L.SeparableConv2D(f, k, strides=strides, padding="same", use_bias=bias)),
    ]
    raw = {
        "kernel_size": str(k),
        "input_shape": ", ".join(map(str, shape)),
        "filters": ", ".join(map(str, filters)),
        "strides": str(strides),
        "use_bias": bias,
    }
    rows = records(run("kernel_compare", raw))
    assert len(rows) == len(built)  # k = 3: no "1 stacked 3×3" row, it would be the single layer again
    assert not any("1 stacked" in row["Variant"] for row in rows)
    single = rows[0]
    for row, m in zip(rows, built, strict=True):
        assert number(row["Params"]) == m.count_params(), row["Variant"]
        assert number(row["MACs"]) == _macs(m), row["Variant"]
        assert number(row["Layers"]) == len(m.layers) - 1
        assert row["Params ÷ k×k"] == f"{m.count_params() / number(single['Params']):.2f}×"
        assert m.output.shape[1:] == built[0].output.shape[1:]


def test_kernel_compare_field_of_a_strided_stack() -> None:
    """A stride in the stack's first layer: the later 3×3 layers add 2 × stride pixels each (ResNet-C's stem:
    3 + 2·2 + 2·2 = 11), where the single layer and the factorized pair stay at k."""
    rows = records(run("kernel_compare", {"input_shape": "224, 224, 3", "filters": "32, 32, 64", "strides": "2"}))
    assert [r["Receptive field"] for r in rows] == ["7 × 7", f"{3 + 2 * 2 + 2 * 2} × {3 + 2 * 2 + 2 * 2}"] + [
        "7 × 7"
    ] * 2


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"filters": "32, 64"}, "filters"),  # k = 7: one value or three
        ({"kernel_size": "3", "filters": "8, 8"}, "filters"),
        ({"input_shape": "56, 56"}, "input_shape"),
        ({"input_shape": "56, 56, x"}, "input_shape"),
        ({"strides": "0"}, "strides"),
    ],
)
def test_kernel_compare_bad_inputs_name_their_field(raw: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as caught:
        run("kernel_compare", raw)
    assert caught.value.field == field


@pytest.mark.parametrize("name", ["kernel_compare", "receptive_field"])
def test_presets_set_every_field_to_a_value_it_takes(name: str) -> None:
    """A preset button carries every field of the form (calculators.js fills them all in) and each preset is valid
    input whose result differs from the others'."""
    html = run(name, {})
    shown = [json.loads(t.replace("&quot;", '"')) for t in re.findall(r'data-preset="([^"]+)"', html)]
    assert len(shown) >= 3
    fields = {spec.name for spec in inputs(name)}
    results = set()
    for values in shown:
        assert set(values) == fields
        results.add(run(name, values))
    assert len(results) == len(shown)


def test_kernel_compare_kept_figures_are_those_of_its_own_inputs() -> None:
    """The comparison keeps its break-even points and its chart's points between requests (they do not change
    with the filters typed): whatever came before, each answer is the one computed afresh for its own inputs."""
    from kernel_lab import calculators

    cases = [
        {"filters": "32"},
        {"filters": "32", "use_bias": "false"},
        {"filters": "64", "input_shape": "56, 56, 16"},
        {"kernel_size": "9", "filters": "32"},
        {"kernel_size": "3", "filters": "32", "use_bias": "false"},
    ]

    def fresh(raw: dict[str, str]) -> str:
        calculators._break_even.cache_clear()
        calculators._params_ratios.cache_clear()
        return str(run("kernel_compare", raw))

    expected = [fresh(raw) for raw in cases]
    assert len(set(expected)) == len(cases)
    for order in (cases, cases[::-1], cases + cases):  # each after the others, with the caches full of them
        assert [str(run("kernel_compare", raw)) for raw in order] == [expected[cases.index(raw)] for raw in order]


def test_break_even_is_where_keras_counts_cross(keras: Any) -> None:
    html = run("kernel_compare", {"input_shape": "56, 56, 64", "kernel_size": "7"})
    caption = html[html.index("Break-even") :]
    start = caption.index("from ") + len("from ")
    even = number(caption[start : caption.index(" filters", start)])

    def params(f: int, stacked: bool) -> int:
        inp = keras.Input((8, 8, 64))
        x = inp
        for _ in range(3 if stacked else 1):
            x = keras.layers.Conv2D(f, 3 if stacked else 7, padding="same")(x)
        return int(keras.Model(inp, x).count_params())

    assert params(even, True) >= params(even, False)
    assert params(even - 1, True) < params(even - 1, False)


def test_inception_matches_keras(keras: Any) -> None:
    L = keras.layers
    size, c = 28, 192
    b1, r3, b3, r5, b5, pp = 64, 96, 128, 16, 32, 32
    inp = keras.Input((size, size, c))
    pool = L.MaxPooling2D(3, strides=1, padding="same")(inp)
    naive = {
        "1×1": keras.Model(inp, L.Conv2D(b1, 1, padding="same")(inp)),
        "3×3": keras.Model(inp, L.Conv2D(b3, 3, padding="same")(inp)),
        "5×5": keras.Model(inp, L.Conv2D(b5, 5, padding="same")(inp)),
        "pool": keras.Model(inp, pool),
    }
    reduced = {
        "1×1": naive["1×1"],
        "3×3": keras.Model(inp, L.Conv2D(b3, 3, padding="same")(L.Conv2D(r3, 1, padding="same")(inp))),
        "5×5": keras.Model(inp, L.Conv2D(b5, 5, padding="same")(L.Conv2D(r5, 1, padding="same")(inp))),
        "pool": keras.Model(inp, L.Conv2D(pp, 1, padding="same")(pool)),
    }
    rows = {r["Branch"]: r for r in records(render("inception"))}
    for branch in naive:
        a, b = naive[branch], reduced[branch]
        assert number(rows[branch]["Naive params"]) == a.count_params()
        assert number(rows[branch]["Reduced params"]) == b.count_params()
        assert number(rows[branch]["Naive MACs"]) == _macs(a)
        assert number(rows[branch]["Reduced MACs"]) == _macs(b)
        assert number(rows[branch]["Naive channels"]) == a.output.shape[-1]
        assert number(rows[branch]["Reduced channels"]) == b.output.shape[-1]
    total = L.Concatenate()([m.output for m in reduced.values()])
    assert number(rows["total"]["Reduced channels"]) == total.shape[-1]


# --- one layer -------------------------------------------------------------------------------------------------

LAYER_CASES = [
    {"class_name": "Conv2D"},
    {"class_name": "Conv2D", "strides": "1", "padding": "valid", "dilation_rate": "3", "kernel_width": "3"},
    {"class_name": "Conv2D", "channels": "32", "filters": "64", "groups": "4", "kernel_height": "3"},
    {"class_name": "DepthwiseConv2D", "channels": "16", "depth_multiplier": "2", "kernel_width": "5"},
    {"class_name": "SeparableConv2D", "channels": "16", "use_bias": False},
    {"class_name": "Conv2DTranspose", "height": "17", "width": "9", "padding": "valid"},
    {"class_name": "Conv2DTranspose", "strides": "1"},
    {"class_name": "MaxPooling2D", "kernel_height": "3", "kernel_width": "3", "padding": "valid"},
    {"class_name": "AveragePooling2D", "kernel_height": "2", "kernel_width": "2", "height": "7"},
]


def _keras_layer(keras: Any, raw: dict[str, Any]) -> Any:
    values = {s.name: s.default for s in inputs("layer")}
    values.update({k: (v if isinstance(v, bool) else type(values[k])(v)) for k, v in raw.items()})
    cls = getattr(keras.layers, values["class_name"])
    kernel = (values["kernel_height"], values["kernel_width"])
    kw: dict[str, Any] = {"strides": values["strides"], "padding": values["padding"]}
    name = values["class_name"]
    if "Pooling" in name:
        layer = cls(pool_size=kernel, **kw)
    else:
        kw["dilation_rate"] = values["dilation_rate"]
        kw["use_bias"] = values["use_bias"]
        if name == "DepthwiseConv2D":
            layer = cls(kernel, depth_multiplier=values["depth_multiplier"], **kw)
        elif name == "SeparableConv2D":
            layer = cls(values["filters"], kernel, depth_multiplier=values["depth_multiplier"], **kw)
        elif name == "Conv2D":
            layer = cls(values["filters"], kernel, groups=values["groups"], **kw)
        else:
            layer = cls(values["filters"], kernel, **kw)
    inp = keras.Input((values["height"], values["width"], values["channels"]))
    return keras.Model(inp, layer(inp)), values


@pytest.mark.parametrize("raw", LAYER_CASES, ids=lambda r: "-".join(str(v) for v in r.values()))
def test_one_layer_matches_keras(keras: Any, raw: dict[str, Any]) -> None:
    model, values = _keras_layer(keras, raw)
    figures = {r["Figure"]: r["Value"] for r in records(run("layer", raw))}
    layer = model.layers[-1]
    assert figures["Output shape"] == " × ".join(str(d) for d in layer.output.shape[1:])
    assert number(figures["Parameters"]) == model.count_params()
    if layer.weights and values["class_name"] != "Conv2DTranspose":
        assert number(figures["MACs"]) == _macs(model)
    elif values["class_name"] == "Conv2DTranspose":  # every input pixel meets every weight
        in_positions = values["height"] * values["width"]
        assert number(figures["MACs"]) == in_positions * math.prod(layer.kernel.shape)
    assert number(figures["FLOPs (2 × MACs)"]) == 2 * number(figures["MACs"])


def test_one_layer_refuses_what_keras_refuses(keras: Any) -> None:
    for raw in (
        {"strides": "2", "dilation_rate": "2"},
        {"padding": "valid", "height": "5", "kernel_height": "7"},
        {"channels": "6", "filters": "8", "groups": "4"},
    ):
        with pytest.raises(Exception):  # noqa: B017  (Keras raises ValueError and others)
            _keras_layer(keras, raw)
        with pytest.raises(InputError):
            run("layer", raw)


# --- analyzer and the home page's figure ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_model(keras: Any) -> Any:
    inp = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(8, 7, strides=2, padding="same", name="c7")(inp)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.SeparableConv2D(16, 3, name="sep")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inp, keras.layers.Dense(4, name="out")(x))


def _analyzer_totals(html: str) -> tuple[int, str]:
    summary = html[: html.index("</p>")]
    start = summary.index("parameters <strong>") + len("parameters <strong>")
    return number(summary[start : summary.index("</strong>", start)]), summary


def test_analyzer_json_and_keras_file_agree_with_keras(small_model: Any, tmp_path: Any) -> None:
    from_json = run("analyzer", {"source": small_model.to_json()})
    params, _ = _analyzer_totals(from_json)
    assert params == small_model.count_params()
    rows = {r["Layer"]: r for r in records(from_json)}
    for layer in small_model.layers:
        assert number(rows[layer.name]["Params"]) == layer.count_params()
    path = tmp_path / "m.keras"
    small_model.save(path)
    reply = json.loads(handle(json.dumps({"name": "analyzer", "inputs": {}}), path.read_bytes()))
    # The same result, but for the command line, which names the file the model is saved as.
    command = '<details class="kl-code"><summary>Command line</summary>'
    assert reply["ok"] and reply["html"].split(command)[0] == from_json.split(command)[0]
    assert "summary model.keras" in reply["html"] and "summary model.json" in from_json
    shaped = run("analyzer", {"source": small_model.to_json(), "input_shape": "64, 64, 3"})
    assert records(shaped)[1]["Output shape"] == "32 × 32 × 8"


def test_analyzer_takes_one_input_shape_per_input(keras: Any) -> None:
    def build(size: int | None) -> Any:
        image, extra = keras.Input((size, size, 3), name="image"), keras.Input((5,), name="extra")
        x = keras.layers.GlobalMaxPooling2D(name="pool")(keras.layers.Conv2D(4, 3, name="conv")(image))
        return keras.Model([image, extra], keras.layers.Concatenate(name="join")([x, extra]))

    shaped = run("analyzer", {"source": build(None).to_json(), "input_shape": "20, 20, 3; 5"})
    rows = {r["Layer"]: r for r in records(shaped)}
    assert rows["conv"]["Output shape"] == "18 × 18 × 4"
    assert _analyzer_totals(shaped)[0] == build(20).count_params()
    with pytest.raises(InputError) as err:
        run("analyzer", {"source": build(None).to_json(), "input_shape": "20, 20, 3"})
    assert err.value.field == "source" and "2 inputs" in str(err.value)


# --- effective receptive field -------------------------------------------------------------------------------


def _opacities(html: str) -> list[float]:
    """The opacity of every heat-map cell: cells of one opacity are the squares (M...z) of one path."""
    paths = re.findall(r'<path class="kl-cell s1" fill-opacity="([0-9.]+)" d="([^"]*)"', html)
    return [float(v) for v, d in paths for _ in range(d.count("M"))]


def test_effective_field_of_three_3x3_against_one_7x7() -> None:
    html = render("effective_field")
    # Per axis: paths of three 3-tap layers are the sums of three dice; one 7×7 layer has 7 equal taps.
    rows = records(html)
    assert [number(r["Paths"]) for r in rows] == [1, 3, 6, 7, 6, 3, 1]
    assert [r["Pixel from centre"] for r in rows] == ["-3", "-2", "-1", "+0", "+1", "+2", "+3"]
    assert [r["Share"] for r in rows] == [f"{c / 27:.4f}" for c in (1, 3, 6, 7, 6, 3, 1)]
    # σ² = 3 · (3² − 1)/12 = 2 for the stack, (7² − 1)/12 = 4 for the single layer.
    assert "standard deviation <strong>1.41</strong> pixels (one 7×7 layer: 2.00)" in html
    # Half the weight per axis: the centre 3 pixels hold (6 + 7 + 6)/27 ≥ 0.5, 1 pixel (7/27) does not; 90 %:
    # 5 pixels hold 25/27, 3 hold 19/27. In 2-D the central squares hold the squares of those shares.
    assert "central 3 × 3 pixels hold 49.5% of the weight, the central 5 × 5 pixels 85.7%" in html
    assert "per axis, the central 3 and 5 pixels are the narrowest that hold half and 90 %" in html
    # The heat map is the outer product: only the centre cell is the largest; 49 cells drawn.
    opacities = _opacities(html)
    assert len(opacities) == 49 and opacities.count(1.0) == 1
    assert min(opacities) == pytest.approx(1 / 49, abs=1e-3)  # corner (1·1)/(7·7) of the centre's weight


def test_effective_field_with_a_stride() -> None:
    # Taps 3 at gap 1, then 3 at gap 2, twice: [1,1,1] * [1,0,1,0,1] * [1,0,1,0,1], by hand.
    rows = records(render("effective_field", strides="2, 1, 1"))
    assert [number(r["Paths"]) for r in rows] == [1, 1, 3, 2, 5, 3, 5, 2, 3, 1, 1]


def test_effective_field_maps_share_one_scale() -> None:
    from kernel_lab.calculators import figure

    html = figure("effective_field_maps")
    first, second = html.split("</figure>")[:2]
    # The stack's centre weighs (7/27)² and is the darkest cell; a 7×7 cell weighs 1/49 of it at full scale.
    assert _opacities(second).count(1.0) == 1
    assert _opacities(first) == [pytest.approx((1 / 49) / (7 / 27) ** 2, abs=1e-3)] * 49


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"strides": "2", "dilation_rates": "2"}, "strides"),
        ({"kernel_sizes": ", ".join(["3"] * 21)}, "kernel_sizes"),
        ({"kernel_sizes": "3, 0"}, "kernel_sizes"),
        ({"kernel_sizes": "3, x"}, "kernel_sizes"),
        ({"dilation_rates": "1, 2"}, "dilation_rates"),
        ({"kernel_sizes": "1000000"}, "kernel_sizes"),  # a field too large to draw: refused before computing it
        ({"kernel_sizes": ", ".join(["103"] * 10) + ", 6"}, "kernel_sizes"),  # 1 + 10·102 + 5 = 1,026: one over
    ],
)
def test_effective_field_bad_inputs_name_their_field(raw: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as caught:
        run("effective_field", raw)
    assert caught.value.field == field, str(caught.value)


def test_analyzer_memory_column_and_heaviest_layers_agree_with_keras(small_model: Any) -> None:
    html = run("analyzer", {"source": small_model.to_json()})
    rows = {r["Layer"]: r for r in records(html)}
    macs = {}
    for layer in small_model.layers[1:]:
        elements = math.prod(layer.output.shape[1:])
        assert rows[layer.name]["Activations (float32)"] == nbytes(4 * elements)
        if type(layer).__name__ in ("Conv2D", "SeparableConv2D", "Dense"):  # multiply-adds; BN's are not MACs
            macs[layer.name] = _macs(keras_model_of(small_model, layer))
    by_macs = sorted(macs, key=lambda n: -macs[n])
    assert [rows[n]["MACs rank"] for n in by_macs] == [str(i) for i in range(1, len(by_macs) + 1)]
    assert rows["bn"]["MACs rank"] == "—"  # no MACs, no rank
    heavy = re.findall(r'<tr class="kl-heavy"><th scope="row">([^<]+)</th>', html)
    assert sorted(heavy) == sorted(by_macs[:5])


def keras_model_of(model: Any, layer: Any) -> Any:
    """A one-layer view of ``layer`` for _macs (which walks a model's layers)."""
    from types import SimpleNamespace

    return SimpleNamespace(layers=[layer])


def test_shipped_keras_applications(keras: Any) -> None:
    import gzip

    from kernel_lab.applications import APPLICATIONS, CONFIG_FOLDER

    folder = ROOT / "docs" / CONFIG_FOLDER
    files = sorted(folder.glob("*.json.gz"))
    assert sorted(f.name for f in files) == sorted(f"{n}.json.gz" for n in APPLICATIONS)
    assert sum(f.stat().st_size for f in files) <= 1 << 20  # ≤ 1 MB compressed in all
    for name in ("ResNet50", "MobileNetV3Small", "EfficientNetV2B0"):
        keras.backend.clear_session()  # layer names as in a fresh session, where the configs were written
        model = getattr(keras.applications, name)(weights=None)
        data = (folder / f"{name}.json.gz").read_bytes()
        reply = json.loads(handle(json.dumps({"name": "analyzer", "inputs": {"application": name}}), data))
        assert reply["ok"], reply
        assert _analyzer_totals(reply["html"])[0] == model.count_params()
        # The whole table: what the page asks for before it sorts or shows every row.
        whole = json.loads(handle(json.dumps({"name": "analyzer.table", "inputs": {"application": name}}), data))
        rows = {r["Layer"]: r for r in records(whole["html"])}
        for layer in model.layers:
            assert rows[layer.name]["Params"].replace(",", "") == str(layer.count_params()), (name, layer.name)
    for path in files:  # every one analyses in full (no layer left out)
        summary = calc.summarize(json.loads(gzip.decompress(path.read_bytes())))
        assert not summary.partial, path.name
    with pytest.raises(InputError) as err:  # picked, but the page did not hand its config over
        run("analyzer", {"application": "ResNet50"})
    assert err.value.field == "application"
    with pytest.raises(InputError) as err:
        run("analyzer", {"application": "ResNet50", "model_file": b"\x1f\x8b broken"})
    assert err.value.field == "application" and "gzip" in str(err.value)


def test_effective_field_draws_large_fields_binned() -> None:
    # 10 layers of 101 plus one of 3: a field of 10·100 + 2 + 1 = 1,003 pixels; binned by ceil(1003/32) = 32.
    html = render("effective_field", kernel_sizes=", ".join(["101"] * 10) + ", 3")
    assert "Receptive field <strong>1003 × 1003</strong>" in html
    assert len(_opacities(html)) == 32 * 32  # ceil(1003 / 32) cells per side
    assert "per 32 × 32 pixels" in html
    assert len(records(html)) == 101  # the central 101 pixels in the table


def test_analyzer_names_unnamed_layers_as_keras_does() -> None:
    """Hand-written JSON without layer names: each layer gets the name Keras gives a new layer of its class in a
    fresh session (asked of the installed Keras in a new process: the names count up per session)."""
    import subprocess
    import sys

    classes = ["Conv2D", "BatchNormalization", "ReLU", "Conv2D", "DepthwiseConv2D", "MaxPooling2D", "Conv2D"]
    args = {"Conv2D": "(4, 3)", "DepthwiseConv2D": "(3)"}
    built = ", ".join(f"keras.layers.{c}{args.get(c, '()')}.name" for c in classes)
    done = subprocess.run(
        [sys.executable, "-c", f"import keras\nprint(' '.join([{built}]))"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    keras_names = done.stdout.split()
    assert keras_names[:3] == ["conv2d", "batch_normalization", "re_lu"]
    layers = [{"class_name": "InputLayer", "config": {"batch_shape": [None, 16, 16, 3]}}]
    for c in classes:
        config = {"filters": 4, "kernel_size": 3} if c == "Conv2D" else {}
        config.update({"kernel_size": 3} if c == "DepthwiseConv2D" else {})
        layers.append({"class_name": c, "config": config})
    source = json.dumps({"class_name": "Sequential", "config": {"layers": layers}})
    assert [r["Layer"] for r in records(run("analyzer", {"source": source}))] == keras_names
