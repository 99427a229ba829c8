# Hypothesis properties of calc: the output-length definitions, the 'same'
# split, receptive-field identities (closed form = walk, stride = product,
# field >= every kernel), linearity of parameters and MACs, and fuzzing: calc
# refuses bad input only with a CalcError subclass, with a one-line message,
# and what it accepts comes back as plain non-negative ints.
#
# The expected sides are definitions (the inequalities that pin down ceil and
# floor, the sums of the closed form), not calc's code copied. Standard library,
# pytest and Hypothesis only: this file also runs inside Pyodide. The profile
# (derandomized, no database) is set in conftest.py; example counts keep the
# file to a few seconds in CPython.

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from math import prod
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import calc
from calc import LayerInfo, ReceptiveField, Window
from tests.strategies import ConvConfig, conv_configs, huge_ints, junk, junk_or, paddings, shapes, window_chains

FEW = settings(max_examples=150)

# --- output lengths -------------------------------------------------------------------------------


@FEW
@given(
    size=st.one_of(st.integers(1, 10_000), st.integers(1, 2**62)),
    kernel=st.integers(1, 50),
    stride=st.integers(1, 64),
)
def test_same_output_is_ceil_of_input_over_stride(size: int, kernel: int, stride: int) -> None:
    out = calc.conv_output_length(size, kernel, stride, "same")
    assert out is not None
    # out = ceil(size / stride) exactly: the smallest n with n*stride >= size (no float rounding, even at 2**62)
    assert out * stride >= size > (out - 1) * stride


@FEW
@given(
    size=st.one_of(st.integers(1, 10_000), st.integers(1, 2**62)), kernel=st.integers(1, 50), stride=st.integers(1, 64)
)
def test_valid_output_is_floor_plus_one(size: int, kernel: int, stride: int) -> None:
    assume(size >= kernel)
    out = calc.conv_output_length(size, kernel, stride, "valid")
    assert out is not None
    # out = floor((size - kernel)/stride) + 1: the number of window positions that fit inside the input
    assert (out - 1) * stride + kernel <= size < out * stride + kernel


@FEW
@given(conv_configs())
def test_conv2d_output_lengths(config: ConvConfig) -> None:
    info = calc.conv2d(**config.kwargs())
    h, w, _ = config.input_shape
    for axis, size in ((0, h), (1, w)):
        out = info.output_shape[axis]
        assert isinstance(out, int) and out >= 1
        s = config.strides[axis]
        extent = config.dilation_rate[axis] * (config.kernel_size[axis] - 1) + 1
        if config.padding == "same":
            assert out * s >= size > (out - 1) * s
        else:
            assert (out - 1) * s + extent <= size < out * s + extent
    assert info.output_shape[2] == config.filters


@FEW
@given(conv_configs())
def test_same_split_covers_the_last_window(config: ConvConfig) -> None:
    # TensorFlow pads just enough that the last window ends at the padded edge; the extra pixel goes last.
    assume(config.padding == "same")
    info = calc.conv2d(**config.kwargs())
    assert info.window is not None
    for axis in (0, 1):
        size, out = config.input_shape[axis], info.output_shape[axis]
        assert out is not None
        before, after = info.window.pad_before[axis], info.window.pad_after[axis]
        assert before is not None and after is not None
        extent, s = info.window.kernel[axis], info.window.strides[axis]
        assert before + after == max((out - 1) * s + extent - size, 0)
        assert before <= after <= before + 1


@FEW
@given(size=st.integers(1, 40), kernel=st.integers(1, 9), dilation=st.integers(1, 5))
def test_empty_valid_output_is_refused(size: int, kernel: int, dilation: int) -> None:
    extent = dilation * (kernel - 1) + 1
    assume(size < extent)
    with pytest.raises(calc.LayerConfigError) as err:
        calc.conv2d((size, 64, 3), 8, kernel, dilation_rate=dilation)
    assert err.value.argument == "kernel_size"


