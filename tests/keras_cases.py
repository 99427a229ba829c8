# Random layer configurations for the cross-check against real Keras
# (tests/test_keras_crosscheck.py). Pure Python: each family is a small
# generator that draws from its own random.Random(seed), so the cases are the
# same on every run and adding a family never shifts another's draws. The
# draws lean on the corners: sizes around the window, odd and even sizes,
# zero and negative arguments, illegal combinations.

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, NamedTuple

Shape = tuple[int | None, ...]


class Case(NamedTuple):
    """One layer to build: a Keras class name, its config dict, and its input shape(s) without the batch axis."""

    class_name: str
    config: dict[str, Any]
    input_shape: Any  # a Shape, or a list of Shapes for merge layers


SEED = 20240611
SCALE = 3  # the counts below times this; the whole family sweep takes about 30 s on 2 cores


def _maybe(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _size(rng: random.Random, lo: int = 1, hi: int = 12, p_none: float = 0.0) -> int | None:
    return None if _maybe(rng, p_none) else rng.randint(lo, hi)


def _image(rng: random.Random, p_none: float = 0.08, hi: int = 12) -> tuple[int | None, int | None, int]:
    """(H, W, C) with small sizes, sometimes an unknown (None) height or width."""
    return (_size(rng, 1, hi, p_none), _size(rng, 1, hi, p_none), rng.randint(1, 5))


def _int_or_pair(rng: random.Random, lo: int, hi: int, p_pair: float = 0.4, p_bad: float = 0.0) -> Any:
    """An int or a pair (tuple or list), each value in [lo, hi]; with p_bad one value is 0 or negative."""

    def one() -> int:
        return rng.choice((0, -1)) if _maybe(rng, p_bad) else rng.randint(lo, hi)

    if _maybe(rng, p_pair):
        pair = (one(), one())
        return list(pair) if _maybe(rng, 0.5) else pair
    return one()


def _padding(rng: random.Random) -> str:
    return rng.choice(("valid", "same", "valid", "same", "SAME", "Valid"))


def _dilation(rng: random.Random, p: float = 0.3) -> Any:
    return _int_or_pair(rng, 1, 3) if _maybe(rng, p) else 1


def _filters(rng: random.Random, p_bad: float = 0.04) -> int:
    return rng.choice((0, -2)) if _maybe(rng, p_bad) else rng.randint(1, 8)


# --- convolutions ---------------------------------------------------------------------------------


def conv2d_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        h, w, c = _image(rng)
        groups = rng.choice((1, 1, 1, 2, 3, 4)) if _maybe(rng, 0.3) else 1
        c = c * groups if _maybe(rng, 0.7) else c  # usually divisible, sometimes not
        filters = _filters(rng)
        if groups > 1 and _maybe(rng, 0.6) and filters > 0:
            filters = groups * rng.randint(1, 3)
        config: dict[str, Any] = {
            "filters": filters,
            "kernel_size": _int_or_pair(rng, 1, 6, p_bad=0.03),
            "strides": _int_or_pair(rng, 1, 3, p_bad=0.03),
            "padding": _padding(rng),
            "dilation_rate": _dilation(rng),
            "groups": groups,
            "use_bias": _maybe(rng, 0.7),
        }
        cases.append(Case("Conv2D", config, (h, w, None if _maybe(rng, 0.02) else c)))
    return cases


def depthwise_conv2d_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        config: dict[str, Any] = {
            "kernel_size": _int_or_pair(rng, 1, 5, p_bad=0.03),
            "strides": _int_or_pair(rng, 1, 3, p_bad=0.03),
            "padding": _padding(rng),
            "depth_multiplier": rng.choice((0, 1, 1, 2, 3)),
            "dilation_rate": _dilation(rng, 0.4),
            "use_bias": _maybe(rng, 0.7),
        }
        cases.append(Case("DepthwiseConv2D", config, _image(rng)))
    return cases


def separable_conv2d_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        config: dict[str, Any] = {
            "filters": _filters(rng),
            "kernel_size": _int_or_pair(rng, 1, 5, p_bad=0.03),
            "strides": _int_or_pair(rng, 1, 3, p_bad=0.03),
            "padding": _padding(rng),
            "depth_multiplier": rng.choice((0, 1, 1, 2, 3)),
            "dilation_rate": _dilation(rng, 0.4),
            "use_bias": _maybe(rng, 0.7),
        }
        cases.append(Case("SeparableConv2D", config, _image(rng)))
    return cases


def conv2d_transpose_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        strides = _int_or_pair(rng, 1, 4, p_bad=0.02)
        output_padding: Any = None
        if _maybe(rng, 0.55):
            output_padding = _int_or_pair(rng, 0, 3)
        config: dict[str, Any] = {
            "filters": _filters(rng),
            "kernel_size": _int_or_pair(rng, 1, 5, p_bad=0.02),  # even kernels and kernels smaller than the stride
            "strides": strides,
            "padding": _padding(rng),
            "output_padding": output_padding,
            "dilation_rate": _dilation(rng, 0.2),
            "use_bias": _maybe(rng, 0.7),
        }
        cases.append(Case("Conv2DTranspose", config, _image(rng, hi=8)))
    return cases


# --- pooling, padding, resampling -------------------------------------------------------------


def pooling2d_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        config: dict[str, Any] = {
            "pool_size": _int_or_pair(rng, 1, 5, p_bad=0.03),
            "strides": None if _maybe(rng, 0.4) else _int_or_pair(rng, 1, 3, p_bad=0.03),
            "padding": _padding(rng),
        }
        name = rng.choice(("MaxPooling2D", "AveragePooling2D"))
        cases.append(Case(name, config, _image(rng, hi=9)))
    return cases


def global_pooling2d_cases(rng: random.Random, n: int) -> list[Case]:
    return [
        Case(
            rng.choice(("GlobalAveragePooling2D", "GlobalMaxPooling2D")),
            {"keepdims": _maybe(rng, 0.5)},
            _image(rng, p_none=0.2),
        )
        for _ in range(n)
    ]


def _spatial_amounts(rng: random.Random, lo: int, hi: int) -> Any:
    """The three Keras forms: int, (symmetric_h, symmetric_w), ((top, bottom), (left, right))."""
    form = rng.randrange(3)
    if form == 0:
        return rng.randint(lo, hi)
    if form == 1:
        return (rng.randint(lo, hi), rng.randint(lo, hi))
    return ((rng.randint(lo, hi), rng.randint(lo, hi)), (rng.randint(lo, hi), rng.randint(lo, hi)))


def zero_padding2d_cases(rng: random.Random, n: int) -> list[Case]:
    return [
        Case("ZeroPadding2D", {"padding": _spatial_amounts(rng, -1 if _maybe(rng, 0.15) else 0, 3)}, _image(rng))
        for _ in range(n)
    ]


def cropping2d_cases(rng: random.Random, n: int) -> list[Case]:
    # Small inputs, so that many crops eat the whole height or width.
    return [
        Case("Cropping2D", {"cropping": _spatial_amounts(rng, -1 if _maybe(rng, 0.1) else 0, 4)}, _image(rng, hi=7))
        for _ in range(n)
    ]


def up_sampling2d_cases(rng: random.Random, n: int) -> list[Case]:
    interpolations = ("nearest", "bilinear", "bicubic", "area", "lanczos3", "lanczos5", "Bilinear", "cubic")
    return [
        Case(
            "UpSampling2D",
            {"size": _int_or_pair(rng, 1, 3, p_bad=0.05), "interpolation": rng.choice(interpolations)},
            _image(rng, hi=6),
        )
        for _ in range(n)
    ]


# --- dense and reshaping ----------------------------------------------------------------------


def _any_rank(rng: random.Random, p_none: float = 0.1) -> Shape:
    rank = rng.choice((1, 1, 2, 3, 3))
    dims = [_size(rng, 1, 6, p_none) for _ in range(rank)]
    return tuple(dims)


def dense_cases(rng: random.Random, n: int) -> list[Case]:
    return [
        Case("Dense", {"units": _filters(rng, 0.05), "use_bias": _maybe(rng, 0.7)}, _any_rank(rng, 0.05))
        for _ in range(n)
    ]


def flatten_cases(rng: random.Random, n: int) -> list[Case]:
    return [Case("Flatten", {}, _any_rank(rng)) for _ in range(n)]


def reshape_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        dims = _any_rank(rng, 0.08)
        total = 1
        for d in dims:
            total *= d or 1
        # A factorisation of the total (a good target), then perhaps spoilt.
        target: list[int] = []
        rest = total
        for f in (2, 3, 5):
            while rest % f == 0 and _maybe(rng, 0.5):
                target.append(f)
                rest //= f
        target.append(rest)
        rng.shuffle(target)
        kind = rng.randrange(5)
        if kind == 1:
            target[rng.randrange(len(target))] = -1
        elif kind == 2:
            target[rng.randrange(len(target))] += rng.choice((1, 2))  # wrong product
        elif kind == 3:
            target.append(-1)
            target.insert(0, rng.choice((2, 3, 4, 7)))  # -1 that may not divide
        elif kind == 4 and _maybe(rng, 0.5):
            target = [-1, -1] if _maybe(rng, 0.5) else [0, *target]
        cases.append(Case("Reshape", {"target_shape": tuple(target)}, dims))
    return cases


# --- normalization and element-wise -----------------------------------------------------------


def batch_normalization_cases(rng: random.Random, n: int) -> list[Case]:
    return [
        Case(
            "BatchNormalization",
            {
                "axis": rng.choice((-1, -1, -2, -3, -4, 0, 1, 2, 3, 4)),
                "center": _maybe(rng, 0.7),
                "scale": _maybe(rng, 0.7),
            },
            _any_rank(rng, 0.05),
        )
        for _ in range(n)
    ]


def _axes(rng: random.Random) -> Any:
    if _maybe(rng, 0.6):
        return rng.choice((-1, -1, -2, -3, -4, 0, 1, 2, 3, 4))
    picked = rng.sample((-1, 1, 2, 3), rng.randint(1, 3))
    return list(picked) if _maybe(rng, 0.5) else tuple(picked)


def layer_normalization_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        config: dict[str, Any] = {"axis": _axes(rng), "center": _maybe(rng, 0.7), "scale": _maybe(rng, 0.7)}
        if _maybe(rng, 0.2):
            config["rms_scaling"] = True
        cases.append(Case("LayerNormalization", config, _any_rank(rng, 0.05)))
    return cases


def normalization_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        config: dict[str, Any] = {"axis": None if _maybe(rng, 0.2) else _axes(rng)}
        given = rng.randrange(4)  # neither, both, mean only, variance only
        if given in (1, 2):
            config["mean"] = 0.5
        if given in (1, 3):
            config["variance"] = 2.0
        cases.append(Case("Normalization", config, _any_rank(rng, 0.05)))
    return cases


def prelu_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        kind = rng.randrange(4)
        shared: Any = None
        if kind == 1:
            shared = rng.choice((-2, -1, 0, 1, 2, 3, 4))
        elif kind >= 2:
            shared = rng.sample((-1, 0, 1, 2, 3), rng.randint(1, 3))
        cases.append(Case("PReLU", {"shared_axes": shared}, _image(rng, p_none=0.1, hi=5)))
    return cases


_ELEMENTWISE = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")


def merge_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        base = tuple(_size(rng, 1, 5, 0.05) for _ in range(rng.choice((1, 2, 3, 3))))
        shapes = []
        for _ in range(rng.choice((1, 2, 2, 2, 3))):
            s = list(base)
            change = rng.randrange(5)
            if change == 1 and s:  # broadcast a size 1
                s[rng.randrange(len(s))] = 1
            elif change == 2 and s:  # a mismatch
                i = rng.randrange(len(s))
                s[i] = (s[i] or 1) + rng.randint(1, 2)
            elif change == 3 and len(s) > 1:  # a lower rank, broadcast from the right
                s = s[rng.randint(1, len(s) - 1) :]
            shapes.append(tuple(s))
        if _maybe(rng, 0.35):
            cases.append(Case("Concatenate", {"axis": rng.choice((-1, -1, -2, -3, -4, 0, 1, 2, 3, 4))}, shapes))
        else:
            cases.append(Case(rng.choice(_ELEMENTWISE), {}, shapes))
    return cases


# Constructor arguments the augmentation layers need (their factors change no shape).
_AUGMENTATION: dict[str, dict[str, Any]] = {
    "AugMix": {}, "AutoContrast": {}, "CutMix": {}, "MixUp": {}, "RandAugment": {},
    "RandomBrightness": {"factor": 0.2}, "RandomColorDegeneration": {"factor": 0.2}, "RandomColorJitter": {},
    "RandomContrast": {"factor": 0.2}, "RandomElasticTransform": {}, "RandomErasing": {},
    "RandomFlip": {"mode": "horizontal"}, "RandomGaussianBlur": {}, "RandomGrayscale": {}, "RandomHue": {"factor": 0.2},
    "RandomInvert": {}, "RandomPerspective": {}, "RandomPosterization": {"factor": (1, 4)},
    "RandomRotation": {"factor": 0.1}, "RandomSaturation": {"factor": 0.2}, "RandomSharpness": {"factor": 0.2},
    "RandomShear": {}, "RandomTranslation": {"height_factor": 0.1, "width_factor": 0.1},
    "RandomZoom": {"height_factor": 0.1}, "Solarization": {},
}  # fmt: skip


def preprocessing_cases(rng: random.Random, n: int) -> list[Case]:
    """Augmentation layers, Resizing and the crops on (H, W, C) images, some channels_first."""
    cases = []
    for _ in range(n):
        image = _image(rng, p_none=0.15, hi=14)
        kind = rng.randrange(3)
        if kind == 0:
            name = rng.choice(sorted(_AUGMENTATION))
            cases.append(Case(name, dict(_AUGMENTATION[name]), (image[0], image[1], 3)))
            continue
        name = rng.choice(("Resizing", "CenterCrop", "RandomCrop")) if kind == 1 else "CenterCrop"
        config: dict[str, Any] = {"height": rng.randint(0, 16), "width": rng.randint(1, 16)}
        if _maybe(rng, 0.5):
            config["height"], config["width"] = config["width"], config["height"]
        if _maybe(rng, 0.05):
            config["data_format"] = "channels_first"
        cases.append(Case(name, config, image))
    return cases


def group_normalization_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        groups = rng.choice((-1, 1, 2, 2, 3, 4, 4, 8))
        config: dict[str, Any] = {"groups": groups, "axis": rng.choice((-1, -1, -1, -2, 1, 2, 3, 0))}
        config.update(center=_maybe(rng, 0.8), scale=_maybe(rng, 0.8))
        h, w, _ = _image(rng, p_none=0.1, hi=8)
        c = groups * rng.randint(1, 3) if groups > 0 and _maybe(rng, 0.7) else rng.randint(1, 9)
        cases.append(Case("GroupNormalization", config, (h, w, c)))
        if _maybe(rng, 0.4):
            cases.append(Case("UnitNormalization", {"axis": _axes(rng)}, _any_rank(rng, 0.05)))
    return cases


# name -> (generator, number of cases)
FAMILIES: dict[str, tuple[Callable[[random.Random, int], list[Case]], int]] = {
    "Conv2D": (conv2d_cases, 170),
    "DepthwiseConv2D": (depthwise_conv2d_cases, 90),
    "SeparableConv2D": (separable_conv2d_cases, 90),
    "Conv2DTranspose": (conv2d_transpose_cases, 170),
    "Pooling2D": (pooling2d_cases, 140),
    "GlobalPooling2D": (global_pooling2d_cases, 30),
    "ZeroPadding2D": (zero_padding2d_cases, 50),
    "Cropping2D": (cropping2d_cases, 60),
    "UpSampling2D": (up_sampling2d_cases, 40),
    "Dense": (dense_cases, 50),
    "Flatten": (flatten_cases, 20),
    "Reshape": (reshape_cases, 70),
    "BatchNormalization": (batch_normalization_cases, 50),
    "LayerNormalization": (layer_normalization_cases, 50),
    "Normalization": (normalization_cases, 50),
    "PReLU": (prelu_cases, 40),
    "Merge": (merge_cases, 130),
    "Preprocessing": (preprocessing_cases, 60),
    "GroupNormalization": (group_normalization_cases, 40),
}


def family_cases(family: str) -> list[Case]:
    """The cases of one family, the same on every run (each family has its own seeded generator)."""
    generate, n = FAMILIES[family]
    return generate(random.Random(f"{SEED}:{family}"), n * SCALE)


# --- chains for the receptive-field check -----------------------------------------------------


def _chain_layer(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """One spatial layer with one channel in and out; every kind of Window calc gives."""
    name = rng.choice(
        ("Conv2D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "AveragePooling2D", "AveragePooling2D",
         "ZeroPadding2D", "Cropping2D", "Conv2DTranspose")
    )  # fmt: skip
    if name in ("ZeroPadding2D", "Cropping2D"):
        return name, {"padding" if name == "ZeroPadding2D" else "cropping": _spatial_amounts(rng, 0, 3)}
    padding = rng.choice(("valid", "same"))
    if name == "AveragePooling2D":
        strides = None if _maybe(rng, 0.4) else _int_or_pair(rng, 1, 3)
        return name, {"pool_size": _int_or_pair(rng, 1, 3), "strides": strides, "padding": padding}
    config: dict[str, Any] = {"kernel_size": _int_or_pair(rng, 1, 4), "padding": padding}
    if name == "Conv2DTranspose":  # position-independent fields only at stride 1
        config.update(strides=1, dilation_rate=_dilation(rng), output_padding=rng.choice((None, 0)))
    else:
        config["strides"] = _int_or_pair(rng, 1, 2)
        dilated = name != "Conv2D" or config["strides"] in (1, (1, 1), [1, 1])  # Conv2D refuses the pair
        config["dilation_rate"] = _dilation(rng, 0.35) if dilated else 1
    if name != "DepthwiseConv2D":
        config["filters"] = 1
    return name, config


def receptive_field_chains(n: int, seed: int = SEED) -> list[tuple[tuple[int, int], list[tuple[str, dict[str, Any]]]]]:
    """n random chains of 1 to 4 layers on a one-channel image of 14 to 40 pixels a side (not yet checked for
    validity: the caller draws again when calc refuses a chain)."""
    rng = random.Random(f"{seed}:receptive")
    return [
        ((rng.randint(14, 40), rng.randint(14, 40)), [_chain_layer(rng) for _ in range(rng.randint(1, 4))])
        for _ in range(n)
    ]


def center_crop_chains(n: int, seed: int = SEED) -> list[tuple[tuple[int, int], list[tuple[str, dict[str, Any]]]]]:
    """n chains that start with a CenterCrop no larger than the image, followed by 0 to 2 other layers."""
    rng = random.Random(f"{seed}:center-crop")
    chains = []
    for _ in range(n):
        hw = (rng.randint(10, 30), rng.randint(10, 30))
        crop = {"height": rng.randint(4, hw[0]), "width": rng.randint(4, hw[1])}
        chains.append((hw, [("CenterCrop", crop)] + [_chain_layer(rng) for _ in range(rng.randint(0, 2))]))
    return chains


# Families whose layers take a data_format, and how many channels_first cases to draw from each.
_CHANNELS_FIRST_FAMILIES = {
    "Conv2D": 60, "DepthwiseConv2D": 30, "SeparableConv2D": 30, "Conv2DTranspose": 60, "Pooling2D": 50,
    "GlobalPooling2D": 15, "ZeroPadding2D": 20, "Cropping2D": 20, "UpSampling2D": 15, "Preprocessing": 60,
}  # fmt: skip
_WITH_DATA_FORMAT = {
    "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose", "MaxPooling2D", "AveragePooling2D",
    "GlobalAveragePooling2D", "GlobalMaxPooling2D", "ZeroPadding2D", "Cropping2D", "UpSampling2D", "Resizing",
    "CenterCrop", "RandomCrop",
}  # fmt: skip


def channels_first_cases() -> list[Case]:
    """Cases of the spatial families drawn afresh (their own seeds) and moved to channels_first: the input
    (H, W, C) becomes (C, H, W) and the config says data_format="channels_first"."""
    cases = []
    for family, n in _CHANNELS_FIRST_FAMILIES.items():
        generate, _ = FAMILIES[family]
        for case in generate(random.Random(f"{SEED}:channels_first:{family}"), n):
            shape = case.input_shape
            if case.class_name not in _WITH_DATA_FORMAT or isinstance(shape, list) or len(shape) != 3:
                continue
            if case.config.get("data_format") not in (None, "channels_last"):
                continue
            h, w, c = shape
            cases.append(Case(case.class_name, {**case.config, "data_format": "channels_first"}, (c, h, w)))
    return cases
