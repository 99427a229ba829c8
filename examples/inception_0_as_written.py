"""Inception module, as the article wrote it

This script keeps the three mistakes of the article's Inception example, so that they can be
seen failing: the tensor `x` that the module is applied to is never defined (a comment stands
where the earlier layers would go); the 3×3 and 5×5 branches keep Keras' default
`padding="valid"`, so the four branches come out at different heights and widths and cannot
be concatenated; and the module's output, a tensor, is put in a `keras.Sequential` list, which
only takes layers. Python stops at the first of them.
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


model = keras.Sequential(
    [
        # (earlier layers would go here; nothing defines x)
        inception_module(x, 64, 96, 128, 16, 32, 32),  # noqa: F821
    ]
)
model.summary()
