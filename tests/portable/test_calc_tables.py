# Hand-derived tables for every calc layer function, the 'same' padding split,
# bytes per dtype, receptive fields of small hand-built chains, merge alignment,
# the rejections, and layer_info on Keras config dicts.
#
# Every expected value is written as the arithmetic that produces it, derived by
# hand from the Keras rules (keras.src.ops.operation_utils, backend_utils) and
# the receptive-field walk of Araujo, Norris & Sim (Distill 2019). None of them
# comes from running calc. Standard library and pytest only: this file also runs
# inside Pyodide (tests/pyodide/run.mjs).

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import pytest

import calc
from calc import LayerInfo, ReceptiveField, Window

UNSET: Any = object()


class Expect(NamedTuple):
    output_shape: tuple[int | None, ...]
    params: int
    macs: int | None
    trainable: Any = UNSET  # defaults to params
    window: Any = UNSET  # checked only when given


def row(fn: Callable[..., LayerInfo], kwargs: dict[str, Any], expect: Expect, id: str) -> Any:
    return pytest.param(fn, kwargs, expect, id=f"{fn.__name__}:{id}")


def valid(kh: int, kw: int, sh: int = 1, sw: int = 1, dilation: tuple[int, int] = (1, 1)) -> Window:
    """The Window of a 'valid' layer: no padding."""
    return Window((kh, kw), (sh, sw), (0, 0), (0, 0), dilation)


