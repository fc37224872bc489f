import keras

from keras_mm.encoders.augmentation import RandomShift
from keras_mm.encoders.cnn_blocks import check_pooling
from keras_mm.encoders.cnn_blocks import conv2d_blocks
from keras_mm.encoders.cnn_blocks import pool_features


def cnn_image_encoder(
    image_shape=(64, 64, 3),
    filters=(32, 64),
    kernel_size=3,
    padding="valid",
    activation="relu",
    pooling="avg",
    normalization=False,
    augmentation=False,
    output_dim=None,
    output_activation="relu",
    condition_dim=None,
    name="image_encoder",
):
    """Convolutional image encoder: `[Conv2D -> MaxPooling2D] x N`.

    The input holds pixel values in `[0, 255]`; the encoder rescales them.

    Args:
        image_shape: tuple. `(height, width, channels)` of the input.
        filters: tuple of int. Filters of each Conv2D block.
        kernel_size: int. Convolution kernel size.
        padding: str. `"valid"` or `"same"`.
        activation: str. Activation of the convolutions.
        pooling: str or None. `"avg"` or `"max"` (global pooling),
            `"flatten"` or `"positional"` (cells mixed with learned
            positions, then max-pooled: keeps where strokes are), to return
            `(batch, dim)`; `None` returns the feature map as a sequence
            `(batch, height * width, filters[-1])`.
        normalization: bool. `BatchNormalization` after each convolution.
        augmentation: bool. While training, shift images at random by up
            to 10% of their height and width (`RandomShift`).
        output_dim: int or None. Width of a final Dense projection.
        output_activation: str or None. Activation of that projection.
        condition_dim: int or None. Adds a `"condition"` input
            `(batch, condition_dim)` (a question's features, say) that
            modulates every block's maps (`FiLM`).
        name: str. Name of the returned model.

    Returns:
        A `keras.Model` from an `"image"` input (and the `"condition"`)
        to the features.

    Example:
    >>> encoder = cnn_image_encoder((28, 28, 1), filters=(8,))
    >>> keras.ops.shape(encoder(np.zeros((2, 28, 28, 1))))
    (2, 8)
    """
    check_pooling(pooling)
    if pooling is None and output_dim is not None:
        raise ValueError("`output_dim` needs a `pooling` other than None.")
    image = keras.Input(shape=image_shape, name="image")
    x = keras.layers.Rescaling(1.0 / 255.0)(image)
    if augmentation:
        x = RandomShift(0.1, 0.1, fill_mode="constant", name="random_shift")(x)
    condition = None
    if condition_dim is not None:
        condition = keras.Input(shape=(condition_dim,), name="condition")
    x = conv2d_blocks(
        x, filters, kernel_size, padding, activation, normalization, condition
    )
    x = pool_features(x, pooling)
    if output_dim is not None:
        x = keras.layers.Dense(
            output_dim, activation=output_activation, name="projection"
        )(x)
    inputs = image if condition is None else [image, condition]
    return keras.Model(inputs, x, name=name)
