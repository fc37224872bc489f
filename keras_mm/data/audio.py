"""Audio files: one check and one in-graph reader, for every format.

A plain 16-bit PCM WAV is read by TensorFlow's `decode_wav`, inside the
graph; any other file that libsndfile reads (WAV in other sample formats
or with a WAVE_FORMAT_EXTENSIBLE header, FLAC, OGG/Vorbis, Opus, MP3) by
`soundfile`, and the soundtrack of a video file by PyAV (see
`keras_mm.data.soundtrack`), through `tf.numpy_function`. The check and
the pipeline choose between them by the same header tests.
"""

import pathlib
import re
import struct
import wave

import numpy as np
import soundfile
import tensorflow as tf

from keras_mm.data.soundtrack import read_soundtrack
from keras_mm.data.soundtrack import soundtrack_header

# Sampling rates outside this range are a damaged header: 0 Hz decodes to
# silence, 1 Hz upsamples one second of audio to hours.
MIN_RATE = 1000
MAX_RATE = 384_000
HEADER_BYTES = 36
# Bytes 0-3 "RIFF", 8-15 "WAVEfmt ", 16-19 the fmt chunk's size (16 or
# 18), 20-21 format 1 (PCM), 34-35 16 bits a sample; the rest may vary.
_PLAIN = [
    b"RIFF\0\0\0\0WAVEfmt "
    + struct.pack("<IH", size, 1)
    + bytes(12)
    + b"\x10\0"
    for size in (16, 18)
]
_COMPARED = np.array(
    [1] * 4 + [0] * 4 + [1] * 14 + [0] * 12 + [1] * 2, dtype=bool
)


def is_plain_wav(header):
    """Whether a file starting with `header` is a plain 16-bit PCM WAV.

    Those are the files TensorFlow's `decode_wav` reads.

    Example:
    >>> import io, soundfile
    >>> f = io.BytesIO()
    >>> soundfile.write(f, [0.0] * 8, 8000, format="WAV", subtype="PCM_16")
    >>> is_plain_wav(f.getvalue()[:36])
    True
    """
    head = np.frombuffer(header[:HEADER_BYTES], np.uint8)
    if head.size < HEADER_BYTES:
        return False
    return any(
        np.array_equal(head[_COMPARED], np.frombuffer(p, np.uint8)[_COMPARED])
        for p in _PLAIN
    )


def _is_plain_wav_tensor(contents):
    """`is_plain_wav` on a string tensor, in the graph."""
    # Shorter files are padded with zeros, which no plain header has.
    head = tf.io.decode_raw(
        tf.strings.substr(contents, 0, HEADER_BYTES),
        tf.uint8,
        fixed_length=HEADER_BYTES,
    )
    ignored = tf.constant(~_COMPARED)
    return tf.reduce_any(
        [
            tf.reduce_all((head == np.frombuffer(p, np.uint8)) | ignored)
            for p in _PLAIN
        ]
    )


def audio_info(path):
    """`(sample_rate, frames)` from the header of the audio file at `path`.

    Raises:
        ValueError: if the file is not audio that can be read.
    """
    return _header(path)[1:3]


def _header(path):
    """`(kind, sample_rate, frames, log)` of the audio file at `path`.

    `kind`: `"wav"` for a WAV that `decode_wav` reads (`is_plain_wav`),
    `"sndfile"` for other files libsndfile reads, `"video"` for a video
    file's soundtrack (whose `frames` is an estimate); `log`:
    libsndfile's log of the header.
    """
    with open(path, "rb") as f:
        plain = is_plain_wav(f.read(HEADER_BYTES))
    if plain:
        try:
            with wave.open(str(path), "rb") as f:
                return "wav", f.getframerate(), f.getnframes(), ""
        except (wave.Error, EOFError) as e:
            raise ValueError(f"could not decode WAV {path} ({e})") from None
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError) as e:
        return "video", *_video_header(path, e), ""
    return "sndfile", info.samplerate, info.frames, info.extra_info


def _video_header(path, error):
    """`(sample_rate, frames)` of a video's soundtrack (see `_header`)."""
    try:
        header = soundtrack_header(path)
    except ValueError:
        raise ValueError(
            f"could not decode audio file {path} ({error})"
        ) from None
    if header is None:
        raise SoundlessVideo(f"video file {path} has no audio stream")
    return header


class SoundlessVideo(ValueError):
    """An audio cell names a video file with no audio stream."""


def soundless(path):
    """Whether `path` is a video file with no audio stream.

    Such a cell means audio absent: `AudioReader` reads it so where a
    model allows absent modalities, and names it otherwise.
    """
    try:
        _header(path)
    except SoundlessVideo:
        return True
    except (OSError, ValueError):
        return False  # Not a soundless video; the checks name the error.
    return False


