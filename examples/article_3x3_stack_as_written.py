# ruff: noqa: F401
# fmt: off
"""Three stacked 3×3 convolutions

The article's second example, run exactly as the article prints it: three `Conv2D` layers
with 3×3 kernels and 32, 32 and 64 filters, the first told the 256×256 RGB image size by
`input_shape=(256, 256, 3)`. Each 'valid' 3×3 layer trims one pixel from every border, so
the three together shrink the image as much as one 7×7 layer does, and each output pixel
again sees a 7×7 window of the image. As in the first example, Keras 3 warns about
`input_shape` and the placeholder comment adds nothing.
"""

import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([
    keras.layers.Conv2D(32, (3, 3), activation='relu', input_shape=(256, 256, 3)),
    keras.layers.Conv2D(32, (3, 3), activation='relu'),
    keras.layers.Conv2D(64, (3, 3), activation='relu'),
    # ... subsequent layers ...
])

model.summary()
