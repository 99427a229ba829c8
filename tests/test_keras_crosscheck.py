# Cross-check of calc against real Keras 3 on the TensorFlow backend.
#
# Part 1 (layer figures): about 3,900 random layer configurations (tests/keras_cases.py, fixed seeds, drawn to
# hit the corners) are built twice from the same config dict: by calc.layer_info and by the real Keras layer
# class called on keras.Input (symbolic). Output shape, params, trainable and non-trainable counts must be equal.
#
# What "Keras accepts" means here, decided from what Keras and TensorFlow were seen to do:
#   * Keras rejects a config when the constructor raises, or calling the layer on keras.Input raises (any
#     exception: mostly ValueError, but also IndexError, TypeError, ZeroDivisionError from Keras internals).
#   * A config that builds symbolically but that TensorFlow cannot run is rejected too, so every layer that
#     builds is also run on a batch of zeros (each input is small); a failure there counts as a rejection.
#     Seen: ZeroPadding2D with negative amounts (the symbolic shape shrinks, tf.pad refuses), UpSampling2D with
#     an unknown interpolation name, LayerNormalization naming an axis twice, Conv2DTranspose 'same' with
#     output_padding 0 and an even kernel extent (Keras' shape (in - 1)*s fails TensorFlow's check
#     ceil(out / s) == in). An unknown (None) size is replaced by 17 for the run, except for Reshape and
#     merges, whose validity depends on the actual sizes; those are checked symbolically only.
#   * An empty output (a 0 in the symbolic or real shape) counts as a rejection: Keras lets a few through
#     symbolically (Reshape to a 0 size, the Conv2DTranspose case above on a 1-pixel input) and oneDNN runs
#     the latter, but TensorFlow's reference kernel (TF_ENABLE_ONEDNN_OPTS=0) refuses it, and calc refuses
#     empty outputs everywhere.
#   * When the run succeeds, its output shape must equal the symbolic one wherever that is known.
# calc must raise LayerConfigError exactly when Keras rejects. calc's UnsupportedError ("valid Keras, outside
# what calc models") is accepted only where Keras accepts: Concatenate along the batch axis is the one case.
#
# Part 2 (receptive fields): random small chains of spatial layers are built as a linear tf.keras model with all
# kernels 1 and biases 0 (average pooling instead of max pooling, so every window element gets a gradient), and
# the gradient of one output unit with respect to the input shows exactly which input pixels it reads. See
# test_receptive_field_matches_gradients for how size, stride and start are read off.
#
# Run time on the 2-core CI machine: see the report printed by each test (about N s in all).

from __future__ import annotations

import math
import os
import time
import warnings
from typing import Any, NamedTuple

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

import calc
from tests.keras_cases import FAMILIES, Case, family_cases

MIN_CONFIGS = 1000
RUN_LIMIT = 4096  # forward passes only for inputs of at most this many elements (all of them here)
UNKNOWN_RUN_SIZE = 17  # stands for None in a forward pass: more than any window extent the cases draw


class Outcome(NamedTuple):
    """What one side made of a config: an error, or the figures."""

    error: str | None
    output_shape: tuple[int | None, ...] | None = None
    params: int | None = None
    trainable: int | None = None
    non_trainable: int | None = None
    unsupported: bool = False

    def figures(self) -> tuple[Any, ...]:
        return (self.output_shape, self.params, self.trainable, self.non_trainable)


def _count(weights: list[Any]) -> int:
    return sum(math.prod(int(d) for d in w.shape) for w in weights)


def _known(shape: Any) -> bool:
    return all(d is not None for d in shape)


