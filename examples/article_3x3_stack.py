"""Three stacked 3×3 convolutions

The article's second example: three `Conv2D` layers with 3×3 kernels and 32, 32 and 64
filters on the same 256×256 RGB input. Each 'valid' 3×3 layer trims one pixel from every
border, so after three of them the output is as large as after one 7×7 layer, and each
output pixel again sees a 7×7 window of the image.
"""

import keras

model = keras.Sequential(
    [
        keras.Input(shape=(256, 256, 3)),
        keras.layers.Conv2D(32, (3, 3), activation="relu"),
        keras.layers.Conv2D(32, (3, 3), activation="relu"),
        keras.layers.Conv2D(64, (3, 3), activation="relu"),
    ],
    name="stacked_3x3",
)
model.summary()