def check_audio(path):
    """Raise `ValueError` unless `load_audio` can read the file at `path`.

    The header's sampling rate must be within 1 kHz to 384 kHz; it is read
    before anything is decoded. The file is then decoded by the reader
    the pipeline uses for it, so a file that passes never fails
    mid-training.

    Returns:
        The file's sampling rate in Hz.
    """
    if not pathlib.Path(path).is_file():
        raise ValueError(f"audio file not found: {path}")
    kind, rate, frames, log = _header(path)
    if frames == 0 or not _complete(path, kind, log):
        raise ValueError(f"audio file {path} is empty or truncated")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ValueError(
            f"audio file {path}: its header gives a sampling rate of {rate} "
            f"Hz, outside {MIN_RATE} to {MAX_RATE} Hz; the header is damaged"
        )
    contents = tf.io.read_file(str(path))
    try:
        audio, _ = _decode(contents, tf.constant(str(path)))
    except tf.errors.OpError as e:
        # Drop TensorFlow's "{{function_node ...}}" and "[Op:...]" parts.
        message = re.sub(r"\{\{.*?\}\}|\[Op:.*", "", e.message).strip()
        raise ValueError(
            f"could not decode audio file {path} ({message}); re-save it "
            "as a plain 16-bit PCM WAV (e.g. `sox IN -b 16 OUT.wav`)"
        ) from None
    # Compressed files whose end is cut decode to fewer frames than their
    # header gives (1%: an MP3's count may be an estimate; a video's
    # soundtrack has no count to compare, only an estimate).
    exact = kind != "video"
    if audio.shape[0] == 0 or exact and audio.shape[0] < 0.99 * frames:
        raise ValueError(f"audio file {path} is empty or truncated")
    return rate


def _complete(path, kind, log):
    """Whether a WAV holds the data its header gives (other formats:
    True; their decoder tells)."""
    if kind == "wav":
        with wave.open(str(path), "rb") as f:
            expected = f.getnframes() * f.getnchannels() * f.getsampwidth()
            return len(f.readframes(f.getnframes())) == expected
    # libsndfile reads what a cut WAV holds, and logs the header's size:
    # "data : 48000 (should be 23978)".
    cut = re.search(r"^data : (\d+) \(should be (\d+)\)", log, re.M)
    return not cut or int(cut[2]) >= int(cut[1])


def _read_other(path):
    path = np.asarray(path).item().decode()
    try:
        audio, rate = soundfile.read(path, dtype="float32")
    except (soundfile.LibsndfileError, RuntimeError):
        mono, rate = read_soundtrack(path)
        return mono, np.int32(rate)
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    return mono.astype("float32"), np.int32(rate)


def _decode(contents, path):
    """`(mono, rate)`: a float32 waveform in `[-1, 1]` and its rate."""

    def plain():
        audio, rate = tf.audio.decode_wav(contents)
        return tf.reduce_mean(audio, axis=-1), rate

    def other():
        mono, rate = tf.numpy_function(
            _read_other, [path], [tf.float32, tf.int32]
        )
        return tf.ensure_shape(mono, (None,)), tf.ensure_shape(rate, ())

    return tf.cond(_is_plain_wav_tensor(contents), plain, other)


def load_audio(path, num_samples, sample_rate):
    """Read an audio file inside a tf.data graph as a fixed-length waveform.

    Channels are averaged, other sampling rates are resampled (antialiased
    linear interpolation), and the clip is cropped or zero-padded at the end
    to `num_samples`.

    Args:
        path: scalar string tensor.
        num_samples: int or None. Output length; None: the whole clip.
        sample_rate: int. Output sampling rate in Hz.

    Returns:
        A float32 tensor `(num_samples,)` with values in `[-1, 1]`.
    """
    mono = load_waveform(path, sample_rate)
    if num_samples is None:
        return mono
    mono = mono[:num_samples]
    mono = tf.pad(mono, [[0, num_samples - tf.size(mono)]])
    return tf.ensure_shape(mono, (num_samples,))


def load_waveform(path, sample_rate):
    """The whole clip of an audio file as a mono float32 waveform, in-graph.

    Args:
        path: scalar string tensor.
        sample_rate: int. Output sampling rate in Hz.

    Returns:
        A float32 tensor `(samples,)` with values in `[-1, 1]`.
    """
    mono, rate = _decode(tf.io.read_file(path), path)
    return resample(mono, rate, sample_rate)


def resample(mono, rate, sample_rate):
    """A waveform at `rate` Hz resampled to `sample_rate` (in-graph).

    Antialiased linear interpolation, as an image resize along time.
    """

    def resized():
        scale = sample_rate / tf.cast(rate, tf.float32)
        length = tf.cast(tf.size(mono), tf.float32) * scale
        length = tf.maximum(tf.cast(tf.round(length), tf.int32), 1)
        # A (samples, 1, 1) "image" resized along its height.
        image = tf.image.resize(
            mono[:, None, None], (length, 1), antialias=True
        )
        return image[:, 0, 0]

    return tf.cond(tf.equal(rate, sample_rate), lambda: mono, resized)
