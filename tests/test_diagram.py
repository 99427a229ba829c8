"""The drawn convolution against TensorFlow: the input pixels the drawing marks as read by an output unit are
exactly those whose gradient is non-zero for that unit in a real Keras layer with an all-ones kernel."""

from __future__ import annotations

import os
import random
import re
from typing import Any

import pytest

from kernel_lab.calculators import render
from kernel_lab.forms import InputError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def drawn(html: str, cls: str) -> set[tuple[int, int]]:
    """Positions of the cells of the drawing whose class includes ``cls``."""
    figure = html[html.index("kl-diagram") :]
    return {
        (int(r), int(c))
        for classes, r, c in re.findall(r'<rect class="([^"]*)" data-at="(-?\d+) (-?\d+)"', figure)
        if cls in classes.split()
    }


def read_by_tensorflow(keras: Any, tf: Any, config: dict[str, Any], row: int, col: int) -> set[tuple[int, int]]:
    h, w = config["height"], config["width"]
    kernel = (config["kernel_height"], config["kernel_width"])
    layer_args = {"strides": config["strides"], "padding": config["padding"]}
    if config["class_name"] == "Conv2D":
        layer = keras.layers.Conv2D(1, kernel, dilation_rate=config["dilation_rate"], use_bias=False, **layer_args)
    else:
        layer = keras.layers.AveragePooling2D(kernel, **layer_args)
    x = tf.Variable(tf.ones((1, h, w, 1)))
    layer.build((1, h, w, 1))
    for weight in layer.weights:
        weight.assign(tf.ones(weight.shape))
    with tf.GradientTape() as tape:
        y = layer(x)[0, row, col, 0]
    grad = tape.gradient(y, x)[0, :, :, 0].numpy()
    return {(int(r), int(c)) for r, c in zip(*grad.nonzero(), strict=True)}


def test_drawn_window_is_what_tensorflow_reads() -> None:
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    rng = random.Random(20261130)
    checked = 0
    while checked < 60:
        config: dict[str, Any] = {
            "class_name": rng.choice(["Conv2D", "Conv2D", "AveragePooling2D"]),
            "height": rng.randint(1, 12),
            "width": rng.randint(1, 12),
            "kernel_height": rng.randint(1, 5),
            "kernel_width": rng.randint(1, 5),
            "strides": rng.randint(1, 3),
            "padding": rng.choice(["valid", "same"]),
            "dilation_rate": 1,
            "channels": 1,
        }
        if config["class_name"] == "Conv2D" and config["strides"] == 1:
            config["dilation_rate"] = rng.randint(1, 3)
        try:
            base = render("layer", **config)
        except InputError:  # a configuration Keras refuses too (window larger than a 'valid' input)
            continue
        out = re.search(r"Output unit \(0, 0\) of (\d+) × (\d+)", base)
        assert out, "no drawing"
        row, col = rng.randrange(int(out[1])), rng.randrange(int(out[2]))
        html = render("layer", row=row, col=col, **config)
        taps = drawn(html, "kl-tap")
        inside = {(r, c) for r, c in taps if 0 <= r < config["height"] and 0 <= c < config["width"]}
        assert inside == read_by_tensorflow(keras, tf, config, row, col), (config, row, col)
        assert taps - inside == taps & drawn(html, "kl-pad")  # the other taps fall on padding, drawn as such
        assert drawn(html, "on") == {(row, col)}
        checked += 1


def test_windows_too_large_to_draw_are_described_instead() -> None:
    # A 1,024-tap kernel dilated by 1,024 spans 1,023·1,024 + 1 pixels: far beyond a drawing of 21 cells a side.
    html = render(
        "layer", height=1 << 20, width=1 << 20, kernel_height=1024, kernel_width=1024, dilation_rate=1024, strides=1
    )
    assert "the window spans 1047553 × 1047553 input pixels" in html and "kl-diagram" not in html
    # A window of 21 pixels is drawn in full, whatever the input size.
    html = render(
        "layer", height=1 << 20, width=1 << 20, kernel_height=21, kernel_width=3, strides=1000, row=1000, col=1048
    )
    assert drawn(html, "kl-tap") == {(1_000_000 + r, 1_048_000 + c) for r in range(21) for c in range(3)}


def test_cells_say_what_they_hold_and_output_units_can_be_picked() -> None:
    """Every tap of the window names its input position (or padding) and its kernel weight, each weight once; a
    clicked output unit becomes the drawn one (data-pick on every other unit drawn)."""
    height, width = 6, 7
    html = render(
        "layer", height=height, width=width, kernel_height=3, kernel_width=2, strides=1, dilation_rate=2, col=2
    )
    figure = html[html.index("kl-diagram") :]
    says = dict(
        ((int(r), int(c)), say)
        for r, c, say in re.findall(r'data-at="(-?\d+) (-?\d+)" data-say="([^"]*)"', figure)
        if "weight" in say
    )
    taps = drawn(html, "kl-tap")
    assert set(says) == taps and len(taps) == 3 * 2
    weights = sorted(re.findall(r"weight \((\d), (\d)\)", " ".join(says.values())))
    assert weights == [(str(i), str(j)) for i in range(3) for j in range(2)]
    for (r, c), say in says.items():
        inside = 0 <= r < height and 0 <= c < width
        assert say.startswith(f"Input pixel ({r}, {c})" if inside else f"Padding at ({r}, {c})"), say
    picks = set(re.findall(r'data-pick="(\d+) (\d+)"', figure))
    assert ("0", "2") not in picks and ("5", "6") in picks and len(picks) == 6 * 7 - 1
