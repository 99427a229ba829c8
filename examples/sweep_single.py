"""Sweep: one k×k convolution

One `Conv2D` with a k×k kernel, for k = 1, 3, 5, 7, 9 and 11, at five channel widths: a first
layer (3 channels in, 64 out) and C = K = 32, 64, 128 and 256 channels in and out. The input
is a 28×28 feature map, the size at which a VGG- or ResNet-style network fed 224×224 images
works in its third stage. 'valid' padding, as in the article: the layer's receptive field is
k×k and its output (28 − k + 1)².
"""

import keras

SIZE = 28
WIDTHS = [(3, 64), (32, 32), (64, 64), (128, 128), (256, 256)]
KERNELS = [1, 3, 5, 7, 9, 11]

for c_in, c_out in WIDTHS:
    for k in KERNELS:
        model = keras.Sequential(
            [
                keras.Input(shape=(SIZE, SIZE, c_in)),
                keras.layers.Conv2D(c_out, (k, k), activation="relu"),
            ],
            name=f"single_{k}x{k}_c{c_in}_k{c_out}",
        )
        model.summary()
