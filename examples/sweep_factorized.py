"""Sweep: a k×k convolution factorized into k×1 and 1×k

A `Conv2D` with a k×1 kernel followed by one with a 1×k kernel (the factorization of
Inception-v3), for k = 3, 5, 7, 9 and 11. Together they see a k×k window, with 2k weights per
channel pair instead of k². The first maps the input's channels to K, the second K to K,
both with ReLU. Same input size and widths as the single-layer sweep.
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
                keras.layers.Conv2D(c_out, (k, 1), activation="relu"),
                keras.layers.Conv2D(c_out, (1, k), activation="relu"),
            ],
            name=f"factorized_{k}x1_1x{k}_c{c_in}_k{c_out}",
        )
        model.summary()
