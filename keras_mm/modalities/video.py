"""The `video` modality: video files, as a few frames sampled by PyAV."""

import math

import numpy as np

from keras_mm.data.video import check_video
from keras_mm.data.video import load_video
from keras_mm.data.video import video_info
from keras_mm.encoders.video_encoder import video_encoder
from keras_mm.modalities.modality import MediaReader
from keras_mm.modalities.modality import Modality

FILTERS = (16, 32, 64)
DEFAULT_SHAPE = (16, 64, 64, 3)
# Sizing reads the headers of up to `MAX_FILES` training clips and
# scales their median frame down to at most `MAX_PIXELS` pixels.
MAX_FILES = 64
MAX_PIXELS = 64 * 64


class VideoModality(Modality):
    """Video files in the `video` column, fed as `[0, 255]` RGB frames.

    Any file PyAV reads (mp4, mov, webm, mkv, avi, animated GIF). A
    clip becomes `frames` frames sampled uniformly over it (`--frames`,
    16 by default: the same count for a short clip and a long one), each
    resized to cover the model's frame size and centre-cropped (see
    `keras_mm.data.video.read_frames`). Sizing sets the frame size from
    the training clips, as for images. The model input is a float32
    tensor `(batch, frames, height, width, 3)`; its shape is saved under
    `modality_config["video"]["shape"]`. The encoder is a CNN on every
    frame, then a temporal Transformer (`video_encoder`).

    Example:
    >>> encoder = VIDEO.encoder(
    ...     {"modality_config": {"video": {"shape": [4, 16, 16, 3]}},
    ...      "hidden_dim": 16, "pooling": "positional",
    ...      "normalization": False, "augmentation": False},
    ...     sequence=False,
    ... )
    >>> encoder.output.shape
    (None, 16)
    """

    name = "video"
    media = True
    options = ("frames",)
    reader_class = MediaReader

    def size(self, manifest, config, options):
        modality_config = dict(config.get("modality_config") or {})
        shape = suggest_video_shape(manifest, options.get("frames"))
        modality_config["video"] = {"shape": list(shape)}
        return {"modality_config": modality_config}, {}

    def encoder(self, config, sequence):
        return video_encoder(
            video_shape(config),
            FILTERS,
            hidden_dim=config["hidden_dim"],
            frame_pooling=config["pooling"],
            pooling=None if sequence else "avg",
            normalization=config["normalization"],
            augmentation=config["augmentation"],
        )

    def check_file(self, path):
        check_video(path)

    def load(self, path, shape, settings):
        return load_video(path, shape)


def video_shape(config):
    """The `(frames, height, width, 3)` a builder's config gives."""
    saved = (config.get("modality_config") or {}).get("video", {})
    return tuple(saved.get("shape", DEFAULT_SHAPE))


def suggest_video_shape(manifest, frames=None):
    """`(frames, height, width, 3)` for a manifest's clips.

    The median frame size of up to `MAX_FILES` clips, scaled down
    (aspect kept) to at most `MAX_PIXELS` pixels and rounded to
    multiples of 8 (at least 16); a prepared manifest keeps its shape.

    Args:
        manifest: `Manifest`. The training rows.
        frames: int or None. Frames per clip (default 16).
    """
    prepared = manifest.prepared and manifest.prepared.shape("video")
    if prepared:
        if frames and frames != prepared[0]:
            raise ValueError(
                f"{manifest.prepared.directory} was prepared with "
                f"{prepared[0]} frames a clip; --frames {frames} needs "
                "`keras-mm prepare` again."
            )
        return prepared
    frames = int(frames or DEFAULT_SHAPE[0])
    if frames < 1:
        raise ValueError(
            f"Expected --frames to be at least 1. Received: {frames}"
        )
    paths = [p for p in manifest.column("video", allow_empty=True) if p]
    step = max(1, len(paths) // MAX_FILES)
    sizes = [_frame_size(path) for path in paths[::step][:MAX_FILES]]
    sizes = [s for s in sizes if s]
    if not sizes:
        return (frames, *DEFAULT_SHAPE[1:])
    height, width = np.median(sizes, axis=0)
    scale = min(1.0, math.sqrt(MAX_PIXELS / (height * width)))
    sides = [max(16, 8 * round(side * scale / 8)) for side in (height, width)]
    return (frames, *sides, 3)


def _frame_size(path):
    # Unreadable files are reported, with their row, by the checks.
    try:
        return video_info(path)[1:]
    except ValueError:
        return None


VIDEO = VideoModality()
