# Keras class name -> layer function. ``layer_info`` takes a layer's Keras
# config dict (as in model.to_json()) and passes on the arguments the
# function knows; the rest of the config (initializers, names, ...) changes
# no figure calc gives.

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from calc import _layers as L
from calc._applications import custom_scale_layer, layer_scale
from calc._errors import CalcError, LayerConfigError, UnsupportedError
from calc._preprocessing import (
    AUGMENTATION,
    center_crop,
    group_normalization,
    random_crop,
    resizing,
    unit_normalization,
)

__all__ = ["LAYERS", "MERGES", "MULTI_INPUT", "PASSTHROUGH", "layer_arguments", "layer_info"]

PASSTHROUGH = (
    "Activation", "ActivityRegularization", "AlphaDropout", "Dropout", "ELU", "GaussianDropout", "GaussianNoise",
    "Identity", "LeakyReLU", "Masking", "ReLU", "Rescaling", "Softmax", "SpatialDropout2D",
)  # fmt: skip

MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate")
# Layers called on a list of tensors: their function takes the list of input shapes.
MULTI_INPUT = frozenset((*MERGES, "CustomScaleLayer"))

LAYERS: dict[str, Callable[..., L.LayerInfo]] = {
    "Conv2D": L.conv2d,
    "DepthwiseConv2D": L.depthwise_conv2d,
    "SeparableConv2D": L.separable_conv2d,
    "Conv2DTranspose": L.conv2d_transpose,
    "MaxPooling2D": L.max_pooling2d,
    "AveragePooling2D": L.average_pooling2d,
    "GlobalAveragePooling2D": partial(L.global_pooling2d, class_name="GlobalAveragePooling2D"),
    "GlobalMaxPooling2D": partial(L.global_pooling2d, class_name="GlobalMaxPooling2D"),
    "ZeroPadding2D": L.zero_padding2d,
    "Cropping2D": L.cropping2d,
    "UpSampling2D": L.up_sampling2d,
    "Dense": L.dense,
    "Flatten": L.flatten,
    "Reshape": L.reshape,
    "BatchNormalization": L.batch_normalization,
    "LayerNormalization": L.layer_normalization,
    "Normalization": L.normalization,
    "PReLU": L.prelu,
    "Concatenate": L.concatenate,
    "LayerScale": layer_scale,
    "CustomScaleLayer": custom_scale_layer,
    "Resizing": resizing,
    "CenterCrop": center_crop,
    "RandomCrop": random_crop,
    "GroupNormalization": group_normalization,
    "UnitNormalization": unit_normalization,
    **{name: partial(L.passthrough, class_name=name) for name in (*PASSTHROUGH, *AUGMENTATION)},
    **{name: partial(L.elementwise_merge, class_name=name) for name in MERGES[:-1]},
}

ALIASES = {
    "Convolution2D": "Conv2D",
    "Conv2DTranspose": "Conv2DTranspose",
    "Convolution2DTranspose": "Conv2DTranspose",
    "SeparableConvolution2D": "SeparableConv2D",
    "MaxPool2D": "MaxPooling2D",
    "AvgPool2D": "AveragePooling2D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "GlobalMaxPool2D": "GlobalMaxPooling2D",
}

# Names each function takes from a config, and those without a default, computed once.
_SKIP = ("input_shape", "input_shapes", "class_name")
_ACCEPTS = {name: tuple(p for p in inspect.signature(fn).parameters if p not in _SKIP) for name, fn in LAYERS.items()}
_REQUIRED = {
    name: tuple(
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.name not in _SKIP and p.default is inspect.Parameter.empty
    )
    for name, fn in LAYERS.items()
}


def layer_arguments(class_name: str) -> tuple[str, ...]:
    """The Keras config arguments that change calc's figures for ``class_name``, in signature order.

    Examples:
        >>> layer_arguments("MaxPooling2D")
        ('pool_size', 'strides', 'padding', 'data_format')
    """
    return _ACCEPTS[class_name if class_name in LAYERS else ALIASES.get(class_name, class_name)]


def layer_info(class_name: str, config: Mapping[str, Any], input_shape: Any) -> L.LayerInfo:
    """Figures for one layer given its Keras class name, its config dict and its input shape.

    ``input_shape`` excludes the batch axis; for merge layers it is a list of shapes. A layer whose config
    says ``data_format="channels_first"`` takes and gives (C, H, W) shapes, as Keras does.

    Examples:
        >>> layer_info("Conv2D", {"filters": 64, "kernel_size": [7, 7]}, (256, 256, 3)).output_shape
        (250, 250, 64)
    """
    if type(class_name) is not str:
        raise CalcError(f"class_name: expected a string, got {type(class_name).__name__}")
    name = class_name if class_name in LAYERS else ALIASES.get(class_name, class_name)
    fn = LAYERS.get(name)
    if fn is None:
        raise UnsupportedError(f"{class_name}: layer class not supported by calc")
    if type(config) is not dict and not isinstance(config, Mapping):  # the type test first: it is cheaper
        raise CalcError(f"{class_name}: config must be a mapping, got {type(config).__name__}")
    try:
        return fn(input_shape, **{k: config[k] for k in _ACCEPTS[name] if k in config})
    except TypeError:
        # Checked only on failure, to keep the common path fast.
        for required in _REQUIRED[name]:
            if required not in config:
                raise LayerConfigError(name, required, "required, but missing from the config") from None
        raise
