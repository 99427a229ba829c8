# One function per Keras layer class: arguments named as Keras names them,
# input shape without the batch axis, result a LayerInfo. The maths sits in
# comments beside the code; the rules are those of keras.src.ops.operation_utils
# and keras.src.backend.common.backend_utils (Keras 3).

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import Any, NamedTuple

from calc._args import Pair, Shape, channels_first, image, known, layout, padding_mode, pair, positive, shape
from calc._errors import LayerConfigError, UnsupportedError

__all__ = [
    "DTYPE_BYTES",
    "IDENTITY",
    "LayerInfo",
    "Window",
    "average_pooling2d",
    "batch_normalization",
    "concatenate",
    "conv2d",
    "conv2d_transpose",
    "conv_output_length",
    "cropping2d",
    "dense",
    "depthwise_conv2d",
    "elementwise_merge",
    "flatten",
    "global_pooling2d",
    "layer_normalization",
    "max_pooling2d",
    "normalization",
    "passthrough",
    "prelu",
    "reshape",
    "same_padding",
    "separable_conv2d",
    "up_sampling2d",
    "zero_padding2d",
]

DTYPE_BYTES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}

OptPair = tuple[int | None, int | None]


class Window(NamedTuple):
    """How a layer maps input positions to output positions, per spatial axis (height, width).

    Output unit ``i`` reads input positions ``i*stride - pad_before`` up to
    ``i*stride - pad_before + kernel - 1``. ``kernel`` is the dilated extent
    ``d*(k-1) + 1``. A padding is None when it depends on an input size that is unknown.
    A negative padding is a crop. ``dilation`` is the spacing ``d`` of the window's taps (the
    layer's dilation_rate; 1 for pooling, padding and cropping), so the window holds
    ``(kernel - 1)/d + 1`` taps.
    """

    kernel: Pair
    strides: Pair
    pad_before: OptPair
    pad_after: OptPair
    dilation: Pair = (1, 1)


IDENTITY = Window((1, 1), (1, 1), (0, 0), (0, 0))


class LayerInfo(NamedTuple):
    """What one layer does to its input: Keras's figures plus the ones Keras does not give.

    ``window`` is None when an output unit does not see a fixed, position-independent
    window of the input (global pooling, Flatten, Dense on vectors, upsampling).
    ``macs`` is None when it depends on a size that is unknown.
    """

    class_name: str
    output_shape: Shape
    params: int
    trainable_params: int
    macs: int | None
    window: Window | None

    @property
    def non_trainable_params(self) -> int:
        return self.params - self.trainable_params

    @property
    def flops(self) -> int | None:
        """FLOPs counted as 2 per MAC (a multiply and an add); bias adds, activations and pooling not counted."""
        return None if self.macs is None else 2 * self.macs

    @property
    def activation_elements(self) -> int | None:
        """Elements of the output tensor for one example (no batch axis)."""
        return None if None in self.output_shape else prod(self.output_shape)  # type: ignore[arg-type]

    def activation_bytes(self, dtype: str = "float32") -> int | None:
        n = self.activation_elements
        return None if n is None else n * dtype_bytes(dtype)

    def weight_bytes(self, dtype: str = "float32") -> int:
        return self.params * dtype_bytes(dtype)


def dtype_bytes(dtype: str) -> int:
    try:
        return DTYPE_BYTES[dtype]
    except (KeyError, TypeError):
        raise LayerConfigError("dtype", "dtype", f"must be one of {', '.join(DTYPE_BYTES)}, got {dtype!r}") from None


# --- spatial arithmetic -------------------------------------------------------------------------


def conv_output_length(size: int | None, kernel: int, stride: int, padding: str) -> int | None:
    """Output length of a convolution or pooling window along one axis.

    'valid': floor((size - kernel) / stride) + 1;  'same': ceil(size / stride).
    ``kernel`` is the dilated extent. None stays None.

    Examples:
        >>> conv_output_length(256, 7, 1, "valid"), conv_output_length(7, 3, 2, "same")
        (250, 4)
    """
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    return (size - kernel) // stride + 1


