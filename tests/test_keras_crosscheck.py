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
# Part 2 (receptive fields): 240 random chains of 1 to 4 spatial layers (Conv2D with dilation or strides,
# 'same'/'valid' on odd and even sizes, AveragePooling2D, ZeroPadding2D, Cropping2D, DepthwiseConv2D and
# SeparableConv2D with dilation and strides together, Conv2DTranspose at stride 1) are built as a Keras model
# with all kernels 1 and biases 0; the gradient of an output unit with respect to the input shows exactly which
# input pixels it reads. test_receptive_field_matches_gradients says how size, stride and padding are read off.
#
# Run time: about 40 s for the whole module on the 2-core machine this was written on (part 1 about 20 s,
# part 2 about 20 s, plus importing TensorFlow). Each test prints its counts and time (pytest -s).

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
import tensorflow as tf

import calc
from tests.keras_cases import (
    FAMILIES,
    Case,
    center_crop_chains,
    channels_first_cases,
    family_cases,
    receptive_field_chains,
)

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


def keras_outcome(case: Case, run: bool = True) -> tuple[Outcome, bool]:
    """Build the layer in Keras (and, with ``run``, run it when the input is small and fully known); also says
    whether it ran."""
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
        run_shapes = _run_shapes(case, shapes) if run else None
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


def test_channels_first_matches_keras() -> None:
    """channels_first layers: calc's (C, H, W) shapes and weights against Keras's.

    TensorFlow runs convolutions and pooling on the CPU in channels_last only, so Keras builds these layers
    without running them. Where calc refuses a config that Keras builds, the same layer in channels_last must
    fail when it runs (calc's refusals of layers that build but cannot run).
    """
    cases = channels_first_cases()
    mismatches = []
    compared = 0
    for case in cases:
        k, _ = keras_outcome(case, run=False)
        c = calc_outcome(case)
        if k.error is None and c.error is not None and not c.unsupported:
            h_w_c = (case.input_shape[1], case.input_shape[2], case.input_shape[0])
            last = Case(case.class_name, {**case.config, "data_format": "channels_last"}, h_w_c)
            if keras_outcome(last)[0].error is None:
                mismatches.append(f"{case}: Keras builds and runs it (as channels_last), calc says {c.error}")
            continue
        compared += k.error is None and c.error is None
        problem = compare(case, k, c)
        if problem:
            mismatches.append(problem)
    assert not mismatches, f"{len(mismatches)} of {len(cases)} configs disagree:\n" + "\n".join(mismatches)
    assert compared >= len(cases) // 2, (compared, len(cases))


def test_enough_configs() -> None:
    counts = {family: len(family_cases(family)) for family in FAMILIES}
    print("\nconfigs per family:", counts, "total", sum(counts.values()))
    assert sum(counts.values()) >= MIN_CONFIGS


# --- part 2: receptive fields against TensorFlow gradients -------------------------------------------------

RF_CHAINS = 240  # drawn; the few that calc refuses (empty outputs) are drawn past, not counted
RF_MIN_MEASURED = 150


def _support(grad: np.ndarray, axis: int) -> tuple[int, int] | None:
    """First and last input index (along axis 0 = height, 1 = width) with a non-zero gradient."""
    hits = np.nonzero(np.abs(grad).sum(axis=1 - axis))[0]
    return None if hits.size == 0 else (int(hits[0]), int(hits[-1]))


def _span(i: int, field: calc.ReceptiveField, axis: int) -> tuple[int, int]:
    """calc's field of unit i along one axis, in the coordinates of the field's input (may overhang it)."""
    first = i * field.stride[axis] - field.padding[axis]  # type: ignore[operator]
    return first, first + field.size[axis] - 1


def _alive(i: int, suffix_fields: list[calc.ReceptiveField], sizes: list[int], axis: int) -> bool:
    """Whether unit i reads no padding anywhere in the chain, by calc's own windows: at every level (the image,
    then each layer's output) the positions the rest of the chain makes it read lie inside that level.
    Such a unit's gradient spans exactly its field: the extreme taps of every kernel are real pixels."""
    for field, n in zip(suffix_fields, sizes, strict=True):
        first, last = _span(i, field, axis)
        if first < 0 or last > n - 1:
            return False
    return True


