# Shared Hypothesis strategies for the calc tests: valid layer configurations
# in Keras' vocabulary, chains of windows for receptive-field properties, and
# junk for the "calc only ever raises CalcError" fuzzing.

from __future__ import annotations

from typing import Any, NamedTuple

from hypothesis import strategies as st

import calc

__all__ = [
    "ConvConfig",
    "conv_configs",
    "huge_ints",
    "junk",
    "junk_or",
    "paddings",
    "shapes",
    "window_chains",
    "windows",
]

paddings = st.sampled_from(["valid", "same"])

# Ints at the edges calc must refuse or survive: just past TensorFlow's int64 sizes, and far past.
huge_ints = st.sampled_from([2**62, 2**62 + 1, 2**63, 2**64 + 7, 10**30])

# Anything a JSON config or a careless caller could hand over, nested.
_junk_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["same", "valid", "SAME", "channels_first", "channels_last", "float32", "causal", ""]),
    st.binary(max_size=4),
    st.complex_numbers(max_magnitude=10),
)
junk: st.SearchStrategy[Any] = st.recursive(
    _junk_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=6), inner, max_size=3),
    ),
    max_leaves=8,
)


def junk_or(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly plausible values, sometimes junk: fuzzing that still reaches deep code paths."""
    return st.one_of(valid, valid, junk)


# Input shapes without the batch axis, of rank 1 to 4, sometimes with unknown (None) sizes.
_sizes = st.one_of(st.integers(1, 64), st.none())
shapes = st.lists(_sizes, min_size=1, max_size=4).map(tuple)


class ConvConfig(NamedTuple):
    """One valid Conv2D configuration: Keras arguments plus the input shape."""

    input_shape: tuple[int, int, int]
    filters: int
    kernel_size: tuple[int, int]
    strides: tuple[int, int]
    padding: str
    dilation_rate: tuple[int, int]
    groups: int

    def kwargs(self) -> dict[str, Any]:
        return self._asdict()


@st.composite
def conv_configs(draw: st.DrawFn, max_size: int = 300) -> ConvConfig:
    """A Conv2D that Keras accepts: strides and dilation never both > 1, channels and filters divisible by
    groups, and a non-empty output under 'valid' padding."""
    padding = draw(paddings)
    kernel = (draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    if draw(st.booleans()):
        strides, dilation = (draw(st.integers(1, 5)), draw(st.integers(1, 5))), (1, 1)
    else:
        strides, dilation = (1, 1), (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    extent = [dilation[i] * (kernel[i] - 1) + 1 for i in (0, 1)]
    low = [extent[i] if padding == "valid" else 1 for i in (0, 1)]
    h = draw(st.integers(low[0], max(low[0], max_size)))
    w = draw(st.integers(low[1], max(low[1], max_size)))
    groups = draw(st.sampled_from([1, 1, 2, 3, 4]))
    channels = groups * draw(st.integers(1, 8))
    filters = groups * draw(st.integers(1, 16))
    return ConvConfig((h, w, channels), filters, kernel, strides, padding, dilation, groups)


windows = st.builds(
    calc.Window,
    kernel=st.tuples(st.integers(1, 11), st.integers(1, 11)),
    strides=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    pad_before=st.tuples(st.integers(-3, 5), st.integers(-3, 5)),
    pad_after=st.tuples(st.integers(-3, 5), st.integers(-3, 5)),
    dilation=st.just((1, 1)),  # kernel is any extent here, which every extent is with dilation 1
)

window_chains = st.lists(windows, max_size=12)
