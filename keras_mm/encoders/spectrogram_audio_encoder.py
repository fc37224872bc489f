import keras

from keras_mm.encoders.cnn_blocks import check_pooling
from keras_mm.encoders.cnn_blocks import conv2d_blocks
from keras_mm.encoders.cnn_blocks import pool_features


def spectrogram_audio_encoder(
    audio_length=8000,
    sample_rate=8000,
    num_mel_bins=40,
    fft_length=256,
    sequence_stride=128,
    filters=(16, 32),
    kernel_size=3,
    pooling="avg",
    name="audio_encoder",
):
    """Log-mel spectrogram followed by a 2D CNN.

    The spectrogram is computed inside the model with
    `keras.layers.MelSpectrogram`, so clients feed the raw waveform, and is
    normalized per clip so that loudness does not dominate.

    Args:
        audio_length: int. Samples per clip (mono, floats in `[-1, 1]`).
        sample_rate: int. Sampling rate of the clips in Hz.
        num_mel_bins: int. Number of mel bands.
        fft_length: int. FFT size (also the window length).
        sequence_stride: int. Hop between frames, in samples.
        filters: tuple of int. Filters of each `Conv2D -> MaxPooling2D` block.
        kernel_size: int. Convolution kernel size.
        pooling: str or None. `"avg"` or `"max"` return `(batch, filters)`;
            `None` returns one token per grid cell,
            `(batch, cells, filters[-1])`.
        name: str. Name of the returned model.

    Returns:
        A `keras.Model` from an `"audio"` input to the features.

    Example:
    >>> encoder = spectrogram_audio_encoder(800, filters=(4,))
    >>> encoder(np.zeros((2, 800))).shape
    (2, 4)
    """
    check_pooling(pooling, ("avg", "max", None))
    audio = keras.Input(shape=(audio_length,), name="audio")
    # (batch, num_mel_bins, frames), in dB.
    x = keras.layers.MelSpectrogram(
        fft_length=fft_length,
        sequence_stride=sequence_stride,
        sequence_length=fft_length,
        sampling_rate=sample_rate,
        num_mel_bins=num_mel_bins,
    )(audio)
    x = keras.layers.Reshape((*x.shape[1:], 1))(x)
    x = keras.layers.LayerNormalization(axis=(1, 2), name="clip_norm")(x)
    x = conv2d_blocks(x, filters, kernel_size, "same", "relu")
    x = pool_features(x, pooling)
    return keras.Model(audio, x, name=name)