@FEW
@given(conv_configs(max_size=64), st.integers(1, 4))
def test_transpose_undoes_conv_shape(config: ConvConfig, multiplier: int) -> None:
    # Conv2DTranspose of (k, s) followed by Conv2D of the same (k, s) gives back the input size:
    # 'same': ceil(in*s / s) = in; 'valid': floor(((in-1)*s + k + max(k, s) - k - k)/s) + 1 = in.
    assume(config.dilation_rate == (1, 1))
    h, w, c = config.input_shape
    common: dict[str, Any] = dict(kernel_size=config.kernel_size, strides=config.strides, padding=config.padding)
    up = calc.conv2d_transpose((h, w, c), filters=multiplier, **common)
    down = calc.conv2d(up.output_shape, filters=c, **common)
    assert down.output_shape == (h, w, c)


# --- receptive fields -----------------------------------------------------------------------------


def _closed_form(chain: list[Window], axis: int) -> tuple[int, int, int]:
    """r = 1 + sum_l (k_l - 1) prod_{i<l} s_i;  S = prod s_i;  P = sum_l p_l prod_{i<l} s_i."""
    r = 1 + sum((w.kernel[axis] - 1) * prod(v.strides[axis] for v in chain[:n]) for n, w in enumerate(chain))
    stride = prod(w.strides[axis] for w in chain)
    pad = sum((w.pad_before[axis] or 0) * prod(v.strides[axis] for v in chain[:n]) for n, w in enumerate(chain))
    return r, stride, pad


@settings(max_examples=200)
@given(window_chains)
def test_receptive_field_closed_form_equals_walk(chain: list[Window]) -> None:
    field = calc.receptive_field(chain)
    assert field is not None
    for axis in (0, 1):
        assert (field.size[axis], field.stride[axis], field.padding[axis]) == _closed_form(chain, axis)


@FEW
@given(window_chains)
def test_receptive_field_at_least_every_kernel(chain: list[Window]) -> None:
    field = calc.receptive_field(chain)
    assert field is not None
    for axis in (0, 1):
        assert field.size[axis] >= max([1] + [w.kernel[axis] for w in chain])


@FEW
@given(window_chains)
def test_effective_stride_is_product_of_strides(chain: list[Window]) -> None:
    field = calc.receptive_field(chain)
    assert field is not None
    assert field.stride == (prod(w.strides[0] for w in chain), prod(w.strides[1] for w in chain))


@FEW
@given(window_chains, window_chains)
def test_receptive_field_walk_is_incremental(first: list[Window], second: list[Window]) -> None:
    # walking a chain in two parts with step() gives the same field as walking it at once
    field: ReceptiveField | None = calc.receptive_field(first)
    for w in second:
        field = calc.step(field, w)
    assert field == calc.receptive_field(first + second)


@FEW
@given(window_chains, st.integers(0, 12))
def test_identity_layers_change_nothing(chain: list[Window], where: int) -> None:
    where = min(where, len(chain))
    assert calc.receptive_field([*chain[:where], calc.IDENTITY, *chain[where:]]) == calc.receptive_field(chain)


@FEW
@given(st.lists(conv_configs(max_size=96), min_size=1, max_size=4))
def test_receptive_field_of_real_convolutions(configs: list[ConvConfig]) -> None:
    # feed each convolution the previous output; skip chains whose 'valid' outputs shrink to nothing
    layers: list[LayerInfo] = []
    shape: tuple[int | None, ...] = configs[0].input_shape
    for config in configs:
        kwargs = config.kwargs()
        kwargs["input_shape"] = (*shape[:2], config.input_shape[2])
        try:
            layers.append(calc.conv2d(**kwargs))
        except calc.LayerConfigError:
            assume(False)
        shape = layers[-1].output_shape
    field = calc.receptive_field(layers)
    assert field is not None
    extents = [[c.dilation_rate[a] * (c.kernel_size[a] - 1) + 1 for c in configs] for a in (0, 1)]
    for axis in (0, 1):
        strides = [c.strides[axis] for c in configs]
        expected = 1 + sum((extents[axis][n] - 1) * prod(strides[:n]) for n in range(len(configs)))
        assert field.size[axis] == expected
        assert field.stride[axis] == prod(strides)


fields = window_chains.map(calc.receptive_field)


@FEW
@given(st.lists(fields, min_size=1, max_size=4))
def test_merge_takes_the_widest_field(inputs: list[ReceptiveField]) -> None:
    merged, aligned = calc.merge_fields(inputs)
    assert merged is not None
    for axis in (0, 1):
        assert merged.size[axis] == max(f.size[axis] for f in inputs)
    # aligned exactly when every input has the first one's stride and centre
    assert aligned == all(f.stride == inputs[0].stride and f.start == inputs[0].start for f in inputs)


