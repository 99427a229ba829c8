"""Inception module, step 2: pad the 3×3 and 5×5 branches

The second fix: `padding="same"` on the 3×3 and 5×5 convolutions, so that every branch keeps
the 28×28 grid and the four branches concatenate along the channel axis. The module now
builds, and the last mistake shows: `keras.Sequential` is given the module's output tensor
instead of a layer.
"""

import keras


def inception_module(x, f1, f3_reduce, f3, f5_reduce, f5, pool_proj):
    branch_1x1 = keras.layers.Conv2D(f1, (1, 1), activation="relu")(x)
    reduce_3x3 = keras.layers.Conv2D(f3_reduce, (1, 1), activation="relu")(x)
    branch_3x3 = keras.layers.Conv2D(f3, (3, 3), padding="same", activation="relu")(reduce_3x3)
    reduce_5x5 = keras.layers.Conv2D(f5_reduce, (1, 1), activation="relu")(x)
    branch_5x5 = keras.layers.Conv2D(f5, (5, 5), padding="same", activation="relu")(reduce_5x5)
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
