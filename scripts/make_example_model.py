"""Write the analyzer page's example model (docs/assets/models/two-stems.json) with real Keras.

Two stems side by side on one input: a 7×7 stride-2 Conv2D, and three stacked 3×3 Conv2D (the first with
stride 2), each followed by BatchNormalization and ReLU, then concatenated. Run it again after a Keras upgrade:
    .venv/bin/python scripts/make_example_model.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

OUT = Path(__file__).resolve().parents[1] / "docs" / "assets" / "models" / "two-stems.json"


def build() -> Any:
    import keras
    from keras import layers

    inputs = keras.Input((224, 224, 3), name="image")
    a = layers.Conv2D(64, 7, strides=2, padding="same", use_bias=False, name="stem_7x7")(inputs)
    a = layers.BatchNormalization(name="stem_7x7_bn")(a)
    a = layers.ReLU(name="stem_7x7_relu")(a)
    b = inputs
    for i, stride in enumerate((2, 1, 1), start=1):
        b = layers.Conv2D(64, 3, strides=stride, padding="same", use_bias=False, name=f"stem_3x3_{i}")(b)
        b = layers.BatchNormalization(name=f"stem_3x3_{i}_bn")(b)
        b = layers.ReLU(name=f"stem_3x3_{i}_relu")(b)
    out = layers.Concatenate(name="both")([a, b])
    return keras.Model(inputs, out, name="two_stems")


if __name__ == "__main__":
    model = build()
    OUT.write_text(json.dumps(json.loads(model.to_json()), separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes); Keras counts {model.count_params()} parameters")