@FEW
@given(fields, fields)
def test_merge_alignment_is_symmetric_and_reflexive(a: ReceptiveField, b: ReceptiveField) -> None:
    assert calc.merge_fields([a, a]) == (a, True)
    assert calc.merge_fields([a, b])[1] == calc.merge_fields([b, a])[1]


# --- parameters and MACs --------------------------------------------------------------------------


@FEW
@given(conv_configs(max_size=128), st.integers(2, 5), st.booleans())
def test_conv2d_params_and_macs_linear_in_filters(config: ConvConfig, factor: int, use_bias: bool) -> None:
    one = calc.conv2d(**config.kwargs(), use_bias=use_bias)
    many = calc.conv2d(**{**config.kwargs(), "filters": config.filters * factor}, use_bias=use_bias)
    assert one.params >= 0 and one.macs is not None and one.macs >= 0
    assert many.params == factor * one.params
    assert many.macs == factor * one.macs
    assert many.trainable_params == many.params


@FEW
@given(conv_configs(max_size=128))
def test_groups_divide_weights_and_macs(config: ConvConfig) -> None:
    # the same convolution with groups g holds 1/g of the kernel weights and does 1/g of the MACs
    dense = calc.conv2d(**{**config.kwargs(), "groups": 1}, use_bias=False)
    grouped = calc.conv2d(**config.kwargs(), use_bias=False)
    assert dense.macs is not None and grouped.macs is not None
    assert dense.params == config.groups * grouped.params
    assert dense.macs == config.groups * grouped.macs


@FEW
@given(conv_configs(max_size=128), st.integers(1, 16))
def test_separable_params_affine_in_filters(config: ConvConfig, filters: int) -> None:
    # depthwise part fixed, pointwise part and bias grow with filters: params(f) = a + b*f
    kwargs = {k: v for k, v in config.kwargs().items() if k not in ("groups", "filters")}
    p = [calc.separable_conv2d(**kwargs, filters=filters * n).params for n in (1, 2, 3)]
    assert p[2] - p[1] == p[1] - p[0] > 0


@FEW
@given(shape=st.lists(st.integers(1, 64), min_size=1, max_size=3).map(tuple), units=st.integers(1, 512))
def test_dense_linear_in_units(shape: tuple[int, ...], units: int) -> None:
    one = calc.dense(shape, units)
    two = calc.dense(shape, 2 * units)
    assert two.params == 2 * one.params and two.macs == 2 * one.macs  # type: ignore[operator]
    assert one.macs == prod(shape) * units  # every input element meets every unit once per position


@FEW
@given(conv_configs(max_size=64), st.sampled_from(sorted(calc.DTYPE_BYTES)))
def test_bytes_scale_with_elements(config: ConvConfig, dtype: str) -> None:
    info = calc.conv2d(**config.kwargs())
    elements = info.activation_elements
    assert elements == prod(info.output_shape)  # type: ignore[arg-type]
    assert info.activation_bytes(dtype) == elements * calc.DTYPE_BYTES[dtype]
    assert info.weight_bytes(dtype) == info.params * calc.DTYPE_BYTES[dtype]


# --- fuzzing: only CalcError comes out ------------------------------------------------------------