LAYERS = [
    # --- Conv2D: out = floor((in - d*(k-1) - 1)/s) + 1 ('valid') or ceil(in/s) ('same');
    #     params = kh*kw*(C/groups)*filters + filters; MACs = out_h*out_w*filters*kh*kw*(C/groups).
    row(
        calc.conv2d,
        dict(input_shape=(256, 256, 3), filters=64, kernel_size=7),
        Expect((256 - 7 + 1, 256 - 7 + 1, 64), 7 * 7 * 3 * 64 + 64, 250 * 250 * 64 * 7 * 7 * 3, window=valid(7, 7)),
        "7x7-valid-rgb",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(224, 224, 64), filters=64, kernel_size=3, padding="same"),
        Expect(
            (224, 224, 64),
            3 * 3 * 64 * 64 + 64,
            224 * 224 * 64 * 3 * 3 * 64,
            window=Window((3, 3), (1, 1), (1, 1), (1, 1)),
        ),
        "3x3-same",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(224, 224, 3), filters=64, kernel_size=7, strides=2, padding="same"),
        # ceil(224/2) = 112; total padding (112-1)*2 + 7 - 224 = 5 -> 2 before, 3 after.
        Expect(
            (112, 112, 64),
            7 * 7 * 3 * 64 + 64,
            112 * 112 * 64 * 7 * 7 * 3,
            window=Window((7, 7), (2, 2), (2, 2), (3, 3)),
        ),
        "7x7-s2-same-224",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(225, 225, 3), filters=64, kernel_size=7, strides=2, padding="same"),
        # ceil(225/2) = 113; total padding (113-1)*2 + 7 - 225 = 6 -> 3 before, 3 after.
        Expect(
            (113, 113, 64),
            7 * 7 * 3 * 64 + 64,
            113 * 113 * 64 * 7 * 7 * 3,
            window=Window((7, 7), (2, 2), (3, 3), (3, 3)),
        ),
        "7x7-s2-same-225",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(224, 224, 3), filters=64, kernel_size=7, strides=2),
        # floor((224 - 7)/2) + 1 = 108 + 1
        Expect((108 + 1, 108 + 1, 64), 7 * 7 * 3 * 64 + 64, 109 * 109 * 64 * 7 * 7 * 3, window=valid(7, 7, 2, 2)),
        "7x7-s2-valid",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(32, 32, 16), filters=32, kernel_size=3, groups=4),
        Expect((30, 30, 32), 3 * 3 * (16 // 4) * 32 + 32, 30 * 30 * 32 * 3 * 3 * (16 // 4)),
        "groups-4",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(32, 32, 8), filters=8, kernel_size=3, groups=8, use_bias=False),
        Expect((30, 30, 8), 3 * 3 * 1 * 8, 30 * 30 * 8 * 3 * 3 * 1),
        "groups-equal-channels-no-bias",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(32, 32, 8), filters=16, kernel_size=3, dilation_rate=2),
        # dilated extent 2*(3-1) + 1 = 5; 32 - 5 + 1 = 28
        Expect((28, 28, 16), 3 * 3 * 8 * 16 + 16, 28 * 28 * 16 * 3 * 3 * 8, window=valid(5, 5, dilation=(2, 2))),
        "dilation-2-valid",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(32, 32, 8), filters=16, kernel_size=3, dilation_rate=(2, 3), padding="same"),
        # extents 5 and 7; stride 1 so total padding = extent - 1: 4 -> (2, 2) and 6 -> (3, 3)
        Expect(
            (32, 32, 16),
            3 * 3 * 8 * 16 + 16,
            32 * 32 * 16 * 3 * 3 * 8,
            window=Window((5, 7), (1, 1), (2, 3), (2, 3), (2, 3)),
        ),
        "dilation-2x3-same",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(17, 17, 192), filters=192, kernel_size=(1, 7), padding="same"),
        Expect(
            (17, 17, 192),
            1 * 7 * 192 * 192 + 192,
            17 * 17 * 192 * 1 * 7 * 192,
            window=Window((1, 7), (1, 1), (0, 3), (0, 3)),
        ),
        "1x7-same",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(20, 30, 4), filters=8, kernel_size=(3, 5), strides=(2, 1)),
        # height floor((20-3)/2) + 1 = 9; width 30 - 5 + 1 = 26
        Expect((9, 26, 8), 3 * 5 * 4 * 8 + 8, 9 * 26 * 8 * 3 * 5 * 4, window=valid(3, 5, 2, 1)),
        "3x5-strides-2x1",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(64, 64, 3), filters=8, kernel_size=[3, 3], strides=[1, 1], padding="SAME"),
        Expect((64, 64, 8), 3 * 3 * 3 * 8 + 8, 64 * 64 * 8 * 3 * 3 * 3),
        "lists-and-uppercase-padding",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(None, None, 3), filters=16, kernel_size=3),
        Expect((None, None, 16), 3 * 3 * 3 * 16 + 16, None),
        "unknown-size",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(None, 32, 3), filters=16, kernel_size=3, strides=2, padding="same"),
        # 'same' at stride 2 on an unknown height: padding unknown; width: out 16, total 15*2+3-32 = 1
        Expect((None, 16, 16), 3 * 3 * 3 * 16 + 16, None, window=Window((3, 3), (2, 2), (None, 0), (None, 1))),
        "unknown-height-same-s2",
    ),
    row(
        calc.conv2d,
        dict(input_shape=(1, 1, 512), filters=1000, kernel_size=1),
        Expect((1, 1, 1000), 512 * 1000 + 1000, 1 * 1 * 1000 * 512),
        "1x1",
    ),
    # --- DepthwiseConv2D: params = kh*kw*C*m + C*m; MACs = out_h*out_w*C*m*kh*kw.
    row(
        calc.depthwise_conv2d,
        dict(input_shape=(112, 112, 32), kernel_size=3, padding="same"),
        Expect((112, 112, 32), 3 * 3 * 32 + 32, 112 * 112 * 32 * 3 * 3, window=Window((3, 3), (1, 1), (1, 1), (1, 1))),
        "3x3-same",
    ),
    row(
        calc.depthwise_conv2d,
        dict(input_shape=(15, 15, 8), kernel_size=3, strides=2, depth_multiplier=2),
        # floor((15-3)/2) + 1 = 7; channels 8*2
        Expect((7, 7, 16), 3 * 3 * 8 * 2 + 8 * 2, 7 * 7 * 16 * 3 * 3, window=valid(3, 3, 2, 2)),
        "s2-multiplier-2",
    ),
    row(
        calc.depthwise_conv2d,
        dict(input_shape=(20, 20, 4), kernel_size=(5, 3), dilation_rate=2, use_bias=False),
        # extents 2*4+1 = 9 and 2*2+1 = 5: 20-9+1 = 12, 20-5+1 = 16
        Expect((12, 16, 4), 5 * 3 * 4, 12 * 16 * 4 * 5 * 3, window=valid(9, 5, dilation=(2, 2))),
        "5x3-dilated-no-bias",
    ),
    # --- SeparableConv2D: params = kh*kw*C*m + C*m*filters + filters; MACs = out_h*out_w*(kh*kw*C*m + C*m*filters).
    row(
        calc.separable_conv2d,
        dict(input_shape=(64, 64, 32), filters=64, kernel_size=3, padding="same"),
        Expect((64, 64, 64), 3 * 3 * 32 + 32 * 64 + 64, 64 * 64 * (3 * 3 * 32 + 32 * 64)),
        "3x3-same",
    ),
    row(
        calc.separable_conv2d,
        dict(input_shape=(19, 19, 8), filters=16, kernel_size=3, strides=2, depth_multiplier=2, use_bias=False),
        # floor((19-3)/2) + 1 = 9; middle channels 8*2 = 16
        Expect((9, 9, 16), 3 * 3 * 16 + 16 * 16, 9 * 9 * (3 * 3 * 16 + 16 * 16), window=valid(3, 3, 2, 2)),
        "s2-multiplier-2-no-bias",
    ),
    # --- Conv2DTranspose: 'valid' out = (in-1)*s + k + (output_padding or max(k, s) - k);
    #     'same' out = in*s, or (in-1)*s + k%2 + output_padding when given.
    #     params = kh*kw*filters*C + filters; MACs = in_h*in_w*C*kh*kw*filters.
    row(
        calc.conv2d_transpose,
        dict(input_shape=(16, 16, 32), filters=16, kernel_size=3, strides=2, padding="same"),
        Expect((16 * 2, 16 * 2, 16), 3 * 3 * 16 * 32 + 16, 16 * 16 * 32 * 3 * 3 * 16, window=None),
        "s2-same",
    ),
    row(
        calc.conv2d_transpose,
        dict(input_shape=(16, 16, 32), filters=16, kernel_size=3, strides=2),
        Expect(((16 - 1) * 2 + 3, (16 - 1) * 2 + 3, 16), 3 * 3 * 16 * 32 + 16, 16 * 16 * 32 * 3 * 3 * 16),
        "s2-valid",
    ),
    row(
        calc.conv2d_transpose,
        dict(input_shape=(16, 16, 32), filters=16, kernel_size=3, strides=2, output_padding=1),
        Expect(((16 - 1) * 2 + 3 + 1, (16 - 1) * 2 + 3 + 1, 16), 3 * 3 * 16 * 32 + 16, 16 * 16 * 32 * 3 * 3 * 16),
        "s2-valid-output-padding-1",
    ),
    row(
        calc.conv2d_transpose,
        dict(input_shape=(16, 16, 32), filters=16, kernel_size=3, strides=2, padding="same", output_padding=1),
        Expect(
            ((16 - 1) * 2 + 3 % 2 + 1, (16 - 1) * 2 + 3 % 2 + 1, 16), 3 * 3 * 16 * 32 + 16, 16 * 16 * 32 * 3 * 3 * 16
        ),
        "s2-same-output-padding-1",
    ),
    row(
        calc.conv2d_transpose,
        dict(input_shape=(16, 16, 32), filters=16, kernel_size=4, strides=(2, 3), padding="same", output_padding=1),
        Expect(
            ((16 - 1) * 2 + 4 % 2 + 1, (16 - 1) * 3 + 4 % 2 + 1, 16), 4 * 4 * 16 * 32 + 16, 16 * 16 * 32 * 4 * 4 * 16
        ),
        "k4-s2x3-same-output-padding-1",
    ),
    row(
        calc.conv2d_transpose,
        dict(input_shape=(5, 5, 4), filters=2, kernel_size=1, strides=2),
        # kernel < strides: (5-1)*2 + 1 + (max(1, 2) - 1) = 10
        Expect(((5 - 1) * 2 + 1 + (2 - 1), (5 - 1) * 2 + 1 + (2 - 1), 2), 1 * 1 * 2 * 4 + 2, 5 * 5 * 4 * 1 * 1 * 2),
        "k1-s2-valid-kernel-below-stride",
    ),
    row(
        calc.conv2d_transpose,
        dict(input_shape=(10, 10, 4), filters=2, kernel_size=3, dilation_rate=2, use_bias=False),
        # extent 2*(3-1) + 1 = 5; (10-1)*1 + 5 = 14. Stride 1: a 'full' convolution, padded by 5 - 1 each side
        Expect(
            (14, 14, 2), 3 * 3 * 2 * 4, 10 * 10 * 4 * 3 * 3 * 2, window=Window((5, 5), (1, 1), (4, 4), (4, 4), (2, 2))
        ),
        "dilated-s1-valid",
    ),
    row(
        calc.conv2d_transpose,
        dict(input_shape=(8, 8, 4), filters=4, kernel_size=3),
        # stride 1, 'valid': out = 8 + 3 - 1 = 10, the same as a stride-1 conv over the input padded by 2 each side
        Expect((10, 10, 4), 3 * 3 * 4 * 4 + 4, 8 * 8 * 4 * 3 * 3 * 4, window=Window((3, 3), (1, 1), (2, 2), (2, 2))),
        "s1-valid",
    ),
    # --- pooling: no weights and no MACs; strides default to pool_size.
    row(
        calc.max_pooling2d,
        dict(input_shape=(224, 224, 64)),
        Expect((112, 112, 64), 0, 0, window=valid(2, 2, 2, 2)),
        "default-2x2",
    ),
    row(
        calc.max_pooling2d,
        dict(input_shape=(147, 147, 64), pool_size=3, strides=2),
        # floor((147-3)/2) + 1 = 73
        Expect((73, 73, 64), 0, 0, window=valid(3, 3, 2, 2)),
        "3x3-s2-valid",
    ),
    row(
        calc.max_pooling2d,
        dict(input_shape=(112, 112, 64), pool_size=(3, 3), strides=(2, 2), padding="same"),
        # ceil(112/2) = 56; total (56-1)*2 + 3 - 112 = 1 -> 0 before, 1 after
        Expect((56, 56, 64), 0, 0, window=Window((3, 3), (2, 2), (0, 0), (1, 1))),
        "3x3-s2-same-even",
    ),
    row(
        calc.max_pooling2d,
        dict(input_shape=(7, 9, 1), pool_size=(3, 2)),
        # strides = pool_size (3, 2): floor((7-3)/3)+1 = 2, floor((9-2)/2)+1 = 4
        Expect((2, 4, 1), 0, 0, window=valid(3, 2, 3, 2)),
        "non-square-default-strides",
    ),
    row(
        calc.average_pooling2d,
        dict(input_shape=(35, 35, 192), pool_size=3, strides=1, padding="same"),
        Expect((35, 35, 192), 0, 0, window=Window((3, 3), (1, 1), (1, 1), (1, 1))),
        "3x3-s1-same",
    ),
    row(
        calc.average_pooling2d,
        dict(input_shape=(8, 8, 2048), pool_size=8),
        Expect((1, 1, 2048), 0, 0, window=valid(8, 8, 8, 8)),
        "8x8-to-1x1",
    ),
    row(
        calc.global_pooling2d,
        dict(input_shape=(7, 7, 512)),
        Expect((512,), 0, 0, window=None),
        "global-average",
    ),
    row(
        calc.global_pooling2d,
        dict(input_shape=(None, None, 512), keepdims=True, class_name="GlobalMaxPooling2D"),
        Expect((1, 1, 512), 0, 0, window=None),
        "global-max-keepdims",
    ),
    # --- padding, cropping, upsampling: shapes only.
    row(
        calc.zero_padding2d,
        dict(input_shape=(224, 224, 3), padding=3),
        Expect((224 + 3 + 3, 224 + 3 + 3, 3), 0, 0, window=Window((1, 1), (1, 1), (3, 3), (3, 3))),
        "int",
    ),
    row(
        calc.zero_padding2d,
        dict(input_shape=(10, 10, 3), padding=(2, 3)),
        Expect((10 + 2 + 2, 10 + 3 + 3, 3), 0, 0, window=Window((1, 1), (1, 1), (2, 3), (2, 3))),
        "symmetric-pair",
    ),
    row(
        calc.zero_padding2d,
        dict(input_shape=(10, 10, 3), padding=[[1, 2], [3, 4]]),
        Expect((10 + 1 + 2, 10 + 3 + 4, 3), 0, 0, window=Window((1, 1), (1, 1), (1, 3), (2, 4))),
        "asymmetric-lists",
    ),
    row(
        calc.cropping2d,
        dict(input_shape=(28, 28, 3), cropping=((2, 2), (4, 4))),
        Expect((28 - 2 - 2, 28 - 4 - 4, 3), 0, 0, window=Window((1, 1), (1, 1), (-2, -4), (-2, -4))),
        "asymmetric",
    ),
    row(
        calc.cropping2d,
        dict(input_shape=(28, 30, 3), cropping=(1, 5)),
        Expect((28 - 1 - 1, 30 - 5 - 5, 3), 0, 0),
        "symmetric-pair",
    ),
    row(
        calc.cropping2d,
        dict(input_shape=(28, 28, 3), cropping=3),
        Expect((28 - 6, 28 - 6, 3), 0, 0),
        "int",
    ),
    row(
        calc.up_sampling2d,
        dict(input_shape=(16, 16, 8)),
        Expect((16 * 2, 16 * 2, 8), 0, 0, window=None),
        "default-2",
    ),
    row(
        calc.up_sampling2d,
        dict(input_shape=(16, 10, 8), size=(2, 3), interpolation="bilinear"),
        Expect((16 * 2, 10 * 3, 8), 0, 0),
        "2x3-bilinear",
    ),
    # --- Dense on the last axis: params = C*units + units; MACs = (other axes)*C*units.
    row(
        calc.dense,
        dict(input_shape=(128,), units=10),
        Expect((10,), 128 * 10 + 10, 128 * 10, window=None),
        "rank-1",
    ),
    row(
        calc.dense,
        dict(input_shape=(25088,), units=4096),
        Expect((4096,), 7 * 7 * 512 * 4096 + 4096, 7 * 7 * 512 * 4096),
        "vgg16-fc1",
    ),
    row(
        calc.dense,
        dict(input_shape=(7, 7, 512), units=64, use_bias=False),
        # a 1x1 convolution: the receptive field passes through
        Expect((7, 7, 64), 512 * 64, 7 * 7 * 512 * 64, window=Window((1, 1), (1, 1), (0, 0), (0, 0))),
        "rank-3-no-bias",
    ),
    row(
        calc.dense,
        dict(input_shape=(10, 64), units=32),
        Expect((10, 32), 64 * 32 + 32, 10 * 64 * 32),
        "rank-2",
    ),
    row(
        calc.dense,
        dict(input_shape=(None, 64), units=32),
        Expect((None, 32), 64 * 32 + 32, None),
        "rank-2-unknown-steps",
    ),
    # --- reshaping
    row(calc.flatten, dict(input_shape=(7, 7, 512)), Expect((7 * 7 * 512,), 0, 0, window=None), "7x7x512"),
    row(calc.flatten, dict(input_shape=(None, 7, 512)), Expect((None,), 0, 0), "unknown"),
    row(calc.reshape, dict(input_shape=(7, 7, 512), target_shape=(-1,)), Expect((7 * 7 * 512,), 0, 0), "minus-one"),
    row(calc.reshape, dict(input_shape=(7, 7, 512), target_shape=[49, 512]), Expect((49, 512), 0, 0), "to-rank-2"),
    row(
        calc.reshape,
        dict(input_shape=(32,), target_shape=(4, -1, 2)),
        Expect((4, 32 // (4 * 2), 2), 0, 0),
        "middle-minus-one",
    ),
    row(calc.reshape, dict(input_shape=(None, 4), target_shape=(-1, 2)), Expect((None, 2), 0, 0), "unknown-minus-one"),
    # --- normalization: BatchNormalization's moving mean and variance are non-trainable parameters.
    row(
        calc.batch_normalization,
        dict(input_shape=(32, 32, 64)),
        Expect((32, 32, 64), 4 * 64, 0, trainable=2 * 64, window=Window((1, 1), (1, 1), (0, 0), (0, 0))),
        "channels",
    ),
    row(
        calc.batch_normalization,
        dict(input_shape=(32, 32, 64), center=False),
        Expect((32, 32, 64), 3 * 64, 0, trainable=1 * 64),
        "no-center",
    ),
    row(
        calc.batch_normalization,
        dict(input_shape=(32, 16, 64), axis=1),
        # Keras axis 1 is the height (the batch axis is 0)
        Expect((32, 16, 64), 4 * 32, 0, trainable=2 * 32),
        "axis-1",
    ),
    row(calc.batch_normalization, dict(input_shape=(100,)), Expect((100,), 4 * 100, 0, trainable=2 * 100), "vector"),
    row(calc.layer_normalization, dict(input_shape=(10, 64)), Expect((10, 64), 2 * 64, 0), "last-axis"),
    row(calc.layer_normalization, dict(input_shape=(10, 64), center=False), Expect((10, 64), 64, 0), "no-center"),
    row(calc.layer_normalization, dict(input_shape=(10, 64), rms_scaling=True), Expect((10, 64), 64, 0), "rms-scaling"),
    row(
        calc.layer_normalization,
        dict(input_shape=(10, 64), axis=[-2, -1]),
        Expect((10, 64), 2 * 10 * 64, 0),
        "two-axes",
    ),
    row(
        calc.normalization,
        dict(input_shape=(8, 8, 3)),
        # adapted mean (3,), variance (3,) and a count: all non-trainable
        Expect((8, 8, 3), 3 + 3 + 1, 0, trainable=0),
        "adapted-per-channel",
    ),
    row(
        calc.normalization,
        dict(input_shape=(8, 8, 3), axis=None),
        Expect((8, 8, 3), 1 + 1 + 1, 0, trainable=0),
        "axis-none",
    ),
    row(
        calc.normalization,
        dict(input_shape=(8, 8, 3), mean=[0.5, 0.5, 0.5], variance=[0.25, 0.25, 0.25]),
        Expect((8, 8, 3), 0, 0),
        "given-mean-and-variance",
    ),
    row(calc.prelu, dict(input_shape=(32, 32, 16)), Expect((32, 32, 16), 32 * 32 * 16, 0), "per-element"),
    row(calc.prelu, dict(input_shape=(32, 32, 16), shared_axes=[1, 2]), Expect((32, 32, 16), 16, 0), "shared-hw"),
    row(calc.prelu, dict(input_shape=(32, 32, 16), shared_axes=3), Expect((32, 32, 16), 32 * 32, 0), "shared-channels"),
    row(
        calc.LAYERS["LayerScale"],
        dict(input_shape=(56, 56, 96), projection_dim=96),
        # ConvNeXt's LayerScale: one trainable gamma per channel
        Expect((56, 56, 96), 96, 0, window=Window((1, 1), (1, 1), (0, 0), (0, 0))),
        "convnext",
    ),
    row(
        calc.passthrough,
        dict(input_shape=(7, 7, 512), class_name="Dropout"),
        Expect((7, 7, 512), 0, 0, window=Window((1, 1), (1, 1), (0, 0), (0, 0))),
        "dropout",
    ),
    # --- image preprocessing: out = (height, width, C), no weights. CenterCrop of an input at least as large
    #     starts at (in - out) // 2: a one-pixel window shifted by that start (a negative padding).
    row(calc.resizing, dict(input_shape=(180, 180, 3), height=160, width=128), Expect((160, 128, 3), 0, 0), "down"),
    row(calc.resizing, dict(input_shape=(None, None, 3), height=224, width=224), Expect((224, 224, 3), 0, 0), "any"),
    row(
        calc.center_crop,
        dict(input_shape=(256, 255, 3), height=224, width=224),
        # height: 32 cropped, 16 above and 16 below; width: 31 cropped, 15 left, 16 right
        Expect((224, 224, 3), 0, 0, window=Window((1, 1), (1, 1), (-(32 // 2), -(31 // 2)), (-16, -(31 - 15)))),
        "odd-surplus",
    ),
    row(
        calc.center_crop,
        dict(input_shape=(100, 300, 3), height=224, width=224),
        Expect((224, 224, 3), 0, 0, window=None),  # smaller than the target: resized, no fixed window
        "resized",
    ),
    row(calc.random_crop, dict(input_shape=(256, 256, 3), height=224, width=200), Expect((224, 200, 3), 0, 0), "crop"),
    # --- GroupNormalization: gamma and beta per channel, trainable; the groups only have to divide C.
    row(calc.group_normalization, dict(input_shape=(56, 56, 64), groups=32), Expect((56, 56, 64), 2 * 64, 0), "32"),
    row(
        calc.group_normalization,
        dict(input_shape=(56, 56, 64), groups=-1, center=False),
        Expect((56, 56, 64), 64, 0),
        "instance-norm-scale-only",
    ),
    row(calc.unit_normalization, dict(input_shape=(49, 768), axis=-1), Expect((49, 768), 0, 0), "tokens"),
]


@pytest.mark.parametrize(("fn", "kwargs", "expect"), LAYERS)
def test_layer_table(fn: Callable[..., LayerInfo], kwargs: dict[str, Any], expect: Expect) -> None:
    info = fn(**kwargs)
    assert info.output_shape == expect.output_shape
    assert info.params == expect.params
    assert info.trainable_params == (expect.params if expect.trainable is UNSET else expect.trainable)
    assert info.macs == expect.macs
    assert info.flops == (None if expect.macs is None else 2 * expect.macs)
    if expect.window is not UNSET:
        assert info.window == expect.window


MERGES = [
    pytest.param(calc.elementwise_merge, [(8, 8, 16), (8, 8, 16)], {}, (8, 8, 16), id="add"),
    pytest.param(calc.elementwise_merge, [(8, 8, 1), (8, 8, 16)], {}, (8, 8, 16), id="add-broadcast-channel"),
    pytest.param(calc.elementwise_merge, [(8, 8, 16)] * 3, {"class_name": "Maximum"}, (8, 8, 16), id="maximum-3"),
    pytest.param(
        calc.elementwise_merge,
        [(None, 8, 16), (4, 8, 16)],
        {"class_name": "Multiply"},
        (None, 8, 16),
        id="multiply-unknown",
    ),
    pytest.param(calc.elementwise_merge, [(4, 4), (4, 4)], {"class_name": "Subtract"}, (4, 4), id="subtract"),
    pytest.param(calc.concatenate, [(8, 8, 16), (8, 8, 32)], {}, (8, 8, 16 + 32), id="concatenate-channels"),
    pytest.param(calc.concatenate, [(8, 8, 16), (4, 8, 16)], {"axis": 1}, (8 + 4, 8, 16), id="concatenate-axis-1"),
    pytest.param(
        calc.concatenate, [(8, 8, 16), (4, 8, 16)], {"axis": -3}, (8 + 4, 8, 16), id="concatenate-axis-minus-3"
    ),
    pytest.param(calc.concatenate, [(None, 8, 16), (4, 8, 16)], {}, (4, 8, 16 + 16), id="concatenate-fills-unknown"),
    pytest.param(calc.concatenate, [(8, 8, None), (8, 8, 16)], {}, (8, 8, None), id="concatenate-unknown-axis"),
    pytest.param(calc.LAYERS["CustomScaleLayer"], [(8, 8, 16), (8, 8, 16)], {}, (8, 8, 16), id="custom-scale-layer"),
]


@pytest.mark.parametrize(("fn", "shapes", "kwargs", "output_shape"), MERGES)
def test_merge_shapes(
    fn: Callable[..., LayerInfo], shapes: list[Any], kwargs: dict[str, Any], output_shape: Any
) -> None:
    info = fn(shapes, **kwargs)
    assert info.output_shape == output_shape
    assert (info.params, info.macs) == (0, 0)
    assert info.window == Window((1, 1), (1, 1), (0, 0), (0, 0))


# --- TensorFlow's 'same' split: total = max((ceil(in/s) - 1)*s + k - in, 0); the smaller half first.

SAME_SPLITS = [
    pytest.param(224, 7, 2, (5 // 2, 5 - 5 // 2), id="224-k7-s2"),  # (112-1)*2 + 7 - 224 = 5
    pytest.param(225, 7, 2, (3, 3), id="225-k7-s2"),  # (113-1)*2 + 7 - 225 = 6
    pytest.param(224, 3, 1, (1, 1), id="224-k3-s1"),  # 3 - 1 = 2
    pytest.param(224, 1, 2, (0, 0), id="224-k1-s2"),  # (112-1)*2 + 1 - 224 = -1 -> 0
    pytest.param(7, 3, 2, (1, 1), id="7-k3-s2"),  # (4-1)*2 + 3 - 7 = 2
    pytest.param(8, 3, 2, (0, 1), id="8-k3-s2"),  # (4-1)*2 + 3 - 8 = 1
    pytest.param(147, 3, 2, (1, 1), id="147-k3-s2"),  # (74-1)*2 + 3 - 147 = 2
    pytest.param(148, 3, 2, (0, 1), id="148-k3-s2"),  # (74-1)*2 + 3 - 148 = 1
    pytest.param(5, 4, 1, (1, 2), id="5-k4-s1"),  # 4 - 1 = 3
    pytest.param(10, 5, 3, (2, 2), id="10-k5-s3"),  # ceil(10/3) = 4: (4-1)*3 + 5 - 10 = 4
    pytest.param(None, 3, 1, (1, 1), id="unknown-s1"),  # stride 1: always k - 1
    pytest.param(None, 3, 2, (None, None), id="unknown-s2"),
]


@pytest.mark.parametrize(("size", "kernel", "stride", "split"), SAME_SPLITS)
def test_same_padding_split(size: int | None, kernel: int, stride: int, split: tuple[int | None, int | None]) -> None:
    assert calc.same_padding(size, kernel, stride) == split
    info = calc.max_pooling2d((size, size, 1), pool_size=kernel, strides=stride, padding="same")
    assert info.window is not None
    assert (info.window.pad_before[0], info.window.pad_after[0]) == split


OUTPUT_LENGTHS = [
    pytest.param(256, 7, 1, "valid", 256 - 7 + 1, id="valid-s1"),
    pytest.param(224, 7, 2, "valid", (224 - 7) // 2 + 1, id="valid-s2"),
    pytest.param(7, 7, 3, "valid", 1, id="valid-exact-fit"),
    pytest.param(6, 7, 1, "valid", 0, id="valid-too-small"),
    pytest.param(7, 3, 2, "same", 4, id="same-odd"),  # ceil(7/2)
    pytest.param(224, 7, 2, "same", 112, id="same-even"),
    pytest.param(1, 9, 4, "same", 1, id="same-tiny"),
    pytest.param(None, 3, 1, "valid", None, id="unknown"),
]


@pytest.mark.parametrize(("size", "kernel", "stride", "padding", "length"), OUTPUT_LENGTHS)
def test_conv_output_length(size: int | None, kernel: int, stride: int, padding: str, length: int | None) -> None:
    assert calc.conv_output_length(size, kernel, stride, padding) == length


# --- bytes per dtype: elements (no batch axis) times the dtype's size.

BYTES = [
    pytest.param("float64", 8, id="float64"),
    pytest.param("float32", 4, id="float32"),
    pytest.param("float16", 2, id="float16"),
    pytest.param("bfloat16", 2, id="bfloat16"),
    pytest.param("int8", 1, id="int8"),
]


@pytest.mark.parametrize(("dtype", "size"), BYTES)
def test_bytes_per_dtype(dtype: str, size: int) -> None:
    info = calc.conv2d((256, 256, 3), 64, 7)
    assert info.activation_elements == 250 * 250 * 64
    assert info.activation_bytes(dtype) == 250 * 250 * 64 * size
    assert info.weight_bytes(dtype) == (7 * 7 * 3 * 64 + 64) * size


def test_bytes_default_dtype_is_float32() -> None:
    info = calc.dense((128,), 10)
    assert (info.activation_bytes(), info.weight_bytes()) == (10 * 4, (128 * 10 + 10) * 4)


def test_bytes_unknown_size_is_none() -> None:
    assert calc.conv2d((None, 32, 3), 8, 3).activation_bytes("float16") is None


@pytest.mark.parametrize("dtype", ["float8", "int4", "", None, ["float32"]])
def test_bytes_unknown_dtype(dtype: Any) -> None:
    with pytest.raises(calc.LayerConfigError) as err:
        calc.dense((4,), 2).weight_bytes(dtype)
    assert err.value.argument == "dtype"


def test_group_normalization_says_which_channels_do_not_split() -> None:
    with pytest.raises(calc.LayerConfigError) as err:
        calc.group_normalization((8, 8, 6), groups=4)
    assert err.value.argument == "groups"
    assert "6 channels" in str(err.value) and "4 groups" in str(err.value)


# --- receptive fields of small hand-built chains -------------------------------------------------


def chain(input_shape: tuple[int | None, ...], *makers: Callable[..., LayerInfo]) -> list[LayerInfo]:
    """Apply layer makers in sequence, each fed the previous output shape."""
    layers = []
    shape = input_shape
    for make in makers:
        info = make(shape)
        layers.append(info)
        shape = info.output_shape
    return layers


def conv(filters: int, kernel: Any, **kwargs: Any) -> Callable[..., LayerInfo]:
    return partial(calc.conv2d, filters=filters, kernel_size=kernel, **kwargs)


def vgg16_to_block5_pool() -> list[LayerInfo]:
    """keras.applications.VGG16 without the top: 3x3 'same' convolutions, 2x2 max pools, on 224x224x3."""
    makers: list[Callable[..., LayerInfo]] = []
    for convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
        makers += [conv(filters, 3, padding="same")] * convs
        makers.append(partial(calc.max_pooling2d, pool_size=2, strides=2))
    return chain((224, 224, 3), *makers)


def resnet50_stem() -> list[LayerInfo]:
    """keras.applications.ResNet50 up to pool1_pool: pad 3, 7x7/2 'valid', pad 1, 3x3/2 max pool."""
    return chain(
        (224, 224, 3),
        partial(calc.zero_padding2d, padding=3),
        conv(64, 7, strides=2),
        partial(calc.batch_normalization),
        partial(calc.passthrough, class_name="Activation"),
        partial(calc.zero_padding2d, padding=1),
        partial(calc.max_pooling2d, pool_size=3, strides=2),
    )


# Each case: (layers, size, stride, padding, start); start = (size - 1)/2 - padding.
FIELDS = [
    pytest.param(chain((32, 32, 8), *[conv(8, 3)] * 3), 1 + 3 * (3 - 1), 1, 0, 3.0, id="three-3x3-valid"),
    pytest.param(chain((32, 32, 8), *[conv(8, 3, padding="same")] * 3), 7, 1, 1 + 1 + 1, 0.0, id="three-3x3-same"),
    pytest.param(chain((32, 32, 8), conv(8, 7)), 7, 1, 0, 3.0, id="one-7x7"),
    pytest.param(chain((32, 32, 8), *[conv(8, 3)] * 2), 5, 1, 0, 2.0, id="two-3x3"),
    # 7x7/2 'same': 224 pads 2 before, 225 pads 3 (see SAME_SPLITS); start (7-1)/2 - padding
    pytest.param(chain((224, 224, 3), conv(64, 7, strides=2, padding="same")), 7, 2, 2, 3 - 2, id="7x7-s2-same-224"),
    pytest.param(chain((225, 225, 3), conv(64, 7, strides=2, padding="same")), 7, 2, 3, 3 - 3, id="7x7-s2-same-225"),
    # 3x3/2 then 3x3/1: r = 1 + 2*1 + 2*2
    pytest.param(chain((32, 32, 8), conv(8, 3, strides=2), conv(8, 3)), 1 + 2 * 1 + 2 * 2, 2, 0, 3.0, id="s2-then-3x3"),
    pytest.param(
        chain((32, 32, 8), conv(8, 3, strides=2), conv(8, 3, strides=2), conv(8, 3, strides=2)),
        1 + 2 * 1 + 2 * 2 + 2 * 4,
        2 * 2 * 2,
        0,
        7.0,
        id="three-3x3-s2",
    ),
    # ResNet stem: r = 1 + 6*1 + 2*2 = 11; stride 2*2; padding 3*1 + 1*2 = 5
    pytest.param(resnet50_stem(), 1 + 6 * 1 + 2 * 2, 2 * 2, 3 * 1 + 1 * 2, (11 - 1) / 2 - 5, id="resnet50-stem"),
    # dilations 1, 2, 4 ('same'): r = 1 + 2 + 4 + 8; padding 1 + 2 + 4
    pytest.param(
        chain(
            (64, 64, 8),
            conv(8, 3, padding="same"),
            conv(8, 3, padding="same", dilation_rate=2),
            conv(8, 3, padding="same", dilation_rate=4),
        ),
        1 + 2 * 1 + 4 * 1 + 8 * 1,
        1,
        1 + 2 + 4,
        0.0,
        id="dilated-1-2-4",
    ),
    # VGG16 block5_pool: r = 1 + 2*(2*1 + 2*2 + 3*4 + 3*8 + 3*16) + (1 + 2 + 4 + 8 + 16) = 212;
    # stride 2**5 = 32; padding 1*(2*1 + 2*2 + 3*4 + 3*8 + 3*16) = 90
    pytest.param(
        vgg16_to_block5_pool(),
        1 + 2 * (2 * 1 + 2 * 2 + 3 * 4 + 3 * 8 + 3 * 16) + (1 + 2 + 4 + 8 + 16),
        2**5,
        2 * 1 + 2 * 2 + 3 * 4 + 3 * 8 + 3 * 16,
        (212 - 1) / 2 - 90,
        id="vgg16-block5-pool",
    ),
    # a crop moves the field's start into the image: padding -2
    pytest.param(
        chain((28, 28, 3), partial(calc.cropping2d, cropping=2), conv(8, 3)), 3, 1, -2, 1 + 2, id="crop-then-3x3"
    ),
    # stride-1 transposed convolution = 'full' convolution: padding k - 1 = 2
    pytest.param(
        chain((8, 8, 4), partial(calc.conv2d_transpose, filters=4, kernel_size=3)), 3, 1, 2, 1 - 2, id="transpose-s1"
    ),
    # Dense on an image and BatchNormalization are 1x1: the field passes through
    pytest.param(
        chain((32, 32, 8), conv(8, 3), partial(calc.dense, units=4), partial(calc.batch_normalization)),
        3,
        1,
        0,
        1.0,
        id="dense-on-image",
    ),
    pytest.param([], 1, 1, 0, 0.0, id="empty-chain"),
]


@pytest.mark.parametrize(("layers", "size", "stride", "padding", "start"), FIELDS)
def test_receptive_field(layers: list[LayerInfo], size: int, stride: int, padding: int, start: float) -> None:
    field = calc.receptive_field(layers)
    assert field == ReceptiveField((size, size), (stride, stride), (padding, padding))
    assert field.start == (start, start)


def test_receptive_field_non_square() -> None:
    # (1x7) then (7x1): 7x7 in all; then 3x3 with strides (2, 1): r = 7 + 2, stride (2, 1)
    layers = chain(
        (17, 17, 8), conv(8, (1, 7), padding="same"), conv(8, (7, 1), padding="same"), conv(8, 3, strides=(2, 1))
    )
    field = calc.receptive_field(layers)
    assert field == ReceptiveField((7 + 2, 7 + 2), (2, 1), (3, 3))
    # and 3x3/(2,1) then 3x3: height 1 + 2*1 + 2*2, width 1 + 2 + 2
    field = calc.receptive_field(chain((20, 30, 4), conv(8, 3, strides=(2, 1)), conv(8, 3)))
    assert field == ReceptiveField((1 + 2 * 1 + 2 * 2, 1 + 2 * 1 + 2 * 1), (2, 1), (0, 0))


def test_receptive_field_unknown_size() -> None:
    # 'same' at stride 2 on an unknown size: the split is unknown, so padding and start are too
    field = calc.receptive_field(chain((None, None, 3), conv(8, 3, strides=2, padding="same"), conv(8, 3)))
    assert field == ReceptiveField((1 + 2 + 2 * 2, 7), (2, 2), (None, None))
    assert field.start == (None, None)
    # stride 1 'same' needs no size: padding k - 1 split 1 + 1
    field = calc.receptive_field(chain((None, None, 3), conv(8, 3, padding="same")))
    assert field == ReceptiveField((3, 3), (1, 1), (1, 1))


@pytest.mark.parametrize(
    "last",
    [
        pytest.param(partial(calc.flatten), id="flatten"),
        pytest.param(partial(calc.global_pooling2d), id="global-pooling"),
        pytest.param(partial(calc.up_sampling2d), id="upsampling"),
        pytest.param(partial(calc.conv2d_transpose, filters=4, kernel_size=3, strides=2), id="transpose-s2"),
    ],
)
def test_receptive_field_not_fixed(last: Callable[..., LayerInfo]) -> None:
    # after these an output unit no longer sees a fixed, position-independent window
    assert calc.receptive_field(chain((16, 16, 3), conv(8, 3), last)) is None


def test_receptive_field_accepts_windows() -> None:
    three = [Window((3, 3), (1, 1), (1, 1), (1, 1))] * 3
    assert calc.receptive_field(three) == ReceptiveField((7, 7), (1, 1), (3, 3))
    assert calc.receptive_field([*three, None]) is None


def test_step_from_input() -> None:
    assert calc.step(calc.INPUT_FIELD, Window((5, 3), (2, 1), (2, 1), (2, 1))) == ReceptiveField((5, 3), (2, 1), (2, 1))
    assert calc.step(None, Window((3, 3), (1, 1), (0, 0), (0, 0))) is None
    assert calc.step(calc.INPUT_FIELD, None) is None


# --- merge alignment -----------------------------------------------------------------------------


def test_merge_aligned() -> None:
    # Inception-style: a 3x3 'same' branch and a 1x1 branch both centre on pixel 0 at stride 1.
    x = (35, 35, 64)
    wide = calc.receptive_field(chain(x, conv(64, 3, padding="same")))
    narrow = calc.receptive_field(chain(x, conv(64, 1)))
    merged, aligned = calc.merge_fields([wide, narrow])
    assert aligned is True
    assert merged == ReceptiveField((3, 3), (1, 1), (1, 1))


def test_merge_misaligned_xception() -> None:
    # Xception-style on a 148-pixel input. Shortcut: 1x1/2 'same' (total padding (74-1)*2 + 1 - 148 < 0 -> 0):
    # r 1, stride 2, start 0. Main path: 3x3 'same' separable (r 3, padding 1), then 3x3/2 'same' max pool
    # (total (74-1)*2 + 3 - 148 = 1 -> 0 before): r = 3 + 2*1 = 5, stride 2, padding 1, start (5-1)/2 - 1 = 1.
    x = (148, 148, 64)
    shortcut = calc.receptive_field(chain(x, conv(128, 1, strides=2, padding="same")))
    main = calc.receptive_field(
        chain(
            x,
            partial(calc.separable_conv2d, filters=128, kernel_size=3, padding="same"),
            partial(calc.max_pooling2d, pool_size=3, strides=2, padding="same"),
        )
    )
    assert shortcut == ReceptiveField((1, 1), (2, 2), (0, 0))
    assert main == ReceptiveField((5, 5), (2, 2), (1, 1))
    assert (shortcut.start, main.start) == ((0.0, 0.0), (1.0, 1.0))
    merged, aligned = calc.merge_fields([shortcut, main])
    assert aligned is False
    assert merged == ReceptiveField((5, 5), (2, 2), (1, 1))


def test_merge_misaligned_stride() -> None:
    a = ReceptiveField((3, 3), (1, 1), (1, 1))
    b = ReceptiveField((3, 3), (2, 2), (1, 1))
    assert calc.merge_fields([a, b])[1] is False


def test_merge_per_axis_widest() -> None:
    tall = ReceptiveField((7, 1), (1, 1), (3, 0))
    wide = ReceptiveField((1, 7), (1, 1), (0, 3))
    merged, aligned = calc.merge_fields([tall, wide])
    assert merged == ReceptiveField((7, 7), (1, 1), (3, 3))
    assert aligned is True  # both centre on pixel 0: (7-1)/2 - 3 = 0 and (1-1)/2 - 0 = 0


def test_merge_with_unbounded_input() -> None:
    assert calc.merge_fields([ReceptiveField((3, 3), (1, 1), (1, 1)), None]) == (None, True)
    assert calc.merge_fields([]) == (None, True)


# --- rejections: each rule raises the named exception with a one-line message naming the argument ----

REJECTIONS = [
    pytest.param(calc.conv2d, dict(input_shape=(8, 8, 3), filters=0, kernel_size=3), "filters", id="filters-zero"),
    pytest.param(calc.conv2d, dict(input_shape=(8, 8, 3), filters=-4, kernel_size=3), "filters", id="filters-negative"),
    pytest.param(calc.conv2d, dict(input_shape=(8, 8, 3), filters=64.0, kernel_size=3), "filters", id="filters-float"),
    pytest.param(calc.conv2d, dict(input_shape=(8, 8, 3), filters="64", kernel_size=3), "filters", id="filters-string"),
    pytest.param(calc.conv2d, dict(input_shape=(8, 8, 3), filters=True, kernel_size=3), "filters", id="filters-bool"),
    pytest.param(
        calc.conv2d, dict(input_shape=(8, 8, 3), filters=2**62 + 1, kernel_size=3), "filters", id="filters-huge"
    ),
    pytest.param(calc.conv2d, dict(input_shape=(8, 8, 3), filters=8, kernel_size=0), "kernel_size", id="kernel-zero"),
    pytest.param(
        calc.conv2d, dict(input_shape=(8, 8, 3), filters=8, kernel_size=(3, -1)), "kernel_size", id="kernel-negative"
    ),
    pytest.param(
        calc.conv2d, dict(input_shape=(8, 8, 3), filters=8, kernel_size=3.0), "kernel_size", id="kernel-float"
    ),
    pytest.param(
        calc.conv2d, dict(input_shape=(8, 8, 3), filters=8, kernel_size=(3, 3, 3)), "kernel_size", id="kernel-three"
    ),
    pytest.param(
        calc.conv2d, dict(input_shape=(8, 8, 3), filters=8, kernel_size=True), "kernel_size", id="kernel-bool"
    ),
    pytest.param(
        calc.conv2d, dict(input_shape=(8, 8, 3), filters=8, kernel_size=3, strides=0), "strides", id="strides-zero"
    ),
    pytest.param(
        calc.conv2d,
        dict(input_shape=(16, 16, 3), filters=8, kernel_size=3, strides=2, dilation_rate=2),
        "strides",
        id="strides-with-dilation",
    ),
    pytest.param(
        calc.conv2d_transpose,
        dict(input_shape=(16, 16, 3), filters=8, kernel_size=3, strides=(1, 2), dilation_rate=(2, 1)),
        "strides",
        id="transpose-strides-with-dilation-other-axes",
    ),
    pytest.param(
        calc.conv2d,
        dict(input_shape=(8, 8, 8), filters=10, kernel_size=3, groups=4),
        "groups",
        id="filters-not-divisible-by-groups",
    ),
    pytest.param(
        calc.conv2d,
        dict(input_shape=(8, 8, 6), filters=8, kernel_size=3, groups=4),
        "groups",
        id="channels-not-divisible-by-groups",
    ),
    pytest.param(
        calc.conv2d, dict(input_shape=(8, 8, 8), filters=8, kernel_size=3, groups=0), "groups", id="groups-zero"
    ),
    pytest.param(
        calc.conv2d, dict(input_shape=(5, 5, 3), filters=8, kernel_size=7), "kernel_size", id="empty-valid-output"
    ),
    pytest.param(
        calc.conv2d,
        dict(input_shape=(9, 9, 3), filters=8, kernel_size=3, dilation_rate=5),
        "kernel_size",
        id="empty-dilated-output",
    ),
    pytest.param(calc.max_pooling2d, dict(input_shape=(1, 1, 3)), "pool_size", id="pool-empty-output"),
    pytest.param(
        calc.conv2d, dict(input_shape=(8, 8, 3), filters=8, kernel_size=3, padding="full"), "padding", id="padding-full"
    ),
    pytest.param(
        calc.conv2d,
        dict(input_shape=(8, 8, 3), filters=8, kernel_size=3, padding="causal"),
        "padding",
        id="padding-causal",
    ),
    pytest.param(
        calc.conv2d, dict(input_shape=(8, 8, 3), filters=8, kernel_size=3, padding=None), "padding", id="padding-none"
    ),
    pytest.param(calc.average_pooling2d, dict(input_shape=(8, 8, 3), padding="SAMEISH"), "padding", id="pool-padding"),
    pytest.param(
        calc.conv2d,
        dict(input_shape=(8, 8, 3), filters=8, kernel_size=3, data_format="NHWC"),
        "data_format",
        id="data-format-unknown",
    ),
    pytest.param(
        calc.conv2d_transpose,
        dict(input_shape=(8, 8, 3), filters=8, kernel_size=3, strides=2, output_padding=2),
        "output_padding",
        id="output-padding-equals-strides",
    ),
    pytest.param(
        calc.conv2d_transpose,
        dict(input_shape=(8, 8, 3), filters=8, kernel_size=3, output_padding=1),
        "output_padding",
        id="output-padding-at-stride-1",
    ),
    pytest.param(
        calc.conv2d_transpose,
        dict(input_shape=(8, 8, 3), filters=8, kernel_size=3, strides=2, output_padding=-1),
        "output_padding",
        id="output-padding-negative",
    ),
    pytest.param(
        calc.conv2d, dict(input_shape=(32.0, 32, 3), filters=8, kernel_size=3), "input_shape", id="size-float"
    ),
    pytest.param(
        calc.conv2d, dict(input_shape=("32", 32, 3), filters=8, kernel_size=3), "input_shape", id="size-string"
    ),
    pytest.param(calc.conv2d, dict(input_shape=(True, 32, 3), filters=8, kernel_size=3), "input_shape", id="size-bool"),
    pytest.param(calc.conv2d, dict(input_shape=(0, 32, 3), filters=8, kernel_size=1), "input_shape", id="size-zero"),
    pytest.param(
        calc.conv2d, dict(input_shape=(2**62 + 1, 32, 3), filters=8, kernel_size=3), "input_shape", id="size-huge"
    ),
    pytest.param(calc.conv2d, dict(input_shape=(32, 32), filters=8, kernel_size=3), "input_shape", id="rank-2"),
    pytest.param(
        calc.conv2d, dict(input_shape=(32, 32, None), filters=8, kernel_size=3), "input_shape", id="channels-unknown"
    ),
    pytest.param(calc.conv2d, dict(input_shape=32, filters=8, kernel_size=3), "input_shape", id="shape-int"),
    pytest.param(calc.dense, dict(input_shape=(), units=8), "input_shape", id="dense-rank-0"),
    pytest.param(calc.dense, dict(input_shape=(8,), units=0), "units", id="dense-units-zero"),
    pytest.param(
        calc.depthwise_conv2d,
        dict(input_shape=(8, 8, 3), kernel_size=3, depth_multiplier=0),
        "depth_multiplier",
        id="depth-multiplier-zero",
    ),
    pytest.param(
        calc.separable_conv2d,
        dict(input_shape=(8, 8, 3), filters=0, kernel_size=3),
        "filters",
        id="separable-filters-zero",
    ),
    pytest.param(calc.zero_padding2d, dict(input_shape=(8, 8, 3), padding=-1), "padding", id="zero-padding-negative"),
    pytest.param(
        calc.zero_padding2d, dict(input_shape=(8, 8, 3), padding=((1, 2), 3)), "padding", id="zero-padding-mixed"
    ),
    pytest.param(calc.cropping2d, dict(input_shape=(8, 8, 3), cropping=4), "cropping", id="cropping-everything"),
    pytest.param(
        calc.cropping2d, dict(input_shape=(8, 8, 3), cropping=((0, 0), (5, 3))), "cropping", id="cropping-width"
    ),
    pytest.param(calc.up_sampling2d, dict(input_shape=(8, 8, 3), size=0), "size", id="upsampling-zero"),
    pytest.param(
        calc.up_sampling2d,
        dict(input_shape=(8, 8, 3), interpolation="cubic"),
        "interpolation",
        id="upsampling-interpolation",
    ),
    pytest.param(
        calc.reshape, dict(input_shape=(7, 7, 512), target_shape=(100, -1)), "target_shape", id="reshape-indivisible"
    ),
    pytest.param(
        calc.reshape, dict(input_shape=(7, 7, 512), target_shape=(49, 500)), "target_shape", id="reshape-wrong-count"
    ),
    pytest.param(
        calc.reshape, dict(input_shape=(8,), target_shape=(-1, -1)), "target_shape", id="reshape-two-minus-ones"
    ),
    pytest.param(calc.reshape, dict(input_shape=(8,), target_shape=(0, 8)), "target_shape", id="reshape-zero"),
    pytest.param(
        calc.batch_normalization, dict(input_shape=(8, 8, 3), axis=4), "axis", id="batchnorm-axis-out-of-range"
    ),
    pytest.param(calc.batch_normalization, dict(input_shape=(8, 8, 3), axis=0), "axis", id="batchnorm-batch-axis"),
    pytest.param(calc.layer_normalization, dict(input_shape=(8, 8), axis=1.0), "axis", id="layernorm-axis-float"),
    # Keras sets alpha_shape[axis - 1] = 1 on the shape without the batch axis: -3 - 1 indexes nothing
    pytest.param(
        calc.prelu, dict(input_shape=(8, 8, 3), shared_axes=[-3]), "shared_axes", id="prelu-axis-too-negative"
    ),
    pytest.param(calc.prelu, dict(input_shape=(8, 8, 3), shared_axes=[4]), "shared_axes", id="prelu-axis-out-of-range"),
    pytest.param(calc.elementwise_merge, dict(input_shapes=[(8, 8, 3), (8, 8, 4)]), "inputs", id="add-incompatible"),
    pytest.param(calc.elementwise_merge, dict(input_shapes=[]), "inputs", id="add-no-inputs"),
    pytest.param(
        calc.elementwise_merge,
        dict(input_shapes=[(4,), (4,), (4,)], class_name="Subtract"),
        "inputs",
        id="subtract-three",
    ),
    pytest.param(calc.concatenate, dict(input_shapes=[(8, 8, 3), (4, 8, 3)]), "inputs", id="concatenate-mismatch"),
    pytest.param(calc.concatenate, dict(input_shapes=[(8, 8, 3), (8, 3)]), "inputs", id="concatenate-ranks"),
    pytest.param(
        calc.concatenate, dict(input_shapes=[(8, 8, 3)] * 2, axis=4), "axis", id="concatenate-axis-out-of-range"
    ),
]


@pytest.mark.parametrize(("fn", "kwargs", "argument"), REJECTIONS)
def test_rejections(fn: Callable[..., LayerInfo], kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(calc.LayerConfigError) as err:
        fn(**kwargs)
    message = str(err.value)
    assert err.value.argument == argument, message
    assert "\n" not in message
    assert message.startswith(f"{err.value.layer}: {argument}: ")
    assert isinstance(err.value, calc.CalcError) and isinstance(err.value, ValueError)


CHANNELS_FIRST = [
    # (C, H, W) in, (C', H', W') out, the same figures as channels_last (values as in the rows above).
    row(
        calc.conv2d,
        dict(input_shape=(3, 16, 14), filters=8, kernel_size=3, data_format="channels_first"),
        Expect((8, 16 - 2, 14 - 2), 3 * 3 * 3 * 8 + 8, 14 * 12 * 8 * 3 * 3 * 3, window=valid(3, 3)),
        "conv2d",
    ),
    row(
        calc.depthwise_conv2d,
        dict(input_shape=(4, 9, 9), kernel_size=3, strides=2, depth_multiplier=2, data_format="channels_first"),
        Expect((8, 4, 4), 3 * 3 * 8 + 8, 4 * 4 * 8 * 3 * 3, window=valid(3, 3, 2, 2)),
        "depthwise",
    ),
    row(
        calc.max_pooling2d,
        dict(input_shape=(64, 7, 7), pool_size=2, data_format="channels_first"),
        Expect((64, 3, 3), 0, 0, window=valid(2, 2, 2, 2)),
        "max-pooling",
    ),
    row(
        calc.global_pooling2d,
        dict(input_shape=(64, 7, 7), keepdims=True, data_format="channels_first"),
        Expect((64, 1, 1), 0, 0),
        "global-pooling-keepdims",
    ),
    row(
        calc.zero_padding2d,
        dict(input_shape=(3, 8, 10), padding=(1, 2), data_format="channels_first"),
        Expect((3, 8 + 2, 10 + 4), 0, 0, window=Window((1, 1), (1, 1), (1, 2), (1, 2))),
        "zero-padding",
    ),
    row(
        calc.center_crop,
        dict(input_shape=(3, 12, 10), height=8, width=8, data_format="channels_first"),
        Expect((3, 8, 8), 0, 0, window=Window((1, 1), (1, 1), (-2, -1), (-2, -1))),
        "center-crop",
    ),
]


@pytest.mark.parametrize(("fn", "kwargs", "expect"), CHANNELS_FIRST)
def test_channels_first_table(fn: Callable[..., LayerInfo], kwargs: dict[str, Any], expect: Expect) -> None:
    test_layer_table(fn, kwargs, expect)


def test_data_format_must_be_a_keras_layout() -> None:
    with pytest.raises(calc.LayerConfigError) as err:
        calc.conv2d((8, 8, 3), 8, 3, data_format="NHWC")
    assert err.value.argument == "data_format"


def test_concatenate_batch_axis_unsupported() -> None:
    # Keras accepts a merge along the batch axis (the batch grows); calc has no batch sizes to add.
    with pytest.raises(calc.UnsupportedError) as err:
        calc.concatenate([(8, 8, 3), (8, 8, 3)], axis=0)
    assert "axis" in str(err.value)


# --- layer_info with Keras config dicts (as model.to_json() writes them: lists for tuples, extra keys) ---

DTYPE: dict[str, Any] = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
    "registered_name": None,
}
GLOROT: dict[str, Any] = {
    "module": "keras.initializers",
    "class_name": "GlorotUniform",
    "config": {"seed": None},
    "registered_name": None,
}
ZEROS: dict[str, Any] = {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None}

CONFIGS = [
    pytest.param(
        "Conv2D",
        {
            "name": "conv1", "trainable": True, "dtype": DTYPE, "filters": 64, "kernel_size": [7, 7], "strides": [2, 2],
            "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
            "activation": "relu", "use_bias": True, "kernel_initializer": GLOROT, "bias_initializer": ZEROS,
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None,
        },
        (224, 224, 3),
        Expect((112, 112, 64), 7 * 7 * 3 * 64 + 64, 112 * 112 * 64 * 7 * 7 * 3),
        id="Conv2D",
    ),
    pytest.param(
        "Convolution2D",
        {"filters": 8, "kernel_size": [3, 3], "use_bias": False},
        (10, 10, 2),
        Expect((8, 8, 8), 3 * 3 * 2 * 8, 8 * 8 * 8 * 3 * 3 * 2),
        id="Convolution2D-alias",
    ),
    pytest.param(
        "DepthwiseConv2D",
        {
            "name": "dw", "trainable": True, "dtype": DTYPE, "depth_multiplier": 2, "kernel_size": [3, 3],
            "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1],
            "activation": "linear", "use_bias": True, "depthwise_initializer": GLOROT, "bias_initializer": ZEROS,
        },
        (10, 10, 4),
        Expect((8, 8, 8), 3 * 3 * 4 * 2 + 4 * 2, 8 * 8 * 8 * 3 * 3),
        id="DepthwiseConv2D",
    ),
    pytest.param(
        "SeparableConv2D",
        {
            "name": "sep", "depth_multiplier": 1, "filters": 32, "kernel_size": [3, 3], "strides": [1, 1],
            "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "use_bias": True,
            "pointwise_initializer": GLOROT,
        },
        (10, 10, 16),
        Expect((8, 8, 32), 3 * 3 * 16 + 16 * 32 + 32, 8 * 8 * (3 * 3 * 16 + 16 * 32)),
        id="SeparableConv2D",
    ),
    pytest.param(
        "Conv2DTranspose",
        {
            "name": "up", "filters": 16, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same",
            "output_padding": [1, 1], "data_format": "channels_last", "dilation_rate": [1, 1], "use_bias": True,
        },
        (16, 16, 32),
        Expect(((16 - 1) * 2 + 1 + 1, (16 - 1) * 2 + 1 + 1, 16), 3 * 3 * 16 * 32 + 16, 16 * 16 * 32 * 3 * 3 * 16),
        id="Conv2DTranspose",
    ),
    pytest.param(
        "BatchNormalization",
        {
            "name": "bn", "trainable": True, "dtype": DTYPE, "axis": -1, "momentum": 0.99, "epsilon": 0.001,
            "center": True, "scale": True, "beta_initializer": ZEROS, "synchronized": False, "renorm": False,
            "renorm_clipping": None, "renorm_momentum": 0.99,
        },
        (56, 56, 64),
        Expect((56, 56, 64), 4 * 64, 0, trainable=2 * 64),
        id="BatchNormalization",
    ),
    pytest.param(
        "Dense",
        {"name": "fc", "units": 10, "activation": "linear", "use_bias": True, "quantization_config": None},
        (128,),
        Expect((10,), 128 * 10 + 10, 128 * 10),
        id="Dense",
    ),
    pytest.param(
        "MaxPooling2D",
        {"name": "pool", "pool_size": [3, 3], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"},
        (147, 147, 64),
        Expect((73, 73, 64), 0, 0),
        id="MaxPooling2D",
    ),
    pytest.param(
        "MaxPool2D", {"pool_size": [2, 2], "strides": None}, (8, 8, 1), Expect((4, 4, 1), 0, 0), id="MaxPool2D-alias"
    ),
    pytest.param(
        "ZeroPadding2D",
        {"name": "pad", "padding": [[1, 2], [3, 4]], "data_format": "channels_last"},
        (10, 10, 3),
        Expect((10 + 1 + 2, 10 + 3 + 4, 3), 0, 0),
        id="ZeroPadding2D",
    ),
    pytest.param(
        "Cropping2D",
        {"name": "crop", "cropping": [[1, 1], [2, 2]], "data_format": "channels_last"},
        (10, 10, 3),
        Expect((10 - 2, 10 - 4, 3), 0, 0),
        id="Cropping2D",
    ),
    pytest.param(
        "Reshape", {"name": "rs", "target_shape": [-1]}, (7, 7, 512), Expect((7 * 7 * 512,), 0, 0), id="Reshape"
    ),
    pytest.param(
        "GlobalAveragePooling2D",
        {"name": "gap", "data_format": "channels_last", "keepdims": False},
        (7, 7, 2048),
        Expect((2048,), 0, 0),
        id="GlobalAveragePooling2D",
    ),
    pytest.param(
        "PReLU",
        {"name": "prelu", "alpha_initializer": ZEROS, "alpha_regularizer": None, "shared_axes": [1, 2]},
        (8, 8, 16),
        Expect((8, 8, 16), 16, 0),
        id="PReLU",
    ),
    pytest.param(
        "Activation", {"name": "act", "activation": "relu"}, (8, 8, 16), Expect((8, 8, 16), 0, 0), id="Activation"
    ),
    pytest.param("Dropout", {"name": "drop", "rate": 0.5, "seed": None}, (64,), Expect((64,), 0, 0), id="Dropout"),
    pytest.param("Add", {"name": "add"}, [(8, 8, 16), (8, 8, 16)], Expect((8, 8, 16), 0, 0), id="Add"),
    pytest.param(
        "Concatenate",
        {"name": "cat", "axis": -1},
        [(8, 8, 16), (8, 8, 8)],
        Expect((8, 8, 16 + 8), 0, 0),
        id="Concatenate",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("class_name", "config", "input_shape", "expect"), CONFIGS)
def test_layer_info_keras_config(class_name: str, config: dict[str, Any], input_shape: Any, expect: Expect) -> None:
    info = calc.layer_info(class_name, config, input_shape)
    assert info.output_shape == expect.output_shape
    assert info.params == expect.params
    assert info.trainable_params == (expect.params if expect.trainable is UNSET else expect.trainable)
    assert info.macs == expect.macs


def test_layer_info_class_name_is_the_keras_one() -> None:
    assert calc.layer_info("GlobalMaxPooling2D", {}, (4, 4, 2)).class_name == "GlobalMaxPooling2D"
    assert calc.layer_info("Convolution2D", {"filters": 1, "kernel_size": 1}, (4, 4, 2)).class_name == "Conv2D"
    assert calc.layer_info("Multiply", {}, [(4,), (4,)]).class_name == "Multiply"


@pytest.mark.parametrize("class_name", ["LSTM", "Conv3D", "MultiHeadAttention", "conv2d", ""])
def test_layer_info_unknown_class(class_name: str) -> None:
    with pytest.raises(calc.UnsupportedError) as err:
        calc.layer_info(class_name, {}, (8, 8, 3))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("class_name", [[], {"class_name": "Conv2D"}, None, 7])
def test_layer_info_class_name_not_a_string(class_name: Any) -> None:
    # A JSON config can hold anything where the class name should be; calc must say so with a CalcError.
    try:
        calc.layer_info(class_name, {}, (8, 8, 3))
    except calc.CalcError:
        return
    except Exception as err:
        pytest.fail(f"calc bug: layer_info({class_name!r}, ...) raised {type(err).__name__}, not a CalcError: {err}")
    pytest.fail(f"layer_info accepted class name {class_name!r}")


@pytest.mark.parametrize(
    ("class_name", "config", "input_shape", "missing"),
    [
        pytest.param("Conv2D", {"kernel_size": [3, 3]}, (8, 8, 3), "filters", id="Conv2D-filters"),
        pytest.param("SeparableConv2D", {"filters": 8}, (8, 8, 3), "kernel_size", id="SeparableConv2D-kernel_size"),
        pytest.param("Dense", {"name": "fc"}, (8,), "units", id="Dense-units"),
        pytest.param("Reshape", {}, (8,), "target_shape", id="Reshape-target_shape"),
    ],
)
def test_layer_info_missing_required_argument(
    class_name: str, config: dict[str, Any], input_shape: Any, missing: str
) -> None:
    # Keras' from_config refuses these configs (the constructor lacks a required argument); calc must raise
    # LayerConfigError naming the argument, not let Python's TypeError out.
    try:
        calc.layer_info(class_name, config, input_shape)
    except calc.LayerConfigError as err:
        assert err.argument == missing, str(err)
        return
    except Exception as err:
        pytest.fail(
            f"calc bug: layer_info({class_name!r}, {config!r}) raised {type(err).__name__}, not a CalcError: {err}"
        )
    pytest.fail(f"layer_info accepted a {class_name} config without {missing!r}")


def test_layer_info_config_not_a_mapping() -> None:
    with pytest.raises(calc.CalcError):
        calc.layer_info("Conv2D", [("filters", 8)], (8, 8, 3))  # type: ignore[arg-type]


def test_layer_info_passes_rejections_on() -> None:
    with pytest.raises(calc.LayerConfigError) as err:
        calc.layer_info(
            "Conv2D", {"filters": 8, "kernel_size": [3, 3], "strides": [2, 2], "dilation_rate": [2, 2]}, (16, 16, 3)
        )
    assert err.value.argument == "strides"


def test_layer_info_channels_first_takes_and_gives_chw() -> None:
    # The layer functions model channels_last (above); layer_info moves a channels_first layer's shapes.
    conv = calc.layer_info("Conv2D", {"filters": 8, "kernel_size": 3, "data_format": "channels_first"}, (3, 16, 14))
    assert conv.output_shape == (8, 16 - 3 + 1, 14 - 3 + 1)
    assert (conv.params, conv.macs) == (3 * 3 * 3 * 8 + 8, 14 * 12 * 8 * 3 * 3 * 3)
    assert conv.window == valid(3, 3)
    pool = calc.layer_info("GlobalMaxPooling2D", {"keepdims": True, "data_format": "channels_first"}, (8, 5, 5))
    assert pool.output_shape == (8, 1, 1)
    with pytest.raises(calc.LayerConfigError) as err:
        calc.layer_info("MaxPooling2D", {"data_format": "channels_first"}, (8, 5))
    assert err.value.argument == "input_shape"


def test_every_registered_class_has_a_row() -> None:
    # each layer function in the registry appears in a table above
    tabled = {p.values[0] for p in LAYERS} | {p.values[0] for p in MERGES}
    functions = {getattr(fn, "func", fn) for fn in calc.LAYERS.values()}
    missing = sorted(f.__name__ for f in functions - tabled)
    assert not missing, f"layer functions in calc.LAYERS without a hand-derived row in LAYERS or MERGES: {missing}"
