"""Inception module, corrected

The last fix: a branching block is not a stack, so it is built with the functional API:
`keras.Model(inputs, outputs)` from the input tensor to the concatenated output. The
pooling projection also gets its own name (`pool_proj` is both an argument and a tensor in
the article; that works, since the argument is read before the name is rebound, but it reads
as a slip). With the two fixes before it, this is GoogLeNet's block 3a: 28×28×192 in,
28×28×(64 + 128 + 32 + 32) out.
"""

import keras


def inception_module(x, f1, f3_reduce, f3, f5_reduce, f5, f_pool):
    branch_1x1 = keras.layers.Conv2D(f1, (1, 1), activation="relu")(x)
    reduce_3x3 = keras.layers.Conv2D(f3_reduce, (1, 1), activation="relu")(x)
    branch_3x3 = keras.layers.Conv2D(f3, (3, 3), padding="same", activation="relu")(reduce_3x3)
    reduce_5x5 = keras.layers.Conv2D(f5_reduce, (1, 1), activation="relu")(x)
    branch_5x5 = keras.layers.Conv2D(f5, (5, 5), padding="same", activation="relu")(reduce_5x5)
    pooled = keras.layers.MaxPooling2D((3, 3), strides=(1, 1), padding="same")(x)
    branch_pool = keras.layers.Conv2D(f_pool, (1, 1), activation="relu")(pooled)
    return keras.layers.concatenate([branch_1x1, branch_3x3, branch_5x5, branch_pool], axis=3)


inputs = keras.Input(shape=(28, 28, 192))
outputs = inception_module(inputs, 64, 96, 128, 16, 32, 32)
model = keras.Model(inputs, outputs, name="inception_3a")
model.summary()
