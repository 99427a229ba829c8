"""calc.effective_receptive_field against TensorFlow gradients.

With all-ones kernels, zero biases and no nonlinearity, d y / d x_i of one output unit is the number of paths from it
to input pixel i (times a constant for the channels). So the gradient of a linear all-ones Keras model is calc's
profile, up to float rounding:
(i)  the pipeline of scripts/examples/effective_field.py (3 input channels, 16 filters, |gradient| summed over
     channels) run with all-ones kernels on three 3×3 and on one 7×7 gives calc's 2-D map (relative 1e-6);
(ii) 240 random chains of 1 to 4 layers (Conv2D dilated or strided, AveragePooling2D, DepthwiseConv2D with strides
     and dilation together, SeparableConv2D; 'valid' and 'same'), on one channel: the 2-D gradient of the central
     output unit, normalised, is calc's map on the unit's receptive field, and zero outside it. For 'same' the input
     is made large enough that the field stays clear of the border. Average pooling stands for pooling: its gradient
     is uniform taps (1/k² each), while a max sends the gradient to one pixel.
     The chains run in float64, on TensorFlow's own kernels: in float32, oneDNN's gradient of strided Conv2D layers
     on these one-channel images corrupted memory now and then (segfaults and garbage op errors several chains
     later, about one run in two; TensorFlow 2.21). TensorFlow's depthwise kernel takes equal strides only, so
     DepthwiseConv2D and SeparableConv2D get equal strides; Conv2D and AveragePooling2D take unequal ones.

Run time: about 10 s on 2 cores, plus importing TensorFlow.
"""

from __future__ import annotations

import os
import random
import time
import warnings
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

import calc
from scripts.examples import effective_field as ef

SEED = 20240917
CHAINS = 240
MIN_CHECKED = 200

Layer = tuple[str, dict[str, Any]]


def _calc_map(field: calc.EffectiveField) -> np.ndarray:
    return np.array(field.map(), dtype="float64")


def test_script_pipeline_with_all_ones_kernels_is_calcs_profile() -> None:
    for layers in ([ef.conv(3)] * 3, [ef.conv(7)]):
        got = ef.measure(layers, "linear", "ones", [0, 1], batch=2)
        exact = calc.effective_receptive_field(ef.infos(layers, tuple(got["size"])))
        assert got["size"] == [7, 7]
        np.testing.assert_allclose(got["map"], _calc_map(exact), rtol=1e-6, atol=0)
        for a in (0, 1):
            np.testing.assert_allclose(got["profile"][a], exact.profile[a], rtol=1e-6, atol=0)
            assert abs(got["std"][a] - exact.std[a]) <= 1e-6 * exact.std[a]
    # The stack's rows, by hand: 1 3 6 7 6 3 1 over 27.
    got = ef.measure([ef.conv(3)] * 3, "linear", "ones", [0], batch=1)
    np.testing.assert_allclose(got["profile"][0], np.array([1, 3, 6, 7, 6, 3, 1]) / 27, rtol=1e-6)


def _layer(rng: random.Random) -> Layer:
    """One spatial layer on a one-channel image, in Keras's vocabulary."""
    padding = rng.choice(["valid", "same"])
    kind = rng.choice(["Conv2D", "Conv2D", "AveragePooling2D", "DepthwiseConv2D", "SeparableConv2D"])
    if kind == "AveragePooling2D":
        pool = (rng.randint(1, 3), rng.randint(1, 3))
        return kind, {"pool_size": pool, "strides": (rng.randint(1, 3), rng.randint(1, 3)), "padding": padding}
    config: dict[str, Any] = {"kernel_size": (rng.randint(1, 5), rng.randint(1, 5)), "padding": padding}
    strided = rng.random() < 0.4
    dilated = rng.random() < 0.4 if kind != "Conv2D" or not strided else False  # Conv2D refuses both
    if not strided:
        config["strides"] = (1, 1)
    elif kind == "Conv2D":
        config["strides"] = (rng.randint(1, 3), rng.randint(1, 3))
    else:  # TensorFlow's depthwise kernel takes equal strides only
        config["strides"] = (rng.randint(2, 3),) * 2
    config["dilation_rate"] = (rng.randint(1, 3), rng.randint(1, 3)) if dilated else (1, 1)
    if kind != "DepthwiseConv2D":
        config["filters"] = 1
    return kind, config


