# Receptive field, walking forward from the input (Araujo, Norris & Sim,
# "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019):
#   r <- r + (k - 1)*j      size, k the dilated kernel extent, j the jump so far
#   p <- p + pad_before*j   effective padding
#   j <- j*s                effective stride (jump)
# The centre of the first output unit, in input pixels, is (r - 1)/2 - p.

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from calc._layers import LayerInfo, Window

__all__ = ["INPUT_FIELD", "ReceptiveField", "merge_fields", "receptive_field", "step"]

OptInt = int | None


class ReceptiveField(NamedTuple):
    """Receptive field of one output unit, per spatial axis (height, width), in input pixels.

    ``padding`` is the effective padding: how far before input pixel 0 the first unit's field
    starts. It is None where 'same' padding meets an unknown input size.
    """

    size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[OptInt, OptInt]

    @property
    def start(self) -> tuple[float | None, float | None]:
        """Centre of the first output unit's field: (size - 1)/2 - padding."""
        return (
            None if self.padding[0] is None else (self.size[0] - 1) / 2 - self.padding[0],
            None if self.padding[1] is None else (self.size[1] - 1) / 2 - self.padding[1],
        )


INPUT_FIELD = ReceptiveField((1, 1), (1, 1), (0, 0))


def step(field: ReceptiveField | None, window: Window | None) -> ReceptiveField | None:
    """Receptive field after one more layer; None once an output unit no longer sees a fixed window.

    Examples:
        >>> step(step(INPUT_FIELD, Window((3, 3), (1, 1), (0, 0), (0, 0))), Window((3, 3), (1, 1), (0, 0), (0, 0))).size
        (5, 5)
    """
    if field is None or window is None:
        return None
    (r0, r1), (j0, j1), (p0, p1) = field
    (k0, k1), (s0, s1), (b0, b1) = window.kernel, window.strides, window.pad_before
    return ReceptiveField(
        (r0 + (k0 - 1) * j0, r1 + (k1 - 1) * j1),
        (j0 * s0, j1 * s1),
        (None if p0 is None or b0 is None else p0 + b0 * j0, None if p1 is None or b1 is None else p1 + b1 * j1),
    )


def receptive_field(layers: Iterable[LayerInfo | Window | None]) -> ReceptiveField | None:
    """Receptive field at the end of a chain of layers, from the chain's input.

    Closed form: r = 1 + sum_l (k_l - 1) * prod_{i<l} s_i;  stride = prod s_i;  padding = sum_l p_l * prod_{i<l} s_i.
    """
    field: ReceptiveField | None = INPUT_FIELD
    for item in layers:
        window = item.window if isinstance(item, LayerInfo) else item
        field = step(field, window)
        if field is None:
            return None
    return field


def merge_fields(fields: Sequence[ReceptiveField | None]) -> tuple[ReceptiveField | None, bool]:
    """Field after a merge (Add, Concatenate, ...) and whether its inputs were aligned.

    The largest field wins, per axis. Inputs are aligned when their strides and centres agree;
    None (an input that already sees the whole image) makes the result None.
    """
    if not fields or any(f is None for f in fields):
        return None, True
    known = [f for f in fields if f is not None]
    first = known[0]
    aligned = all(f.stride == first.stride and f.start == first.start for f in known[1:])
    axes = []
    for axis in (0, 1):
        widest = max(known, key=lambda f: f.size[axis])
        axes.append((widest.size[axis], widest.stride[axis], widest.padding[axis]))
    return ReceptiveField((axes[0][0], axes[1][0]), (axes[0][1], axes[1][1]), (axes[0][2], axes[1][2])), aligned
