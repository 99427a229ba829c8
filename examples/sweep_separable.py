"""Sweep: a depthwise-separable k×k convolution

One `SeparableConv2D` with a k×k kernel, for k = 3, 5, 7, 9 and 11: a depthwise k×k filter
per input channel, then a 1×1 convolution that mixes the channels (the building block of
Xception and MobileNet). The receptive field is k×k, as for a plain k×k layer, with
k²·C + C·K weights instead of k²·C·K. Same input size and widths as the single-layer sweep.
"""

import keras

SIZE = 28
WIDTHS = [(3, 64), (32, 32), (64, 64), (128, 128), (256, 256)]
KERNELS = [3, 5, 7, 9, 11]

for c_in, c_out in WIDTHS:
    for k in KERNELS:
        model = keras.Sequential(
            [
                keras.Input(shape=(SIZE, SIZE, c_in)),
                keras.layers.SeparableConv2D(c_out, (k, k), activation="relu"),
            ],
            name=f"separable_{k}x{k}_c{c_in}_k{c_out}",
        )
        model.summary()
