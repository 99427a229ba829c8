"""Exact Keras convolution arithmetic: output shapes, parameters, MACs, memory, receptive fields and
effective receptive fields.

Standard library only; runs unchanged in CPython and in Pyodide.

Examples:
    >>> import calc
    >>> calc.conv2d((256, 256, 3), filters=64, kernel_size=7).params
    9472
    >>> calc.receptive_field([calc.conv2d((256, 256, 3), 32, 3)] * 3).size
    (7, 7)
    >>> calc.effective_receptive_field([calc.conv2d((256, 256, 3), 32, 3)] * 3).counts[0]
    (1, 3, 6, 7, 6, 3, 1)
"""

from calc._effective import EffectiveField, effective_receptive_field
from calc._errors import CalcError, LayerConfigError, NoEffectiveFieldError, UnsupportedError
from calc._layers import (
    DTYPE_BYTES,
    IDENTITY,
    LayerInfo,
    Window,
    average_pooling2d,
    batch_normalization,
    concatenate,
    conv2d,
    conv2d_transpose,
    conv_output_length,
    cropping2d,
    dense,
    depthwise_conv2d,
    elementwise_merge,
    flatten,
    global_pooling2d,
    layer_normalization,
    max_pooling2d,
    normalization,
    passthrough,
    prelu,
    reshape,
    same_padding,
    separable_conv2d,
    up_sampling2d,
    zero_padding2d,
)
from calc._model import LayerRow, ModelError, Summary, load_config, summarize
from calc._preprocessing import center_crop, group_normalization, random_crop, resizing, unit_normalization
from calc._receptive import INPUT_FIELD, ReceptiveField, merge_fields, receptive_field, step
from calc._registry import LAYERS, layer_arguments, layer_info

__all__ = [
    "DTYPE_BYTES",
    "IDENTITY",
    "INPUT_FIELD",
    "LAYERS",
    "CalcError",
    "EffectiveField",
    "LayerConfigError",
    "LayerInfo",
    "LayerRow",
    "ModelError",
    "NoEffectiveFieldError",
    "ReceptiveField",
    "Summary",
    "UnsupportedError",
    "Window",
    "average_pooling2d",
    "batch_normalization",
    "center_crop",
    "concatenate",
    "conv2d",
    "conv2d_transpose",
    "conv_output_length",
    "cropping2d",
    "dense",
    "depthwise_conv2d",
    "effective_receptive_field",
    "elementwise_merge",
    "flatten",
    "global_pooling2d",
    "group_normalization",
    "layer_arguments",
    "layer_info",
    "layer_normalization",
    "load_config",
    "max_pooling2d",
    "merge_fields",
    "normalization",
    "passthrough",
    "prelu",
    "random_crop",
    "receptive_field",
    "reshape",
    "resizing",
    "same_padding",
    "separable_conv2d",
    "step",
    "summarize",
    "unit_normalization",
    "up_sampling2d",
    "zero_padding2d",
]
