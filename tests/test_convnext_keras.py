"""ConvNeXtTiny and its 3×3-depthwise variant, built by Keras, against calc's figures (kernel_lab_mkdocs.convnext)."""

from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")

from kernel_lab_mkdocs import convnext  # noqa: E402


def test_keras_counts_what_calc_counts_for_both_kernel_sizes() -> None:
    keras.backend.clear_session()  # layer names as a fresh process gives them (input_layer, not input_layer_3)
    model = keras.applications.ConvNeXtTiny(weights=None)
    full = json.loads(model.to_json())
    variant = keras.Model.from_config(convnext.with_depthwise_kernel(full, 3)["config"])
    shipped = convnext.analyse()  # the site's compact config, as the page uses it
    for built, ours, from_keras in zip((model, variant), shipped, convnext.analyse(full), strict=True):
        assert built.count_params() == ours.summary.params == ours.total("params")
        assert from_keras.summary.to_dict() == ours.summary.to_dict()
        rows = {r.name: r for r in ours.summary.layers}
        shapes = [(layer.name, list(layer.output.shape)) for layer in built.layers]
        assert shapes == [(name, [None, *(rows[name].output_shape or ())]) for name, _ in shapes]
        depthwise = [layer.kernel_size for layer in built.layers if layer.name.endswith("_depthwise_conv")]
        assert depthwise == [ours.kernel_size] * ours.count(convnext.DEPTHWISE)