def _chains(n: int) -> list[list[Layer]]:
    rng = random.Random(f"{SEED}:effective")
    return [[_layer(rng) for _ in range(rng.randint(1, 4))] for _ in range(n)]


def _infos(hw: tuple[int, int], chain: list[Layer]) -> list[calc.LayerInfo]:
    out: list[calc.LayerInfo] = []
    shape: tuple[int | None, ...] = (*hw, 1)
    for cls, config in chain:
        out.append(calc.layer_info(cls, config, shape))
        shape = out[-1].output_shape
    return out


def _ones_model(hw: tuple[int, int], chain: list[Layer]) -> keras.Model:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = keras.Sequential(
            [keras.Input((*hw, 1), dtype="float64")]
            + [getattr(keras.layers, c)(**cfg, dtype="float64") for c, cfg in chain]
        )
    for w in model.weights:
        w.assign(np.zeros(w.shape) if "bias" in w.path else np.ones(w.shape))
    return model


def _check(chain: list[Layer], problems: list[str]) -> bool:
    """One chain: False when calc refuses it (Keras would too, or the output is empty)."""
    try:
        rf = calc.receptive_field(_infos((512, 512), chain))
    except calc.CalcError:
        return False
    assert rf is not None
    # A margin of a field and a few jumps on each side: the central unit's field and every window on its paths
    # stay clear of 'same' padding.
    hw = tuple(3 * rf.size[a] + 4 * rf.stride[a] + 8 for a in (0, 1))
    try:
        infos = _infos(hw, chain)  # type: ignore[arg-type]
    except calc.CalcError:
        return False
    field = calc.receptive_field(infos)
    assert field is not None and None not in field.padding
    out = infos[-1].output_shape
    unit = (out[0] // 2, out[1] // 2)  # type: ignore[operator]
    start = [unit[a] * field.stride[a] - field.padding[a] for a in (0, 1)]  # type: ignore[operator]
    assert all(start[a] >= 0 and start[a] + field.size[a] <= hw[a] for a in (0, 1))

    x = tf.ones((1, *hw, 1), dtype="float64")
    model = _ones_model(hw, chain)  # type: ignore[arg-type]
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x)[0, unit[0], unit[1], 0]
    g = tape.gradient(y, x)[0, :, :, 0].numpy().astype("float64")
    window = g[start[0] : start[0] + field.size[0], start[1] : start[1] + field.size[1]]
    exact = calc.effective_receptive_field(infos)
    what = f"{chain} on {hw}"
    if not np.isclose(window.sum(), g.sum(), rtol=1e-6):
        problems.append(f"{what}: gradient outside calc's field")
    elif not np.allclose(window / window.sum(), _calc_map(exact), rtol=1e-6, atol=1e-12):
        problems.append(f"{what}: map differs; rows {window.sum(axis=1).tolist()}, calc {exact.counts[0]}")
    for a in (0, 1):
        marginal = window.sum(axis=1 - a)
        if not np.allclose(marginal / marginal.sum(), exact.profile[a], rtol=1e-6, atol=1e-12):
            problems.append(f"{what}: axis {a} profile {marginal.tolist()}, calc counts {exact.counts[a]}")
    return True


def test_profiles_match_tensorflow_gradients_of_all_ones_chains() -> None:
    started = time.perf_counter()
    problems: list[str] = []
    checked = sum(_check(chain, problems) for chain in _chains(CHAINS))
    kinds = {cls for chain in _chains(CHAINS) for cls, _ in chain}
    print(f"\neffective fields: {checked} chains checked against TensorFlow, {time.perf_counter() - started:.1f} s")
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:20])
    assert checked >= MIN_CHECKED
    assert kinds == {"Conv2D", "AveragePooling2D", "DepthwiseConv2D", "SeparableConv2D"}
