# Named exceptions. Every one is a ValueError, so callers that only know
# "bad input" can catch that, and each message is one line.

from __future__ import annotations

__all__ = ["CalcError", "LayerConfigError", "NoEffectiveFieldError", "UnsupportedError"]


class CalcError(ValueError):
    """Base class of every error calc raises on bad input. Its message is always one line: line breaks
    that come in with the input (a layer name, a value) are shown as ``\\n``."""

    def __init__(self, message: str) -> None:
        super().__init__("\\n".join(str(message).splitlines()))


class LayerConfigError(CalcError):
    """A layer configuration that Keras itself rejects.

    Attributes:
        layer: The Keras class name, e.g. ``"Conv2D"``.
        argument: The offending argument, e.g. ``"strides"``.
    """

    def __init__(self, layer: str, argument: str, reason: str) -> None:
        self.layer = layer
        self.argument = argument
        self.reason = reason
        super().__init__(f"{layer}: {argument}: {reason}")


class UnsupportedError(CalcError):
    """Valid Keras, but outside what calc models (an unknown layer class, a Concatenate on the batch axis, ...)."""


class NoEffectiveFieldError(CalcError):
    """A chain whose effective field calc cannot list: empty, a layer without a position-independent window
    (strided Conv2DTranspose, UpSampling2D, global pooling, Flatten, ...), or a field longer than
    ``calc._effective.MAX_PROFILE_SIZE`` pixels on an axis.

    Attributes:
        layer: The Keras class name of the layer at fault (``"Window"`` for a bare Window), or None.
        index: Its position in the chain (0 = first), or None.
    """

    def __init__(self, message: str, layer: str | None = None, index: int | None = None) -> None:
        self.layer = layer
        self.index = index
        super().__init__(message)
