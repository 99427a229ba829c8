"""One 7×7 convolution

The article's first example: a single `Conv2D` with 64 filters of size 7×7 reading a
256×256 RGB image, with ReLU and the default `padding="valid"`. Every output pixel of this
layer sees a 7×7 window of the image, so its receptive field is 7×7 after one layer.
"""

import keras

model = keras.Sequential(
    [
        keras.Input(shape=(256, 256, 3)),
        keras.layers.Conv2D(64, (7, 7), activation="relu"),
    ],
    name="single_7x7",
)
model.summary()