_small = st.integers(-2, 9)
_pairs = st.tuples(_small, _small)
_plausible: dict[str, st.SearchStrategy[Any]] = {
    "input_shape": st.one_of(shapes, st.lists(st.integers(1, 9), min_size=3, max_size=3).map(tuple)),
    "input_shapes": st.lists(st.one_of(shapes, st.just((4, 4, 3))), min_size=0, max_size=3),
    "filters": st.one_of(st.integers(-2, 64), huge_ints),
    "units": st.one_of(st.integers(-2, 64), huge_ints),
    "depth_multiplier": st.integers(-1, 4),
    "projection_dim": st.integers(-1, 8),
    "groups": st.integers(-1, 8),
    "kernel_size": st.one_of(_small, _pairs),
    "pool_size": st.one_of(_small, _pairs, st.none()),
    "strides": st.one_of(_small, _pairs, st.none()),
    "dilation_rate": st.one_of(_small, _pairs),
    "size": st.one_of(_small, _pairs),
    "output_padding": st.one_of(st.none(), _small, _pairs),
    "padding": st.one_of(paddings, _small, _pairs, st.tuples(_pairs, _pairs)),
    "cropping": st.one_of(_small, _pairs, st.tuples(_pairs, _pairs)),
    "data_format": st.sampled_from([None, "channels_last", "channels_first", "NHWC"]),
    "axis": st.one_of(st.integers(-5, 5), st.lists(st.integers(-5, 5), max_size=3), st.none()),
    "shared_axes": st.one_of(st.none(), st.integers(-4, 4), st.lists(st.integers(-4, 4), max_size=3)),
    "target_shape": st.lists(st.integers(-1, 64), min_size=0, max_size=3),
    "interpolation": st.sampled_from(["nearest", "bilinear", "BICUBIC", "cubic", ""]),
    "mean": st.one_of(st.none(), st.just([0.5]), st.just(0.5)),
    "variance": st.one_of(st.none(), st.just([0.25]), st.just(0.25)),
    "class_name": st.one_of(st.sampled_from(sorted(calc.LAYERS)), st.text(max_size=6)),
}
_bools = st.one_of(st.booleans(), st.sampled_from([0, 1, None, "yes"]))


def _argument(name: str) -> st.SearchStrategy[Any]:
    return junk_or(_plausible.get(name, _bools))


def _check_accepted(info: Any) -> None:
    """What calc accepts comes back as plain ints: no floats, no NaN, nothing negative."""
    assert isinstance(info, LayerInfo)
    assert isinstance(info.class_name, str)
    for value in (info.params, info.trainable_params):
        assert type(value) is int and value >= 0
    assert info.trainable_params <= info.params
    assert info.macs is None or (type(info.macs) is int and info.macs >= 0)
    assert isinstance(info.output_shape, tuple) and info.output_shape
    for d in info.output_shape:
        assert d is None or (type(d) is int and d >= 1), info.output_shape
    if info.window is not None:
        for sizes in (info.window.kernel, info.window.strides):
            assert all(type(v) is int and v >= 1 for v in sizes)
        for pads in (info.window.pad_before, info.window.pad_after):
            assert all(v is None or type(v) is int for v in pads)


def _call(fn: Callable[..., Any], label: str, *args: Any, **kwargs: Any) -> None:
    try:
        info = fn(*args, **kwargs)
    except calc.CalcError as err:
        message = str(err)
        assert message and "\n" not in message, f"{label}: message must be one non-empty line, got {message!r}"
        return
    except Exception as err:  # anything but CalcError is a calc bug
        pytest.fail(f"calc bug: {label}{args!r} {kwargs!r} raised {type(err).__name__}, not a CalcError: {err}")
    _check_accepted(info)


FUZZ = settings(max_examples=100, deadline=timedelta(seconds=2))

# One class name per distinct function (the many pass-through classes share one).
_FUZZ_TARGETS = sorted({getattr(fn, "func", fn): name for name, fn in sorted(calc.LAYERS.items())}.values())


@pytest.mark.parametrize("class_name", _FUZZ_TARGETS)
@FUZZ
@given(data=st.data())
def test_layer_functions_raise_only_calc_errors(class_name: str, data: st.DataObject) -> None:
    fn = calc.LAYERS[class_name]
    kwargs = {}
    for name, p in inspect.signature(fn).parameters.items():
        # required arguments always (leaving one out is Python's TypeError, not calc's); optional ones sometimes
        if name != "class_name" and (p.default is p.empty or data.draw(st.booleans(), label=f"pass {name}")):
            kwargs[name] = data.draw(_argument(name), label=name)
    _call(fn, class_name, **kwargs)


_config_keys = sorted({p for fn in calc.LAYERS.values() for p in inspect.signature(fn).parameters} | {"name"})


@FUZZ
@given(
    class_name=junk_or(st.sampled_from([*sorted(calc.LAYERS), "Convolution2D", "MaxPool2D", "LSTM"])),
    config=st.one_of(st.dictionaries(st.sampled_from(_config_keys), junk, max_size=5), junk),
    input_shape=st.one_of(shapes, st.lists(shapes, max_size=3), junk),
)
def test_layer_info_raises_only_calc_errors(class_name: Any, config: Any, input_shape: Any) -> None:
    _call(calc.layer_info, "layer_info", class_name, config, input_shape)
