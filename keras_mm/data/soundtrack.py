"""Soundtracks: the first audio stream of a video file, decoded by PyAV.

An `audio` cell may name a video file (mp4, webm, mkv, mov, avi), which
libsndfile does not read. Its first audio stream is decoded and mixed
to mono here; `keras_mm.data.audio` resamples it as any other clip. A
video with no audio stream has no soundtrack: `soundtrack_header`
returns None, and a model that allows absent modalities reads the row
as audio absent.
"""

import functools
import os

import av
import numpy as np


def soundtrack_header(path):
    """`(sample_rate, frames)` of a file's first audio stream, or None.

    None: the file is a video with no audio stream.

    Raises:
        ValueError: if PyAV cannot open the file, or it has neither an
            audio nor a video stream.
    """
    stat = os.stat(path)
    return _header(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _header(path, size, mtime):
    # The size and time in the key: a file rewritten is read again.
    try:
        with av.open(path) as container:
            if not container.streams.audio:
                if container.streams.video:
                    return None
                raise ValueError(f"file {path} has no audio stream")
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate
            seconds = _seconds(stream, container)
    except av.error.FFmpegError as e:
        raise ValueError(
            f"could not decode audio file {path} ({e.strerror or e})"
        ) from None
    return rate, int(round(seconds * rate))


def read_soundtrack(path):
    """`(mono, sample_rate)`: a file's first audio stream, as float32.

    Example:
    >>> import tempfile
    >>> from keras_mm.data.video import write_video
    >>> path = tempfile.mkdtemp() + "/clip.mp4"
    >>> write_video(path, np.zeros((4, 16, 16, 3), np.uint8),
    ...             audio=np.zeros(8000), sample_rate=16000)
    >>> mono, rate = read_soundtrack(path)
    >>> rate, mono.dtype
    (16000, dtype('float32'))
    """
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise ValueError(f"file {path} has no audio stream")
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate
            mono = av.AudioResampler(format="flt", layout="mono", rate=rate)
            pieces = [
                piece.to_ndarray()[0]
                for frame in container.decode(stream)
                for piece in mono.resample(frame)
            ]
            pieces += [piece.to_ndarray()[0] for piece in mono.resample(None)]
    except av.error.FFmpegError as e:
        raise ValueError(
            f"could not decode audio file {path} ({e.strerror or e})"
        ) from None
    if not pieces:
        return np.zeros(0, np.float32), rate
    return np.concatenate(pieces).astype(np.float32), rate


def _seconds(stream, container):
    if stream.duration is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0
