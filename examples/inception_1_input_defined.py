"""Inception module, step 1: give the module an input

The first fix: define `x` as a `keras.Input` of shape 28×28×192 (the input of GoogLeNet's
first Inception block, whose filter counts the article uses). The module now gets as far as
its last line: the 'valid' 3×3 branch is 26×26 and the 'valid' 5×5 branch 24×24, while the
1×1 and pooling branches stay 28×28, and `concatenate` refuses tensors whose heights and
widths differ.
"""

import keras


def inception_module(x, f1, f3_reduce, f3, f5_reduce, f5, pool_proj):
    branch_1x1 = keras.layers.Conv2D(f1, (1, 1), activation="relu")(x)
    reduce_3x3 = keras.layers.Conv2D(f3_reduce, (1, 1), activation="relu")(x)
    branch_3x3 = keras.layers.Conv2D(f3, (3, 3), activation="relu")(reduce_3x3)
    reduce_5x5 = keras.layers.Conv2D(f5_reduce, (1, 1), activation="relu")(x)
    branch_5x5 = keras.layers.Conv2D(f5, (5, 5), activation="relu")(reduce_5x5)
    pooled = keras.layers.MaxPooling2D((3, 3), strides=(1, 1), padding="same")(x)
    pool_proj = keras.layers.Conv2D(pool_proj, (1, 1), activation="relu")(pooled)
    return keras.layers.concatenate([branch_1x1, branch_3x3, branch_5x5, pool_proj], axis=3)


x = keras.Input(shape=(28, 28, 192))
model = keras.Sequential(
    [
        inception_module(x, 64, 96, 128, 16, 32, 32),
    ]
)
model.summary()