def keras_outcome(case: Case) -> tuple[Outcome, bool]:
    """Build the layer in Keras (and run it when the input is small and fully known); also says whether it ran."""
    multi = isinstance(case.input_shape, list)
    shapes = case.input_shape if multi else [case.input_shape]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecations (rms_scaling) are not rejections
        try:
            layer = getattr(keras.layers, case.class_name)(**case.config)
        except Exception as e:
            return Outcome(f"constructor: {type(e).__name__}: {str(e).splitlines()[0][:160]}"), False
        try:
            inputs = [keras.Input(s) for s in shapes]
            symbolic = layer(inputs if multi else inputs[0])
        except Exception as e:
            return Outcome(f"call: {type(e).__name__}: {_first_line(e)}"), False
        out_shape = tuple(symbolic.shape)[1:]
        if 0 in out_shape:
            return Outcome(f"call: empty output {out_shape}"), False
        run_shapes = _run_shapes(case, shapes)
        ran = False
        if run_shapes is not None:
            zeros = [np.zeros((1, *s), dtype="float32") for s in run_shapes]
            try:
                real = layer(zeros if multi else zeros[0])
            except Exception as e:
                return Outcome(f"forward pass: {type(e).__name__}: {_first_line(e)}"), True
            ran = True
            real_shape = tuple(real.shape)[1:]
            if 0 in real_shape:
                return Outcome(f"forward pass gave an empty output {real_shape}"), True
            if any(s is not None and s != r for s, r in zip(out_shape, real_shape, strict=True)):
                return Outcome(f"forward pass shape {real_shape} differs from symbolic {out_shape}"), True
    trainable = _count(layer.trainable_weights)
    non_trainable = _count(layer.non_trainable_weights)
    return Outcome(None, out_shape, layer.count_params(), trainable, non_trainable), ran


def _run_shapes(case: Case, shapes: list[Any]) -> list[tuple[int, ...]] | None:
    """Input shapes for the forward pass, or None when there is none: an unknown size is replaced by
    UNKNOWN_RUN_SIZE for single-input layers whose output does not depend on the total size."""
    if any(not _known(s) for s in shapes):
        if len(shapes) > 1 or isinstance(case.input_shape, list) or case.class_name == "Reshape":
            return None
        shapes = [tuple(UNKNOWN_RUN_SIZE if d is None else d for d in s) for s in shapes]
    if sum(math.prod(s) for s in shapes) > RUN_LIMIT:
        return None
    return shapes


def _first_line(e: Exception) -> str:
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip() and "Exception encountered" not in ln]
    return (lines[0] if lines else "")[:160]


def calc_outcome(case: Case) -> Outcome:
    try:
        info = calc.layer_info(case.class_name, case.config, case.input_shape)
    except calc.UnsupportedError as e:
        return Outcome(f"UnsupportedError: {e}", unsupported=True)
    except calc.CalcError as e:
        return Outcome(f"{type(e).__name__}: {e}")
    return Outcome(None, info.output_shape, info.params, info.trainable_params, info.non_trainable_params)


def compare(case: Case, k: Outcome, c: Outcome) -> str | None:
    """None when calc agrees with Keras, else one line naming the config and both answers."""
    if k.error is None and c.error is None and k.figures() == c.figures():
        return None
    if k.error is not None and c.error is not None and not c.unsupported:
        return None
    if k.error is None and c.unsupported:
        return None
    what = f"{case.class_name}({case.config}) on {case.input_shape}"
    keras_says = k.error or f"shape/params/trainable/non-trainable = {k.figures()}"
    calc_says = c.error or f"shape/params/trainable/non-trainable = {c.figures()}"
    return f"{what}\n    Keras: {keras_says}\n    calc:  {calc_says}"


CHECKED: dict[str, int] = {}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_layer_figures_match_keras(family: str) -> None:
    cases = family_cases(family)
    start = time.perf_counter()
    mismatches = []
    rejected = ran = 0
    for case in cases:
        k, did_run = keras_outcome(case)
        ran += did_run
        rejected += k.error is not None
        problem = compare(case, k, calc_outcome(case))
        if problem:
            mismatches.append(problem)
    CHECKED[family] = len(cases)
    print(
        f"\n{family}: {len(cases)} configs ({rejected} rejected by Keras, {ran} run forward), "
        f"{time.perf_counter() - start:.1f} s"
    )
    assert not mismatches, f"{len(mismatches)} of {len(cases)} {family} configs disagree:\n" + "\n".join(mismatches)
    assert rejected < len(cases)  # some figures were compared
    assert ran > 0


def test_enough_configs() -> None:
    counts = {family: len(family_cases(family)) for family in FAMILIES}
    print("\nconfigs per family:", counts, "total", sum(counts.values()))
    assert sum(counts.values()) >= MIN_CONFIGS
