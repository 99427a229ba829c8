"""Sweep: stacked 3×3 convolutions with the receptive field of one k×k

(k − 1) / 2 `Conv2D` layers with 3×3 kernels, for k = 3, 5, 7, 9 and 11: each 'valid' 3×3
layer widens the receptive field by 2 pixels and trims 1 pixel from every border, so the stack
ends with the receptive field and the output size of one k×k layer. The first layer maps the
input's channels to K, the others K to K, each followed by ReLU. Same input size and widths
as the single-layer sweep.
"""

import keras

SIZE = 28
WIDTHS = [(3, 64), (32, 32), (64, 64), (128, 128), (256, 256)]
KERNELS = [3, 5, 7, 9, 11]

for c_in, c_out in WIDTHS:
    for k in KERNELS:
        depth = (k - 1) // 2
        model = keras.Sequential(
            [keras.Input(shape=(SIZE, SIZE, c_in))]
            + [keras.layers.Conv2D(c_out, (3, 3), activation="relu") for _ in range(depth)],
            name=f"stacked_{depth}x3x3_c{c_in}_k{c_out}",
        )
        model.summary()
