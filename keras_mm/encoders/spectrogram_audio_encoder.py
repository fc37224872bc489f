import keras

from keras_mm.encoders.augmentation import RandomMask
from keras_mm.encoders.augmentation import RandomShift
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
    normalization=False,
    augmentation=False,
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
        pooling: str or None. `"avg"` or `"max"` return `(batch, filters)`,
            `"flatten"` or `"positional"` a vector that keeps where in time
            and frequency things were; `None` returns one token per grid
            cell, `(batch, cells, filters[-1])`.
        normalization: bool. `BatchNormalization` after each convolution.
        augmentation: bool. While training, shift the spectrogram in time
            by up to 10% of the clip and erase a random time-frequency
            patch (SpecAugment-style masking), with Keras'
            `RandomTranslation` and `RandomErasing` (`RandomShift`,
            `RandomMask`).
        name: str. Name of the returned model.

    Returns:
        A `keras.Model` from an `"audio"` input to the features.

    Example:
    >>> encoder = spectrogram_audio_encoder(800, filters=(4,))
    >>> keras.ops.shape(encoder(np.zeros((2, 800))))
    (2, 4)
    """
    check_pooling(pooling)
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
    if augmentation:
        # (mel bins, frames, 1): width is time. 0 is the clip's mean level.
        x = RandomShift(0.0, 0.1, fill_mode="constant", name="time_shift")(x)
        x = RandomMask(
            0.5, fill_value=0.0, value_range=(-3, 3), name="spec_mask"
        )(x)
    x = conv2d_blocks(x, filters, kernel_size, "same", "relu", normalization)
    x = pool_features(x, pooling)
    return keras.Model(audio, x, name=name)
