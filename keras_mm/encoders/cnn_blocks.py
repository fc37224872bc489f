"""Shared pieces of the convolutional encoders: conv blocks and pooling."""

import keras

from keras_mm.encoders.film import FiLM
from keras_mm.encoders.positional_pooling import positional_pooling

POOLINGS = ("avg", "max", "flatten", "positional", None)


def check_pooling(pooling, allowed=POOLINGS):
    if pooling not in allowed:
        raise ValueError(
            f"Expected `pooling` to be one of {allowed}. Received: {pooling}"
        )


def conv2d_blocks(
    x,
    filters,
    kernel_size,
    padding,
    activation,
    normalization=False,
    condition=None,
):
    """`[Conv2D -> MaxPooling2D(2)] x len(filters)` on a feature map.

    With `normalization`, each convolution is followed by
    `BatchNormalization` before its activation. With a `condition`
    tensor `(batch, dim)`, a `FiLM` layer modulates each block's maps
    before the activation.
    """
    modulated = condition is not None
    for i, num_filters in enumerate(filters):
        x = keras.layers.Conv2D(
            num_filters,
            kernel_size,
            padding=padding,
            activation=None if normalization or modulated else activation,
            use_bias=not normalization,
            name=f"conv_{i}",
        )(x)
        if normalization:
            # Momentum 0.9, not Keras' 0.99: the moving statistics must
            # settle within the few hundred steps of a small dataset.
            x = keras.layers.BatchNormalization(momentum=0.9, name=f"norm_{i}")(
                x
            )
        if modulated:
            x = FiLM(name=f"film_{i}")(x, condition)
        if normalization or modulated:
            x = keras.layers.Activation(activation, name=f"act_{i}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool_{i}")(x)
    return x


def pool_features(x, pooling):
    """Pool a feature map or sequence to `(batch, dim)`, or keep tokens.

    Args:
        x: tensor `(batch, height, width, dim)` or `(batch, steps, dim)`.
        pooling: str or None. `"avg"` or `"max"` (global pooling),
            `"flatten"`, `"positional"` (`positional_pooling`: each
            position gets a learned embedding before a Dense+ReLU and a
            global max), or `None` for one token per position,
            `(batch, positions, dim)`.
    """
    check_pooling(pooling)
    two_d = len(x.shape) == 4
    if pooling == "positional":
        cells = keras.layers.Reshape((-1, x.shape[-1]))(x)
        return positional_pooling(cells, 2 * x.shape[-1], "max", "grid")
    if pooling == "avg":
        layer = (
            keras.layers.GlobalAveragePooling2D
            if two_d
            else (keras.layers.GlobalAveragePooling1D)
        )
        return layer()(x)
    if pooling == "max":
        layer = (
            keras.layers.GlobalMaxPooling2D
            if two_d
            else (keras.layers.GlobalMaxPooling1D)
        )
        return layer()(x)
    if pooling == "flatten":
        return keras.layers.Flatten()(x)
    if two_d:
        # (batch, height * width, dim): one token per grid cell.
        return keras.layers.Reshape((-1, x.shape[-1]))(x)
    return x
