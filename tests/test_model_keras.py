"""The model analyzer against real Keras: every keras.applications model, nested and shared layers, .keras files."""

from __future__ import annotations

import inspect
import json
import os
from typing import Any

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")

import calc  # noqa: E402

APPLICATIONS = sorted(n for n, f in inspect.getmembers(keras.applications) if inspect.isfunction(f) and n[0].isupper())


def _keras_shape(layer: Any) -> list[int | None] | None:
    out = layer.output
    return None if isinstance(out, (list, tuple)) else list(out.shape)


def _trainable(model: Any) -> int:
    return sum(int(__import__("math").prod(w.shape)) for w in model.trainable_weights)


def test_every_application_is_listed() -> None:
    assert len(APPLICATIONS) >= 30, APPLICATIONS


@pytest.mark.parametrize("name", APPLICATIONS)
def test_application_matches_keras(name: str) -> None:
    model = getattr(keras.applications, name)(weights=None)
    summary = calc.summarize(model.to_json())
    assert not summary.partial, summary.warnings
    rows = {r.name: r for r in summary.layers}
    mismatches: list[tuple[Any, ...]] = []
    for layer in model.layers:
        row = rows.get(layer.name)
        if row is None:
            mismatches.append((layer.name, "missing from calc"))
            continue
        ours = None if row.output_shape is None else [None, *row.output_shape]
        if ours != _keras_shape(layer) or row.params != layer.count_params():
            mismatches.append((layer.name, ours, _keras_shape(layer), row.params, layer.count_params()))
    # Operations that are not layers (x + y on Keras tensors) hold no weights.
    keras_names = {layer.name for layer in model.layers}
    mismatches += [
        (r.name, "extra row with params", r.params) for r in summary.layers if r.name not in keras_names and r.params
    ]
    assert not mismatches, mismatches[:10]
    assert summary.params == model.count_params()
    assert summary.trainable_params == _trainable(model)
    assert summary.to_dict()["totals"]["non_trainable_params"] == model.count_params() - _trainable(model)


def _published(name: str, layer: str) -> calc.ReceptiveField:
    model = getattr(keras.applications, name)(weights=None)
    field = {r.name: r for r in calc.summarize(json.loads(model.to_json())).layers}[layer].receptive_field
    assert field is not None
    return field


def test_receptive_field_vgg16_published() -> None:
    # Araujo et al. (Distill 2019), table of receptive fields: VGG16 at pool5.
    assert _published("VGG16", "block5_pool") == calc.ReceptiveField((212, 212), (32, 32), (90, 90))


def test_receptive_field_inception_v3_published() -> None:
    # google-research/receptive_field RECEPTIVE_FIELD_TABLE.md: InceptionV3 at Mixed_7c (Keras: mixed10).
    assert _published("InceptionV3", "mixed10") == calc.ReceptiveField((1311, 1311), (32, 32), (618, 618))


def test_vgg16_macs_independent_count() -> None:
    # VGG16 at 224×224 is commonly quoted as 15.47 GMACs (e.g. ptflops, torchvision's docs: 15.47 GFLOPS as MACs).
    model = keras.applications.VGG16(weights=None)
    macs = calc.summarize(model.to_json()).macs
    assert macs is not None and round(macs / 1e9, 2) == 15.47


def _nested_shared_model() -> Any:
    layers = keras.layers
    inp = keras.Input((40, 36, 3))
    shared = layers.Conv2D(8, 3, padding="same", name="shared")
    a = shared(layers.Conv2D(8, 1, name="to8")(inp))
    b = shared(a)  # same weights, called twice
    inner = keras.Sequential([layers.Conv2D(16, (3, 5), strides=2), layers.BatchNormalization()], name="inner")
    c = inner(b)
    sub_in = keras.Input((19, 16, 16))
    sub = keras.Model(sub_in, layers.DepthwiseConv2D(3, depth_multiplier=2)(sub_in), name="sub")
    d = sub(c)
    frozen = layers.Dense(7, name="frozen")
    frozen.trainable = False
    out = frozen(layers.GlobalAveragePooling2D()(d))
    return keras.Model(inp, out)


def test_nested_and_shared_layers_match_keras() -> None:
    model = _nested_shared_model()
    summary = calc.summarize(model.to_json())
    rows = {r.name: r for r in summary.layers}
    assert [r.name for r in summary.layers] == [layer.name for layer in model.layers]
    for layer in model.layers:
        assert rows[layer.name].params == layer.count_params(), layer.name
    assert summary.params == model.count_params()
    assert summary.trainable_params == _trainable(model)
    assert calc.summarize(model.to_json()).to_dict()["layers"][-1]["output_shape"] == list(model.output.shape)
    sub = next(row for row in summary.to_dict()["layers"] if row["name"] == "sub")
    assert sub["output_shape"] == list(model.get_layer("sub").output.shape)


def test_shared_layer_macs_count_every_call() -> None:
    summary = calc.summarize(_nested_shared_model().to_json())
    shared = {r.name: r for r in summary.layers}["shared"]
    # Called twice on 40×36×8 with 'same' padding: each call 40*36*8*3*3*8 MACs.
    assert shared.macs == 2 * (40 * 36 * 8 * 3 * 3 * 8)


