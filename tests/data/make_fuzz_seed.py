"""Writes tests/data/fuzz_seed.json: a small Keras 3 model config (merges, a nested model, a shared layer, strides,
dilation, padding and pooling) that the analyzer fuzz test mutates. Run with the project's .venv:

    .venv/bin/python tests/data/make_fuzz_seed.py
"""

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    import keras
    from keras import layers

    inp = keras.Input((20, 18, 3), name="image")
    x = layers.ZeroPadding2D(((1, 0), (0, 1)))(inp)
    x = layers.Conv2D(8, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    a = layers.DepthwiseConv2D(3, padding="same", dilation_rate=2)(x)
    b = layers.SeparableConv2D(8, (1, 3), padding="same")(x)
    x = layers.Add()([a, b])
    shared = layers.Conv2D(8, 1, name="shared")
    x = layers.Concatenate()([shared(x), shared(layers.ReLU()(x))])
    inner = keras.Sequential([layers.Conv2D(4, 3), layers.MaxPooling2D(2, padding="same")], name="inner")
    x = inner(x)
    x = layers.Cropping2D(((0, 1), (1, 0)))(x)
    x = layers.GlobalAveragePooling2D()(x)
    out = layers.Dense(5)(layers.Dropout(0.1)(x))
    model = keras.Model(inp, out, name="fuzz_seed")
    path = Path(__file__).with_name("fuzz_seed.json")
    path.write_text(json.dumps(json.loads(model.to_json()), indent=1) + "\n")
    print(f"wrote {path} ({model.count_params()} params)")


if __name__ == "__main__":
    main()
