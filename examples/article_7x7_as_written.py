# ruff: noqa: F401
# fmt: off
"""One 7×7 convolution

The article's first example, run exactly as the article prints it. It imports TensorFlow and
reaches Keras through it, and it tells the first `Conv2D` the image size with
`input_shape=(256, 256, 3)`. The layer has 64 filters of 7×7, ReLU, and Keras' default
`padding="valid"`, so every output pixel sees a 7×7 window of the 256×256 RGB image. The
comment that stands for further layers is only a comment: the model is this one layer.
Keras 3 builds it, and warns that `input_shape` on a layer is no longer the way to give a
model its input.
"""

import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([
    keras.layers.Conv2D(64, (7, 7), activation='relu', input_shape=(256, 256, 3)),
    # ... subsequent layers ...
])

model.summary()