def same_padding(size: int | None, kernel: int, stride: int) -> tuple[int | None, int | None]:
    """TensorFlow's 'same' split: total = max((out - 1)*stride + kernel - size, 0); the smaller half goes first.

    The split depends on the input size, except at stride 1 where total = kernel - 1.

    Examples:
        >>> same_padding(224, 7, 2), same_padding(225, 7, 2), same_padding(None, 3, 1)
        ((2, 3), (3, 3), (1, 1))
    """
    if size is None:
        if stride != 1:
            return (None, None)
        total = kernel - 1
    else:
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
    return (total // 2, total - total // 2)


def _refuse_empty(layer: str, argument: str, axes: Any) -> None:
    for name, n, size, k, s in axes:
        if n is not None and n <= 0:
            raise LayerConfigError(
                layer,
                argument,
                f"output {name} would be {n} (input {size}, window extent {k}, stride {s}, padding 'valid')",
            )


def _windowed(
    layer: str,
    argument: str,
    hw: tuple[int | None, int | None],
    kernel: Pair,
    strides: Pair,
    mode: str,
    dilation: Pair = (1, 1),
) -> tuple[OptPair, Window]:
    """Output (height, width) and the Window of a sliding-window layer; refuses empty outputs as Keras does.
    ``kernel`` is the dilated extent, ``dilation`` the spacing of its taps."""
    (h, w), (kh, kw), (sh, sw) = hw, kernel, strides
    oh = conv_output_length(h, kh, sh, mode)
    ow = conv_output_length(w, kw, sw, mode)
    if (oh is not None and oh <= 0) or (ow is not None and ow <= 0):
        _refuse_empty(layer, argument, (("height", oh, h, kh, sh), ("width", ow, w, kw, sw)))
    if mode == "same":
        (bh, ah), (bw, aw) = same_padding(h, kh, sh), same_padding(w, kw, sw)
        return (oh, ow), Window(kernel, strides, (bh, bw), (ah, aw), dilation)
    return (oh, ow), Window(kernel, strides, (0, 0), (0, 0), dilation)


def _conv_arguments(
    layer: str,
    kernel_size: Any,
    strides: Any,
    padding: Any,
    data_format: Any,
    dilation_rate: Any,
    dilation_with_strides: bool = False,
) -> tuple[Pair, Pair, Pair, str, bool]:
    k = pair(layer, "kernel_size", kernel_size)
    s = pair(layer, "strides", strides)
    d = pair(layer, "dilation_rate", dilation_rate)
    mode = padding_mode(layer, padding)
    first = channels_first(layer, data_format)
    # Only Keras' BaseConv (Conv2D, Conv2DTranspose) refuses strides > 1 with dilation > 1, on any axes;
    # DepthwiseConv2D and SeparableConv2D accept the pair and TensorFlow runs it.
    if not dilation_with_strides and (s[0] > 1 or s[1] > 1) and (d[0] > 1 or d[1] > 1):
        raise LayerConfigError(
            layer, "strides", f"strides > 1 cannot be combined with dilation_rate > 1 (strides={s}, dilation_rate={d})"
        )
    return k, s, d, mode, first


def _extent(k: Pair, d: Pair) -> Pair:
    # Dilated kernel extent: d*(k - 1) + 1.
    return (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)


def _area(hw: tuple[int | None, int | None]) -> int | None:
    return None if hw[0] is None or hw[1] is None else hw[0] * hw[1]


def _image(layer: str, input_shape: Any, first: bool) -> tuple[int | None, int | None, int]:
    h, w, c = image(layer, input_shape, first)
    return h, w, known(layer, "input_shape", c)


# --- convolutions -------------------------------------------------------------------------------


def conv2d(
    input_shape: Shape,
    filters: int,
    kernel_size: int | Sequence[int],
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
    groups: int = 1,
    use_bias: bool = True,
) -> LayerInfo:
    """keras.layers.Conv2D.

    params = kh*kw*(C/groups)*filters (+ filters for the bias);
    MACs = out_h*out_w*filters*kh*kw*C/groups.

    Examples:
        >>> conv2d((256, 256, 3), 64, 7).params
        9472
    """
    layer = "Conv2D"
    filters = positive(layer, "filters", filters)
    groups = positive(layer, "groups", groups)
    if filters % groups:
        raise LayerConfigError(layer, "groups", f"filters={filters} is not divisible by groups={groups}")
    k, s, d, mode, first = _conv_arguments(layer, kernel_size, strides, padding, data_format, dilation_rate)
    h, w, c = _image(layer, input_shape, first)
    if c % groups:
        raise LayerConfigError(layer, "groups", f"input channels {c} are not divisible by groups={groups}")
    (oh, ow), window = _windowed(layer, "kernel_size", (h, w), _extent(k, d), s, mode, d)
    per_position = k[0] * k[1] * (c // groups) * filters
    params = per_position + (filters if use_bias else 0)
    area = _area((oh, ow))
    macs = None if area is None else area * per_position
    return LayerInfo(layer, layout(first, oh, ow, filters), params, params, macs, window)


def depthwise_conv2d(
    input_shape: Shape,
    kernel_size: int | Sequence[int],
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    depth_multiplier: int = 1,
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
    use_bias: bool = True,
) -> LayerInfo:
    """keras.layers.DepthwiseConv2D.

    params = kh*kw*C*depth_multiplier (+ C*depth_multiplier); MACs = out_h*out_w*C*depth_multiplier*kh*kw.
    """
    layer = "DepthwiseConv2D"
    depth_multiplier = positive(layer, "depth_multiplier", depth_multiplier)
    k, s, d, mode, first = _conv_arguments(layer, kernel_size, strides, padding, data_format, dilation_rate, True)
    h, w, c = _image(layer, input_shape, first)
    (oh, ow), window = _windowed(layer, "kernel_size", (h, w), _extent(k, d), s, mode, d)
    out_c = c * depth_multiplier
    per_position = k[0] * k[1] * out_c
    params = per_position + (out_c if use_bias else 0)
    area = _area((oh, ow))
    macs = None if area is None else area * per_position
    return LayerInfo(layer, layout(first, oh, ow, out_c), params, params, macs, window)


def separable_conv2d(
    input_shape: Shape,
    filters: int,
    kernel_size: int | Sequence[int],
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
    depth_multiplier: int = 1,
    use_bias: bool = True,
) -> LayerInfo:
    """keras.layers.SeparableConv2D: a depthwise kh×kw convolution, then a 1×1 convolution to ``filters``.

    params = kh*kw*C*m + C*m*filters (+ filters); MACs = out_h*out_w*(kh*kw*C*m + C*m*filters).
    """
    layer = "SeparableConv2D"
    filters = positive(layer, "filters", filters)
    depth_multiplier = positive(layer, "depth_multiplier", depth_multiplier)
    k, s, d, mode, first = _conv_arguments(layer, kernel_size, strides, padding, data_format, dilation_rate, True)
    h, w, c = _image(layer, input_shape, first)
    (oh, ow), window = _windowed(layer, "kernel_size", (h, w), _extent(k, d), s, mode, d)
    mid = c * depth_multiplier
    per_position = k[0] * k[1] * mid + mid * filters
    params = per_position + (filters if use_bias else 0)
    area = _area((oh, ow))
    macs = None if area is None else area * per_position
    return LayerInfo(layer, layout(first, oh, ow, filters), params, params, macs, window)


def _transpose_length(size: int | None, k: int, s: int, mode: str, output_padding: int | None) -> int | None:
    """Keras' transposed-convolution output length (backend_utils._get_output_shape_given_tf_padding).

    'valid': (size - 1)*s + k + output_padding, output_padding defaulting to max(k, s) - k;
    'same':  size*s without output_padding, else (size - 1)*s + k % 2 + output_padding.
    ``k`` is the dilated extent.
    """
    if size is None:
        return None
    if mode == "valid":
        return (size - 1) * s + k + (max(k, s) - k if output_padding is None else output_padding)
    if output_padding is None:
        return size * s
    return (size - 1) * s + k % 2 + output_padding


def conv2d_transpose(
    input_shape: Shape,
    filters: int,
    kernel_size: int | Sequence[int],
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    output_padding: int | Sequence[int] | None = None,
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
    use_bias: bool = True,
) -> LayerInfo:
    """keras.layers.Conv2DTranspose.

    params = kh*kw*filters*C (+ filters); MACs = in_h*in_w*C*kh*kw*filters (each input pixel is
    scattered through the whole kernel). The receptive field is only position-independent at stride 1.
    """
    layer = "Conv2DTranspose"
    filters = positive(layer, "filters", filters)
    k, s, d, mode, first = _conv_arguments(layer, kernel_size, strides, padding, data_format, dilation_rate)
    op = None if output_padding is None else pair(layer, "output_padding", output_padding, allow_zero=True)
    if op is not None and (op[0] >= s[0] or op[1] >= s[1]):
        raise LayerConfigError(layer, "output_padding", f"each value must be < strides {s}, got {op}")
    h, w, c = _image(layer, input_shape, first)
    ke = _extent(k, d)
    for i in (0, 1):
        # 'same' with output_padding: out = (in - 1)*s + ke % 2 + op, and TensorFlow's conv2d_backprop_input
        # needs ceil(out / s) == in, i.e. ke % 2 + op >= 1. An even extent with op == 0 builds in Keras but
        # fails to run (oneDNN only lets it through when the output is empty).
        if mode == "same" and op is not None and ke[i] % 2 == 0 and op[i] == 0:
            raise LayerConfigError(
                layer,
                "output_padding",
                f"0 with an even kernel extent {ke[i]} and padding 'same' gives a size TensorFlow cannot run",
            )
    hw = (h, w)
    out = tuple(_transpose_length(hw[i], ke[i], s[i], mode, None if op is None else op[i]) for i in (0, 1))
    for i in (0, 1):
        n = out[i]
        if n is not None and n <= 0:
            raise LayerConfigError(layer, "output_padding", f"output {('height', 'width')[i]} would be {n}")
    window: Window | None = None
    if s == (1, 1):
        # Stride 1: the same as a stride-1 convolution of extent ke, padded so that
        # (in + before + after) - ke + 1 = out; TensorFlow puts the larger half first.
        before = []
        after = []
        for i in (0, 1):
            size, n = hw[i], out[i]
            if size is None or n is None:
                total = ke[i] - 1 if mode == "valid" or op is None else None
            else:
                total = n - 1 + ke[i] - size
            before.append(None if total is None else total - total // 2)
            after.append(None if total is None else total // 2)
        window = Window(ke, s, (before[0], before[1]), (after[0], after[1]), d)
    per_position = k[0] * k[1] * c * filters
    params = per_position + (filters if use_bias else 0)
    area = _area(hw)
    macs = None if area is None else area * per_position
    return LayerInfo(layer, layout(first, out[0], out[1], filters), params, params, macs, window)


# --- pooling, padding, resampling ---------------------------------------------------------------


def _pooling(layer: str, input_shape: Shape, pool_size: Any, strides: Any, padding: Any, data_format: Any) -> LayerInfo:
    p = pair(layer, "pool_size", pool_size)
    s = p if strides is None else pair(layer, "strides", strides)
    mode = padding_mode(layer, padding, any_case=False)
    first = channels_first(layer, data_format)
    h, w, c = image(layer, input_shape, first)
    (oh, ow), window = _windowed(layer, "pool_size", (h, w), p, s, mode)
    return LayerInfo(layer, layout(first, oh, ow, c), 0, 0, 0, window)


def max_pooling2d(
    input_shape: Shape,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> LayerInfo:
    """keras.layers.MaxPooling2D; strides default to pool_size. No weights, so no MACs."""
    return _pooling("MaxPooling2D", input_shape, pool_size, strides, padding, data_format)


def average_pooling2d(
    input_shape: Shape,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> LayerInfo:
    """keras.layers.AveragePooling2D; strides default to pool_size. No weights, so no MACs."""
    return _pooling("AveragePooling2D", input_shape, pool_size, strides, padding, data_format)


def global_pooling2d(
    input_shape: Shape,
    data_format: str | None = None,
    keepdims: bool = False,
    class_name: str = "GlobalAveragePooling2D",
) -> LayerInfo:
    """keras.layers.GlobalAveragePooling2D / GlobalMaxPooling2D: (H, W, C) to (C,) or (1, 1, C)."""
    first = channels_first(class_name, data_format)
    _, _, c = image(class_name, input_shape, first)
    return LayerInfo(class_name, layout(first, 1, 1, c) if keepdims else (c,), 0, 0, 0, None)


def _spatial_amounts(layer: str, name: str, value: Any) -> tuple[Pair, Pair]:
    """int, (symmetric_h, symmetric_w) or ((top, bottom), (left, right)), all >= 0."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (list, tuple)) for v in value):
        return pair(layer, name, value[0], allow_zero=True), pair(layer, name, value[1], allow_zero=True)
    if isinstance(value, (list, tuple)) and len(value) == 2 and any(isinstance(v, (list, tuple)) for v in value):
        raise LayerConfigError(layer, name, f"mixes ints and pairs: {value!r}")
    h, w = pair(layer, name, value, allow_zero=True)
    return (h, h), (w, w)


def zero_padding2d(input_shape: Shape, padding: Any = 1, data_format: str | None = None) -> LayerInfo:
    """keras.layers.ZeroPadding2D: out = in + top + bottom (and left + right)."""
    layer = "ZeroPadding2D"
    (t, b), (left, r) = _spatial_amounts(layer, "padding", padding)
    first = channels_first(layer, data_format)
    h, w, c = image(layer, input_shape, first)
    out = layout(first, None if h is None else h + t + b, None if w is None else w + left + r, c)
    return LayerInfo(layer, out, 0, 0, 0, Window((1, 1), (1, 1), (t, left), (b, r)))


def cropping2d(input_shape: Shape, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None) -> LayerInfo:
    """keras.layers.Cropping2D: out = in - top - bottom; Keras refuses crops that leave nothing."""
    layer = "Cropping2D"
    (t, b), (left, r) = _spatial_amounts(layer, "cropping", cropping)
    first = channels_first(layer, data_format)
    h, w, c = image(layer, input_shape, first)
    for name, size, crop in (("height", h, t + b), ("width", w, left + r)):
        if size is not None and crop >= size:
            raise LayerConfigError(layer, "cropping", f"crops {crop} of {name} {size}, leaving nothing")
    out = layout(first, None if h is None else h - t - b, None if w is None else w - left - r, c)
    return LayerInfo(layer, out, 0, 0, 0, Window((1, 1), (1, 1), (-t, -left), (-b, -r)))


_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")


def up_sampling2d(
    input_shape: Shape, size: int | Sequence[int] = 2, data_format: str | None = None, interpolation: str = "nearest"
) -> LayerInfo:
    """keras.layers.UpSampling2D: out = in * size. Its receptive field depends on the position, so it is not given."""
    layer = "UpSampling2D"
    sh, sw = pair(layer, "size", size)
    first = channels_first(layer, data_format)
    # Keras lower-cases the name; TensorFlow's resize refuses the others when the layer runs.
    if not isinstance(interpolation, str) or interpolation.lower() not in _INTERPOLATIONS:
        raise LayerConfigError(
            layer, "interpolation", f"must be one of {', '.join(_INTERPOLATIONS)}, got {interpolation!r}"
        )
    h, w, c = image(layer, input_shape, first)
    out = layout(first, None if h is None else h * sh, None if w is None else w * sw, c)
    return LayerInfo(layer, out, 0, 0, 0, None)


# --- dense and reshaping ------------------------------------------------------------------------


def dense(input_shape: Shape, units: int, use_bias: bool = True) -> LayerInfo:
    """keras.layers.Dense on the last axis.

    params = C*units (+ units); MACs = (product of the other axes)*C*units.
    On an image (H, W, C) it is a 1×1 convolution, so the receptive field passes through.
    """
    layer = "Dense"
    units = positive(layer, "units", units)
    dims = shape(layer, input_shape)
    c = known(layer, "input_shape", dims[-1])
    params = c * units + (units if use_bias else 0)
    rest = dims[:-1]
    macs = None if None in rest else prod(rest) * c * units  # type: ignore[arg-type]
    return LayerInfo(layer, (*rest, units), params, params, macs, IDENTITY if len(dims) == 3 else None)


def flatten(input_shape: Shape, data_format: str | None = None) -> LayerInfo:
    """keras.layers.Flatten: (d1, d2, ...) to (d1*d2*...,)."""
    dims = shape("Flatten", input_shape)
    size = None if None in dims else prod(dims)  # type: ignore[arg-type]
    return LayerInfo("Flatten", (size,), 0, 0, 0, None)


def reshape(input_shape: Shape, target_shape: Sequence[int]) -> LayerInfo:
    """keras.layers.Reshape; one entry of target_shape may be -1."""
    layer = "Reshape"
    dims = shape(layer, input_shape)
    if not isinstance(target_shape, (list, tuple)) or not target_shape:
        raise LayerConfigError(layer, "target_shape", f"expected a tuple of ints, got {target_shape!r}")
    target = [v if v == -1 and not isinstance(v, bool) else positive(layer, "target_shape", v) for v in target_shape]
    if target.count(-1) > 1:
        raise LayerConfigError(layer, "target_shape", "can contain -1 at most once")
    total = None if None in dims else prod(dims)  # type: ignore[arg-type]
    known_part = prod(v for v in target if v != -1)
    out: list[int | None] = list(target)
    if -1 in target:
        if total is None:
            out[target.index(-1)] = None
        elif total % known_part:
            raise LayerConfigError(layer, "target_shape", f"{tuple(target)} cannot hold {total} elements")
        else:
            out[target.index(-1)] = total // known_part
    elif total is not None and total != known_part:
        raise LayerConfigError(layer, "target_shape", f"{tuple(target)} holds {known_part} elements, input has {total}")
    return LayerInfo(layer, tuple(out), 0, 0, 0, IDENTITY if tuple(out) == dims else None)


# --- normalization and element-wise -------------------------------------------------------------


def _axis_index(layer: str, dims: Shape, axis: Any) -> int | None:
    """Position in ``dims`` of a Keras axis, which counts the batch axis as 0 and indexes like Python
    (-ndim <= axis < ndim, ndim = rank with the batch axis); None for the batch axis itself."""
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise LayerConfigError(layer, "axis", f"expected an int, got {axis!r}")
    ndim = len(dims) + 1
    if not -ndim <= axis < ndim:
        raise LayerConfigError(layer, "axis", f"{axis} is out of range for input rank {ndim}")
    i = axis % ndim
    return None if i == 0 else i - 1


def _axis_indices(layer: str, dims: Shape, axis: Any) -> list[int | None]:
    """The positions (``_axis_index``) of an int or list of Keras axes, each named once: an axis named twice
    makes TensorFlow's reductions fail when the layer runs."""
    indices = [_axis_index(layer, dims, a) for a in _axes(layer, axis)]
    if len(set(indices)) != len(indices):
        raise LayerConfigError(layer, "axis", f"names an axis twice: {axis!r}")
    return indices


def _axes(layer: str, axis: Any) -> list[Any]:
    if isinstance(axis, (list, tuple)):
        return list(axis)
    if isinstance(axis, int) and not isinstance(axis, bool):
        return [axis]
    raise LayerConfigError(layer, "axis", f"expected an int or a list of ints, got {axis!r}")


def _weight_size(layer: str, dims: Shape, indices: Sequence[int | None]) -> int:
    """Product of the sizes a weight is shaped by; they must be known, and the batch axis never is."""
    size = 1
    for i in indices:
        if i is None:
            raise LayerConfigError(layer, "axis", "the batch axis has no fixed size to hold weights for")
        size *= known(layer, "input_shape", dims[i])
    return size


def batch_normalization(input_shape: Shape, axis: int = -1, center: bool = True, scale: bool = True) -> LayerInfo:
    """keras.layers.BatchNormalization: gamma and beta trainable; moving mean and variance non-trainable.

    params = 4*C with center and scale; trainable = 2*C. ``axis`` is a single int (Keras calls ``int(axis)``).
    """
    layer = "BatchNormalization"
    dims = shape(layer, input_shape)
    n = _weight_size(layer, dims, [_axis_index(layer, dims, axis)])
    trainable = n * (int(bool(center)) + int(bool(scale)))
    return LayerInfo(layer, dims, trainable + 2 * n, trainable, 0, IDENTITY)


def layer_normalization(
    input_shape: Shape,
    axis: int | Sequence[int] = -1,
    center: bool = True,
    scale: bool = True,
    rms_scaling: bool = False,
) -> LayerInfo:
    """keras.layers.LayerNormalization: gamma (scale or rms_scaling) and beta (center, not with rms_scaling).

    Each weight has the sizes of ``axis``. With neither weight Keras never looks at those sizes, so
    even the batch axis is accepted; an axis named twice makes TensorFlow's mean fail when it runs.
    """
    layer = "LayerNormalization"
    dims = shape(layer, input_shape)
    indices = _axis_indices(layer, dims, axis)
    weights = int(bool(scale or rms_scaling)) + int(bool(center and not rms_scaling))
    params = weights * _weight_size(layer, dims, indices) if weights else 0
    return LayerInfo(layer, dims, params, params, 0, IDENTITY)


def normalization(
    input_shape: Shape, axis: int | Sequence[int] | None = -1, mean: Any = None, variance: Any = None
) -> LayerInfo:
    """keras.layers.Normalization: adapted mean and variance per entry of the kept axes plus a count, all
    non-trainable: params = 2*prod(sizes on axis) + 1.

    Given ``mean`` and ``variance`` (both or neither) in the config, it holds no weights; the kept
    axes must still have known sizes.
    """
    layer = "Normalization"
    if (mean is None) != (variance is None):
        raise LayerConfigError(layer, "mean", "mean and variance must be given together")
    dims = shape(layer, input_shape)
    indices = _axis_indices(layer, dims, [] if axis is None else axis)  # twice: Keras' reshape of the stats fails
    n = _weight_size(layer, dims, indices)
    return LayerInfo(layer, dims, 2 * n + 1 if mean is None else 0, 0, 0, IDENTITY)


def prelu(input_shape: Shape, shared_axes: Sequence[int] | int | None = None) -> LayerInfo:
    """keras.layers.PReLU: one trainable alpha per input entry, shared along ``shared_axes`` (batch axis = 0).

    Keras sets ``alpha_shape[axis - 1] = 1`` with Python indexing, so 0 and negative axes count from the
    end (0 shares the last axis); ``axis - 1`` must index the shape without the batch axis.
    """
    layer = "PReLU"
    dims = list(shape(layer, input_shape))
    shared = (
        [] if shared_axes is None else list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
    )
    for a in shared:
        if isinstance(a, bool) or not isinstance(a, int) or not -len(dims) <= a - 1 < len(dims):
            raise LayerConfigError(layer, "shared_axes", f"{a!r} is not an axis of the input")
        dims[a - 1] = 1
    params = prod(known(layer, "input_shape", d) for d in dims)
    return LayerInfo(layer, tuple(shape(layer, input_shape)), params, params, 0, IDENTITY)


def passthrough(input_shape: Shape, class_name: str = "Activation") -> LayerInfo:
    """Layers that keep the shape and hold no weights (Activation, ReLU, Dropout, Rescaling, ...)."""
    return LayerInfo(class_name, shape(class_name, input_shape), 0, 0, 0, IDENTITY)


# --- merges -------------------------------------------------------------------------------------


def _shapes(layer: str, input_shapes: Any) -> list[Shape]:
    if not isinstance(input_shapes, (list, tuple)) or not input_shapes:
        raise LayerConfigError(layer, "inputs", "expected a list of at least one input shape")
    return [shape(layer, s) for s in input_shapes]


def elementwise_merge(input_shapes: Sequence[Shape], class_name: str = "Add") -> LayerInfo:
    """keras.layers.Add, Subtract, Multiply, Average, Maximum, Minimum: shapes broadcast where a size is 1."""
    shapes = _shapes(class_name, input_shapes)
    if class_name == "Subtract" and len(shapes) != 2:
        raise LayerConfigError(class_name, "inputs", f"takes exactly 2 inputs, got {len(shapes)}")
    out = shapes[0]
    for other in shapes[1:]:
        a, b = (out, other) if len(out) >= len(other) else (other, out)
        merged = list(a[: len(a) - len(b)])
        for x, y in zip(a[len(a) - len(b) :], b, strict=True):
            if x is None or y is None:
                merged.append(None)
            elif x == 1 or y == 1 or x == y:
                merged.append(y if x == 1 else x)
            else:
                raise LayerConfigError(class_name, "inputs", f"incompatible shapes {out} and {other}")
        out = tuple(merged)
    return LayerInfo(class_name, out, 0, 0, 0, IDENTITY)


def concatenate(input_shapes: Sequence[Shape], axis: int = -1) -> LayerInfo:
    """keras.layers.Concatenate along ``axis`` (batch axis = 0); the other axes must agree (None matches any size).

    One input comes back unchanged (TensorFlow's concat of one tensor is the identity) unless the axis is too
    negative for Keras to index the shape. Along the batch axis Keras accepts the merge and the batch grows;
    calc does not model batch sizes, so it says so.
    """
    layer = "Concatenate"
    shapes = _shapes(layer, input_shapes)
    rank = len(shapes[0])
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise LayerConfigError(layer, "axis", f"expected an int, got {axis!r}")
    if len(shapes) == 1:
        if axis < -(rank + 1):
            raise LayerConfigError(layer, "axis", f"{axis} is out of range for input rank {rank + 1}")
        return LayerInfo(layer, shapes[0], 0, 0, 0, IDENTITY)
    i = _axis_index(layer, shapes[0], axis)
    out = list(shapes[0])
    for s in shapes[1:]:
        if len(s) != rank:
            raise LayerConfigError(layer, "inputs", f"ranks differ: {shapes[0]} and {s}")
        for j in range(rank):
            if j == i:
                out[j] = None if out[j] is None or s[j] is None else out[j] + s[j]  # type: ignore[operator]
            elif out[j] is not None and s[j] is not None and out[j] != s[j]:
                raise LayerConfigError(layer, "inputs", f"shapes {shapes[0]} and {s} differ off axis {axis}")
            elif out[j] is None:
                out[j] = s[j]
    if i is None:
        raise UnsupportedError(f"{layer}: axis: {axis} is the batch axis; calc does not model batch sizes")
    return LayerInfo(layer, tuple(out), 0, 0, 0, IDENTITY)
