import pathlib
import wave

import tensorflow as tf


def check_wav(path):
    """Raise `ValueError` unless `load_audio` can read the WAV at `path`.

    The file is decoded with the pipeline's own decoder (TensorFlow's
    `decode_wav`), so a file that passes never fails mid-training.

    Returns:
        The file's sampling rate in Hz.
    """
    if not pathlib.Path(path).is_file():
        raise ValueError(f"audio file not found: {path}")
    try:
        with wave.open(str(path), "rb") as f:
            width, frames = f.getsampwidth(), f.getnframes()
            data = f.readframes(frames)
            complete = len(data) == frames * f.getnchannels() * width
    except (wave.Error, EOFError) as e:
        raise ValueError(f"could not decode WAV {path} ({e})") from None
    if width != 2:
        raise ValueError(
            f"expected 16-bit PCM WAV. Received: {8 * width}-bit in {path}"
        )
    if frames == 0 or not complete:
        raise ValueError(f"WAV {path} is empty or truncated")
    try:
        _, rate = tf.audio.decode_wav(tf.io.read_file(str(path)))
    except tf.errors.OpError as e:
        raise ValueError(
            f"could not decode WAV {path} ({e.message}); re-save it as a "
            "plain 16-bit PCM WAV (e.g. `sox IN -b 16 OUT.wav`)"
        ) from None
    return int(rate)


def load_audio(path, num_samples, sample_rate):
    """Read a WAV inside a tf.data graph as a fixed-length mono waveform.

    Channels are averaged, other sampling rates are resampled (antialiased
    linear interpolation), and the clip is cropped or zero-padded at the end
    to `num_samples`.

    Args:
        path: scalar string tensor.
        num_samples: int. Output length.
        sample_rate: int. Output sampling rate in Hz.

    Returns:
        A float32 tensor `(num_samples,)` with values in `[-1, 1]`.
    """
    audio, rate = tf.audio.decode_wav(tf.io.read_file(path))
    mono = tf.reduce_mean(audio, axis=-1)

    def resample():
        scale = sample_rate / tf.cast(rate, tf.float32)
        length = tf.cast(tf.size(mono), tf.float32) * scale
        length = tf.maximum(tf.cast(tf.round(length), tf.int32), 1)
        # A (samples, 1, 1) "image" resized along its height.
        resized = tf.image.resize(
            mono[:, None, None], (length, 1), antialias=True
        )
        return resized[:, 0, 0]

    mono = tf.cond(tf.equal(rate, sample_rate), lambda: mono, resample)
    mono = mono[:num_samples]
    mono = tf.pad(mono, [[0, num_samples - tf.size(mono)]])
    return tf.ensure_shape(mono, (num_samples,))