def _gradient(model: keras.Model, x: tf.Tensor, unit: tuple[int, int]) -> np.ndarray:
    """d output[unit] / d input, as an (H, W) array."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x)[0, unit[0], unit[1], 0]
    return tape.gradient(y, x)[0, :, :, 0].numpy()  # type: ignore[no-any-return]


def _ones_model(hw: tuple[int, int], chain: list[tuple[str, dict[str, Any]]]) -> keras.Model:
    """The chain as a Keras model on a one-channel image, kernels all 1 and biases 0, so that an output unit's
    gradient is positive exactly on the input pixels it reads (no cancellation can hide one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = keras.Sequential([keras.Input((*hw, 1))] + [getattr(keras.layers, n)(**c) for n, c in chain])
    for w in model.weights:
        w.assign(np.zeros(w.shape) if "bias" in w.path else np.ones(w.shape))
    return model


def _ints(shape: tuple[int | None, ...]) -> tuple[int, ...]:
    assert None not in shape
    return tuple(d for d in shape if d is not None)


def _chain_infos(hw: tuple[int, int], chain: list[tuple[str, dict[str, Any]]]) -> list[calc.LayerInfo]:
    infos: list[calc.LayerInfo] = []
    shape: tuple[Any, ...] = (*hw, 1)
    for name, config in chain:
        infos.append(calc.layer_info(name, config, shape))
        shape = infos[-1].output_shape
    return infos


def _check_chain(
    hw: tuple[int, int], chain: list[tuple[str, dict[str, Any]]], infos: list[calc.LayerInfo], mismatches: list[str]
) -> bool:
    """Check calc's field of one chain against TensorFlow's gradients (see test_receptive_field_matches_gradients);
    appends what disagrees to ``mismatches``; True when size, stride and padding were measured exactly."""
    suffix = [calc.receptive_field(infos[level:]) for level in range(len(infos))]
    assert all(f is not None and None not in f.padding for f in suffix)
    fields: list[calc.ReceptiveField] = suffix  # type: ignore[assignment]
    field = fields[0]
    out_hw = _ints(infos[-1].output_shape[:2])
    sizes = [[hw[a], *(_ints(info.output_shape)[a] for info in infos[:-1])] for a in (0, 1)]
    model, x = _ones_model(hw, chain), tf.ones((1, *hw, 1))
    what = f"{chain} on {hw}: calc {field}"

    for unit in {(0, 0), (out_hw[0] - 1, out_hw[1] - 1), (out_hw[0] // 2, out_hw[1] // 2),
                 (max(out_hw[0] // 2 - 1, 0), max(out_hw[1] // 2 - 1, 0))}:  # fmt: skip
        g = _gradient(model, x, unit)
        for a in (0, 1):
            seen, (first, last) = _support(g, a), _span(unit[a], field, a)
            if seen is not None and not first <= seen[0] <= seen[1] <= last:
                mismatches.append(f"{what}: unit {unit} axis {a} reads {seen}, outside calc's {(first, last)}")

    alive = [
        next(
            (i for i in range(out_hw[a] - 1) if _alive(i, fields, sizes[a], a) and _alive(i + 1, fields, sizes[a], a)),
            None,
        )
        for a in (0, 1)
    ]
    i, j = alive
    if i is None or j is None:
        return False
    here_g, next_g = _gradient(model, x, (i, j)), _gradient(model, x, (i + 1, j + 1))
    for a, u in ((0, i), (1, j)):
        here, there = _support(here_g, a), _support(next_g, a)
        if here is None or there is None:
            mismatches.append(f"{what}: axis {a}: unit {(i, j)} or its neighbour reads no input pixel")
            continue
        stride = there[0] - here[0]
        got = (here[1] - here[0] + 1, stride, u * stride - here[0])
        said = (field.size[a], field.stride[a], field.padding[a])
        if got != said:
            mismatches.append(f"{what}: axis {a} size/stride/padding measured {got}, calc {said}")
    return True


def test_receptive_field_matches_gradients() -> None:
    """calc.receptive_field against the input pixels TensorFlow says each output unit depends on.

    Per axis, calc says output unit i reads input pixels [i*stride - padding, i*stride - padding + size - 1];
    what lies outside the image is padding. Measured on each chain:
    (1) size, stride and padding exactly, on the first output unit that reads no padding anywhere in the chain
        (and whose neighbour reads none either): its gradient spans the size; the shift to the neighbour is
        the stride; i*stride - (first pixel read) is the padding, i.e. where the first unit's field starts,
        derived from an unclipped field since the first unit's own field overhangs the image with 'same'.
    (2) for the first, last and two middle units: every pixel read lies inside calc's field. Near the edges
        the pixels read are fewer than the field (padding, crops, and dilation or strides leave gaps, so the
        first pixel read need not be the clipped field's first), hence containment there, not equality.
    Average pooling stands for pooling (max pooling shares its window code, and a max sends the gradient to
    one pixel only).
    """
    start = time.perf_counter()
    mismatches: list[str] = []
    measured = refused = 0
    for hw, chain in receptive_field_chains(RF_CHAINS):
        try:
            infos = _chain_infos(hw, chain)
        except calc.CalcError:
            refused += 1
            continue
        measured += _check_chain(hw, chain, infos, mismatches)
    print(f"\nreceptive fields: {RF_CHAINS - refused} chains checked, {measured} measured on an unclipped unit, "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    assert not mismatches, f"{len(mismatches)} disagreements:\n" + "\n".join(mismatches[:40])
    assert measured >= RF_MIN_MEASURED


def test_center_crop_field_matches_gradients() -> None:
    """CenterCrop's window (a one-pixel window shifted by the crop's start) against TensorFlow's gradients."""
    mismatches: list[str] = []
    measured = 0
    for hw, chain in center_crop_chains(40):
        try:
            infos = _chain_infos(hw, chain)
        except calc.CalcError:
            continue
        measured += _check_chain(hw, chain, infos, mismatches)
    assert not mismatches, f"{len(mismatches)} disagreements:\n" + "\n".join(mismatches[:40])
    assert measured >= 25
