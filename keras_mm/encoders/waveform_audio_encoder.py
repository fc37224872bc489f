import keras

from keras_mm.encoders.cnn_blocks import check_pooling
from keras_mm.encoders.cnn_blocks import pool_features


def waveform_audio_encoder(
    audio_length=8000,
    filters=(64, 64),
    kernel_size=3,
    activation="relu",
    pool_size=2,
    pooling="avg",
    name="audio_encoder",
):
    """1D convolutional encoder over the raw waveform (Article C's branch).

    `Reshape` adds the channel axis the article forgot, then
    `[Conv1D] x N -> MaxPooling1D` and a global pooling.

    Args:
        audio_length: int. Samples per clip (mono, floats in `[-1, 1]`).
        filters: tuple of int. Filters of each Conv1D layer.
        kernel_size: int. Convolution kernel size.
        activation: str. Activation of the convolutions.
        pool_size: int. Size of the max pooling after the convolutions.
        pooling: str or None. `"avg"` or `"max"` return `(batch, filters)`;
            `None` returns the sequence `(batch, steps, filters)`.
        name: str. Name of the returned model.

    Returns:
        A `keras.Model` from an `"audio"` input to the features.

    Example:
    >>> encoder = waveform_audio_encoder(400, filters=(8, 8))
    >>> keras.ops.shape(encoder(np.zeros((2, 400))))
    (2, 8)
    """
    check_pooling(pooling, ("avg", "max", None))
    audio = keras.Input(shape=(audio_length,), name="audio")
    x = keras.layers.Reshape((audio_length, 1))(audio)
    for i, num_filters in enumerate(filters):
        x = keras.layers.Conv1D(
            num_filters,
            kernel_size,
            padding="same",
            activation=activation,
            name=f"conv_{i}",
        )(x)
    x = keras.layers.MaxPooling1D(pool_size)(x)
    x = pool_features(x, pooling)
    return keras.Model(audio, x, name=name)
