# Layers defined by keras.applications itself (not in keras.layers) that its
# models' configs contain.

from __future__ import annotations

from collections.abc import Sequence

from calc._args import Shape, positive, shape
from calc._errors import LayerConfigError
from calc._layers import IDENTITY, LayerInfo, elementwise_merge

__all__ = ["custom_scale_layer", "layer_scale"]


def layer_scale(input_shape: Shape, projection_dim: int) -> LayerInfo:
    """ConvNeXt's LayerScale: x * gamma, one trainable gamma per channel (projection_dim of them)."""
    layer = "LayerScale"
    dims = shape(layer, input_shape)
    n = positive(layer, "projection_dim", projection_dim)
    if dims[-1] is not None and dims[-1] != n:
        raise LayerConfigError(layer, "projection_dim", f"{n} differs from the input's {dims[-1]} channels")
    return LayerInfo(layer, dims, n, n, 0, IDENTITY)


def custom_scale_layer(input_shapes: Sequence[Shape]) -> LayerInfo:
    """InceptionResNetV2's CustomScaleLayer: inputs[0] + inputs[1] * scale; no weights."""
    if not isinstance(input_shapes, (list, tuple)) or len(input_shapes) != 2:
        raise LayerConfigError("CustomScaleLayer", "inputs", "takes exactly 2 inputs")
    return elementwise_merge(input_shapes, class_name="CustomScaleLayer")
