# Argument normalisation, mirroring keras.src.utils.argument_validation:
# an int or a sequence of ints becomes a tuple; zero and negatives are refused
# where Keras refuses them. Messages name the layer and the argument.

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calc._errors import LayerConfigError

# TensorFlow indexes tensors with int64; nothing larger can be a real size.
MAX_SIZE = 2**62

Shape = tuple[int | None, ...]
Pair = tuple[int, int]


def _int(layer: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LayerConfigError(layer, name, f"expected an integer, got {value!r}")
    if value > MAX_SIZE:
        raise LayerConfigError(layer, name, f"{value} exceeds the largest size a tensor can have (2**62)")
    return value


def positive(layer: str, name: str, value: Any) -> int:
    """An integer > 0."""
    if type(value) is int and 0 < value <= MAX_SIZE:
        return value
    v = _int(layer, name, value)
    if v <= 0:
        raise LayerConfigError(layer, name, f"must be a positive integer, got {v}")
    return v


def pair(layer: str, name: str, value: Any, allow_zero: bool = False) -> Pair:
    """An int or a sequence of two ints, as Keras' ``standardize_tuple(value, 2, ...)``."""
    # Fast path for the common case (plain ints in range); everything else takes the checked path below.
    low = 0 if allow_zero else 1
    if type(value) is int:
        if low <= value <= MAX_SIZE:
            return (value, value)
    elif type(value) in (list, tuple) and len(value) == 2:
        a, b = value
        if type(a) is int and type(b) is int and low <= a <= MAX_SIZE and low <= b <= MAX_SIZE:
            return (a, b)
    if isinstance(value, int) and not isinstance(value, bool):
        values: Sequence[Any] = (value, value)
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        values = value
    else:
        raise LayerConfigError(layer, name, f"expected an int or a tuple of 2 ints, got {value!r}")
    a = _int(layer, name, values[0])
    b = _int(layer, name, values[1])
    if a < low or b < low:
        need = ">= 0" if allow_zero else "> 0"
        raise LayerConfigError(layer, name, f"every value must be {need}, got {value!r}")
    return (a, b)


def padding_mode(layer: str, value: Any, any_case: bool = True) -> str:
    """'valid' or 'same'.

    Convolutions lower-case the argument (``standardize_padding``); pooling layers compare it as
    given, so ``"SAME"`` is refused there (``any_case=False``).
    """
    mode = (value.lower() if any_case else value) if isinstance(value, str) else None
    if mode not in ("valid", "same"):
        raise LayerConfigError(layer, "padding", f"must be 'valid' or 'same', got {value!r}")
    return mode


def channels_first(layer: str, data_format: Any) -> bool:
    """Whether a layer's images are (C, H, W): True for 'channels_first', False for None (Keras' default
    image_data_format) and 'channels_last'; anything else is refused."""
    if data_format is None or data_format == "channels_last":
        return False
    if data_format == "channels_first":
        return True
    raise LayerConfigError(layer, "data_format", f"must be 'channels_last' or 'channels_first', got {data_format!r}")


def image(layer: str, input_shape: Any, first: bool) -> Shape:
    """An image input shape as (H, W, C), whichever its layout; ``first``: it is (C, H, W)."""
    a, b, c = shape(layer, input_shape, 3)
    return (b, c, a) if first else (a, b, c)


def layout(first: bool, h: int | None, w: int | None, c: int | None) -> Shape:
    """An image output shape in the layer's layout."""
    return (c, h, w) if first else (h, w, c)


def shape(layer: str, value: Any, rank: int | None = None) -> Shape:
    """An input shape without the batch axis: a tuple of positive ints or None."""
    if not isinstance(value, (list, tuple)):
        raise LayerConfigError(layer, "input_shape", f"expected a tuple of sizes, got {value!r}")
    if rank is not None and len(value) != rank:
        raise LayerConfigError(
            layer, "input_shape", f"expected rank {rank} (without the batch axis), got {tuple(value)!r}"
        )
    if not value:
        raise LayerConfigError(layer, "input_shape", "expected at least one axis besides the batch axis")
    for d in value:
        if d is not None and not (type(d) is int and 0 < d <= MAX_SIZE):
            positive(layer, "input_shape", d)  # raises the message for this size
    return tuple(value)


def known(layer: str, name: str, value: int | None) -> int:
    """A size that must be known (not None), such as the channel axis of a convolution."""
    if value is None:
        raise LayerConfigError(layer, name, "must be defined (not None)")
    return value