def test_augmentation_and_preprocessing_model_matches_keras() -> None:
    """A model built as the Keras image-classification tutorials build one: augmentation in a Sequential,
    rescaling, resizing, cropping, then convolutions with group normalization."""
    layers = keras.layers
    augment = keras.Sequential(
        [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.1)], name="augment"
    )
    inp = keras.Input((180, 190, 3))
    x = layers.Rescaling(1.0 / 255)(augment(inp))
    x = layers.Resizing(160, 170)(x)
    x = layers.CenterCrop(150, 151)(x)
    x = layers.Conv2D(32, 3, strides=2, padding="same")(x)
    x = layers.GroupNormalization(groups=8)(x)
    x = layers.SeparableConv2D(64, 3, padding="same")(x)
    x = layers.UnitNormalization()(x)
    out = layers.Dense(3)(layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inp, out)
    summary = calc.summarize(model.to_json())
    assert not summary.warnings
    rows = {r["name"]: r for r in summary.to_dict()["layers"]}
    for layer in model.layers:
        assert rows[layer.name]["params"] == layer.count_params(), layer.name
        assert rows[layer.name]["output_shape"] == list(layer.output.shape), layer.name
    assert summary.params == model.count_params()
    assert summary.trainable_params == _trainable(model)


def _stem(data_format: str) -> Any:
    layers = keras.layers
    first = data_format == "channels_first"
    inp = keras.Input((3, 64, 72) if first else (64, 72, 3))
    x = layers.Conv2D(16, 7, strides=2, padding="same", data_format=data_format)(inp)
    x = layers.BatchNormalization(axis=1 if first else -1)(x)
    x = layers.MaxPooling2D(3, strides=2, data_format=data_format)(x)
    x = layers.SeparableConv2D(32, 3, padding="same", data_format=data_format)(x)
    x = layers.ZeroPadding2D(1, data_format=data_format)(x)
    x = layers.DepthwiseConv2D(3, data_format=data_format)(x)
    x = layers.GlobalAveragePooling2D(data_format=data_format)(x)
    return keras.Model(inp, layers.Dense(5)(x))


def test_channels_first_model_matches_keras() -> None:
    """A channels_first model (which TensorFlow can build but not run on a CPU): every row's (C, H, W) shape and
    parameters as Keras says; MACs and receptive fields those of the same model in channels_last."""
    model = _stem("channels_first")
    summary = calc.summarize(model.to_json())
    assert not summary.warnings
    rows = summary.to_dict()["layers"]
    for row, layer in zip(rows, model.layers, strict=True):
        assert row["output_shape"] == list(layer.output.shape), layer.name
        assert row["params"] == layer.count_params(), layer.name
    last = calc.summarize(_stem("channels_last").to_json()).to_dict()["layers"]
    for a, b in zip(rows, last, strict=True):
        assert (a["macs"], a["receptive_field"]) == (b["macs"], b["receptive_field"]), a["name"]
    assert summary.params == model.count_params()


def test_input_shapes_of_a_two_input_model_match_keras() -> None:
    layers = keras.layers

    def build(image: tuple[int | None, ...], extra: tuple[int | None, ...]) -> Any:
        a, b = keras.Input(image, name="image"), keras.Input(extra, name="extra")
        x = layers.GlobalAveragePooling2D(name="pool")(layers.Conv2D(8, 3, strides=2, name="conv")(a))
        y = layers.Dense(8, name="embed")(b)
        return keras.Model([a, b], layers.Dense(2, name="head")(layers.Concatenate(name="join")([x, y])))

    config = build((None, None, 3), (10,)).to_json()
    sized = build((64, 48, 3), (10,))
    for given in ("64,48,3; 10", [(64, 48, 3), (10,)]):
        ours = calc.summarize(config, input_shape=given)
        rows = {r["name"]: r for r in ours.to_dict()["layers"]}
        for layer in sized.layers:
            assert rows[layer.name]["output_shape"] == list(layer.output.shape), layer.name
        assert ours.params == sized.count_params()
        assert ours.macs == calc.summarize(sized.to_json()).macs
    with pytest.raises(calc.ModelError, match="gives 1 shape, but the model has 2 inputs"):
        calc.summarize(config, input_shape=(64, 48, 3))


def test_keras_file_is_read_without_weights(tmp_path: Any) -> None:
    model = _nested_shared_model()
    path = tmp_path / "model.keras"
    model.save(path)
    from_file = calc.summarize(path)
    from_json = calc.summarize(model.to_json())
    assert from_file.to_dict() == from_json.to_dict()
    assert calc.summarize(path.read_bytes()).params == model.count_params()


def test_input_shape_override_matches_keras() -> None:
    model = keras.applications.MobileNetV3Small(weights=None, input_shape=(None, None, 3), include_top=False)
    config = model.to_json()
    assert calc.summarize(config).macs is None  # depends on the unknown input size
    sized = keras.applications.MobileNetV3Small(weights=None, input_shape=(160, 192, 3), include_top=False)
    ours = calc.summarize(config, input_shape=(160, 192, 3))
    assert ours.to_dict()["layers"][-1]["output_shape"] == list(sized.output.shape)
    assert ours.params == sized.count_params()
