# Image preprocessing and the normalization layers that keras.applications does not use: the layers a
# model's first few lines often hold (data augmentation, rescaling, resizing, cropping), so that a model
# built the way the Keras tutorials build it is analysed past its input. Rules from
# keras.src.layers.preprocessing.image_preprocessing and keras.src.layers.normalization (Keras 3).

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calc._args import Shape, channels_first, image, layout, positive, shape
from calc._errors import LayerConfigError
from calc._layers import IDENTITY, LayerInfo, Window, _axis_index, _axis_indices, _weight_size

__all__ = ["AUGMENTATION", "center_crop", "group_normalization", "random_crop", "resizing", "unit_normalization"]

# Random augmentation and colour layers: the identity when the model predicts, and always the input's shape;
# no weights. (Their own arguments, factors and value ranges, change no figure calc gives.)
AUGMENTATION = (
    "AugMix", "AutoContrast", "CutMix", "Equalization", "MixUp", "RandAugment", "RandomBrightness",
    "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomElasticTransform", "RandomErasing",
    "RandomFlip", "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective",
    "RandomPosterization", "RandomRotation", "RandomSaturation", "RandomSharpness", "RandomShear",
    "RandomTranslation", "RandomZoom", "Solarization",
)  # fmt: skip


def _target(layer: str, input_shape: Shape, height: Any, width: Any, data_format: Any) -> tuple[Shape, int, int, bool]:
    """The input as (H, W, C), the target height and width (both at least 1), and whether the layer is
    channels_first.

    Keras also builds the cropping layers with a height or width of 0 (an empty output); calc refuses it.
    """
    h = positive(layer, "height", height)
    w = positive(layer, "width", width)
    first = channels_first(layer, data_format)
    return image(layer, input_shape, first), h, w, first


def resizing(
    input_shape: Shape, height: int, width: int, interpolation: str = "bilinear", data_format: str | None = None
) -> LayerInfo:
    """keras.layers.Resizing: out = (height, width, C). A rescaling has no position-independent field."""
    layer = "Resizing"
    (_, _, c), h, w, first = _target(layer, input_shape, height, width, data_format)
    return LayerInfo(layer, layout(first, h, w, c), 0, 0, 0, None)


def center_crop(input_shape: Shape, height: int, width: int, data_format: str | None = None) -> LayerInfo:
    """keras.layers.CenterCrop: out = (height, width, C).

    An input at least as large is cropped, the larger half of an odd surplus at the bottom and right
    (start = surplus // 2): a window of one pixel shifted by the start. A smaller or unknown input is
    resized instead, so its field is not given.
    """
    layer = "CenterCrop"
    (ih, iw, c), h, w, first = _target(layer, input_shape, height, width, data_format)
    window = None
    if ih is not None and iw is not None and ih >= h and iw >= w:
        top, left = (ih - h) // 2, (iw - w) // 2
        window = Window((1, 1), (1, 1), (-top, -left), (-(ih - h - top), -(iw - w - left)))
    return LayerInfo(layer, layout(first, h, w, c), 0, 0, 0, window)


def random_crop(input_shape: Shape, height: int, width: int, data_format: str | None = None) -> LayerInfo:
    """keras.layers.RandomCrop: out = (height, width, C); where the crop falls depends on the input, so its
    field is not given."""
    layer = "RandomCrop"
    (_, _, c), h, w, first = _target(layer, input_shape, height, width, data_format)
    return LayerInfo(layer, layout(first, h, w, c), 0, 0, 0, None)


def group_normalization(
    input_shape: Shape, groups: int = 32, axis: int = -1, center: bool = True, scale: bool = True
) -> LayerInfo:
    """keras.layers.GroupNormalization: gamma (scale) and beta (center), one per channel of ``axis``
    (counted with the batch axis as 0), all trainable. ``groups=-1`` is one group per channel.

    The channels must split into whole groups.
    """
    layer = "GroupNormalization"
    dims = shape(layer, input_shape)
    n = _weight_size(layer, dims, [_axis_index(layer, dims, axis)])
    if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
        raise LayerConfigError(layer, "groups", f"must be a positive integer or -1, got {groups!r}")
    g = n if groups == -1 else groups
    if g > n:
        raise LayerConfigError(layer, "groups", f"{g} groups are more than the {n} channels on axis {axis}")
    if n % g:
        raise LayerConfigError(layer, "groups", f"the {n} channels on axis {axis} do not split into {g} groups")
    params = n * (int(bool(center)) + int(bool(scale)))
    return LayerInfo(layer, dims, params, params, 0, IDENTITY)


def unit_normalization(input_shape: Shape, axis: int | Sequence[int] = -1) -> LayerInfo:
    """keras.layers.UnitNormalization: each slice along ``axis`` scaled to unit length; no weights.

    Any axis of the input with the batch axis counted (even the batch axis) is accepted, as Keras does;
    an axis named twice makes TensorFlow's sum fail when the layer runs.
    """
    layer = "UnitNormalization"
    dims = shape(layer, input_shape)
    _axis_indices(layer, dims, axis)
    return LayerInfo(layer, dims, 0, 0, 0, IDENTITY)
