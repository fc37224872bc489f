"""Video files: frames sampled, resized and cropped by PyAV, in `tf.data`.

TensorFlow decodes no video, so PyAV (FFmpeg) does, through
`tf.numpy_function`: any container and codec its wheel bundles (mp4 and
mov with H.264 or H.265, webm and mkv with VP8, VP9 or AV1, avi,
animated GIF). A clip is decoded as a stream, frame after frame, and
only the frames a model reads are converted and kept, so memory holds
a few frames, never the whole video.
"""

import pathlib
import threading

import av
import numpy as np
import tensorflow as tf
from av.video.reformatter import VideoReformatter

# A clip whose decoded frames fall short of its header's count by more
# than this share is cut (a damaged or unfinished download).
TRUNCATED = 0.9
_local = threading.local()


def video_info(path):
    """`(frames, height, width)` of the first video stream of a file.

    `frames` comes from the header, or from counting the stream's
    packets where the container gives no count (webm, mkv).

    Raises:
        ValueError: if the file is missing, is not a video that PyAV
            opens, or has no video stream.
    """
    with _open(path) as container:
        stream = _video_stream(container, path)
        frames = stream.frames
        if not frames:
            frames = sum(1 for p in container.demux(stream) if p.size)
        return frames, stream.codec_context.height, stream.codec_context.width


def check_video(path):
    """Raise `ValueError` unless `load_video` can read the file at `path`.

    The whole clip is decoded once, so a file that passes never fails
    mid-training: a corrupt or truncated file, one with no video stream
    and one with no frame are refused.

    Returns:
        The number of frames decoded.
    """
    expected = video_info(path)[0]
    try:
        with _open(path) as container:
            decoded = sum(1 for _ in container.decode(video=0))
    except (av.error.FFmpegError, ValueError) as e:
        raise ValueError(
            f"could not decode video {path} ({_reason(e)})"
        ) from None
    if decoded == 0:
        raise ValueError(f"video {path} has no frame (shorter than one)")
    if decoded < TRUNCATED * expected:
        raise ValueError(
            f"video {path} is truncated: {decoded} frames decoded of the "
            f"{expected} its header gives"
        )
    return decoded


def read_frames(path, num_frames, height, width):
    """`num_frames` frames of a video, uniform over the clip, as uint8.

    Frame `i` of the output is the clip's frame at index
    `floor((i + 0.5) * count / num_frames)`: the middle of the `i`-th of
    `num_frames` equal stretches of frames (a clip of fewer frames
    repeats some). Each is resized, keeping its aspect, to cover
    `height` x `width`, then cropped about its centre.

    Args:
        path: str. The file.
        num_frames, height, width: int. The output's shape.

    Returns:
        A uint8 array `(num_frames, height, width, 3)` (RGB).

    Example:
    >>> import tempfile
    >>> path = tempfile.mkdtemp() + "/clip.mp4"
    >>> write_video(path, np.zeros((6, 32, 48, 3), np.uint8))
    >>> read_frames(path, 4, 16, 16).shape
    (4, 16, 16, 3)
    """
    out = np.zeros((num_frames, height, width, 3), np.uint8)
    filled = 0
    reformatter = _reformatter()
    with _open(path) as container:
        stream = _video_stream(container, path)
        # Containers without a count in their header are opened twice.
        wanted = sample_indices(
            stream.frames or video_info(path)[0], num_frames
        )
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            if index < wanted[filled]:
                continue
            image = _cover(reformatter, frame, height, width)
            while filled < num_frames and wanted[filled] <= index:
                out[filled] = image
                filled += 1
            if filled == num_frames:
                break
    if filled == 0:
        raise ValueError(f"video {path} has no frame (shorter than one)")
    # A header that over-counts: the last frames repeat the last decoded.
    out[filled:] = out[filled - 1]
    return out


def sample_indices(count, num_frames):
    """The frame indices `read_frames` keeps, from a clip of `count`.

    Example:
    >>> sample_indices(10, 4).tolist()
    [1, 3, 6, 8]
    """
    centres = (np.arange(num_frames) + 0.5) * max(count, 1) / num_frames
    return np.minimum(centres.astype(int), max(count, 1) - 1)


def load_video(path, video_shape):
    """Read one video inside a tf.data graph (see `read_frames`).

    Args:
        path: scalar string tensor.
        video_shape: tuple. `(frames, height, width, 3)`.

    Returns:
        A float32 tensor of `video_shape` with values in `[0, 255]`.
    """
    frames, height, width, _ = video_shape

    def read(name):
        name = np.asarray(name).item().decode()
        return read_frames(name, frames, height, width)

    video = tf.numpy_function(read, [path], tf.uint8, stateful=False)
    return tf.ensure_shape(tf.cast(video, tf.float32), video_shape)


def write_video(path, frames, fps=8, audio=None, sample_rate=16000):
    """Write frames (and a mono soundtrack) to an H.264/AAC video file.

    For tests, demos and benchmarks; the container follows the file's
    extension (`.mp4`, `.mkv`, `.mov`).

    Args:
        path: str. The file to write.
        frames: uint8 array `(frames, height, width, 3)`; even sides.
        fps: int. Frames a second.
        audio: float array `(samples,)` in `[-1, 1]`, or None.
        sample_rate: int. The soundtrack's rate in Hz.
    """
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.height, video.width = frames.shape[1:3]
        video.pix_fmt = "yuv420p"
        sound = None
        if audio is not None:
            sound = container.add_stream("aac", rate=sample_rate)
            sound.layout = "mono"
        for image in frames:
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode())
        if sound is not None:
            samples = np.asarray(audio, np.float32)[None]
            frame = av.AudioFrame.from_ndarray(
                samples, format="fltp", layout="mono"
            )
            frame.sample_rate = sample_rate
            container.mux(sound.encode(frame))
            container.mux(sound.encode())


def _reformatter():
    """This thread's converter, kept: a frame's own `to_ndarray` sets up
    FFmpeg's scaler for every frame, which took 2.5x the time."""
    if not hasattr(_local, "reformatter"):
        _local.reformatter = VideoReformatter()
    return _local.reformatter


def _cover(reformatter, frame, height, width):
    """A frame resized to cover `height` x `width`, centre-cropped."""
    scale = max(height / frame.height, width / frame.width)
    new_height = max(height, round(frame.height * scale))
    new_width = max(width, round(frame.width * scale))
    # Without a size, FFmpeg's unscaled path: a third faster, same pixels.
    size = {}
    if (new_height, new_width) != (frame.height, frame.width):
        size = dict(height=new_height, width=new_width, interpolation="AREA")
    image = reformatter.reformat(frame, format="rgb24", **size).to_ndarray()
    top = (new_height - height) // 2
    left = (new_width - width) // 2
    return image[top : top + height, left : left + width]


def _open(path):
    if not pathlib.Path(path).is_file():
        raise ValueError(f"video file not found: {path}")
    try:
        return av.open(str(path))
    except (av.error.FFmpegError, ValueError) as e:
        raise ValueError(
            f"could not open video {path} ({_reason(e)})"
        ) from None


def _video_stream(container, path):
    if not container.streams.video:
        container.close()
        raise ValueError(f"file {path} has no video stream")
    return container.streams.video[0]


def _reason(error):
    """FFmpeg's reason ("Invalid data found when processing input")."""
    return getattr(error, "strerror", None) or str(error)
