import av
import numpy as np
import pytest
import tensorflow as tf

from keras_mm.data import Manifest
from keras_mm.data import ManifestError
from keras_mm.data.audio import check_audio
from keras_mm.data.audio import load_audio
from keras_mm.data.soundtrack import read_soundtrack
from keras_mm.data.video import check_video
from keras_mm.data.video import load_video
from keras_mm.data.video import read_frames
from keras_mm.data.video import sample_indices
from keras_mm.data.video import video_info
from keras_mm.modalities import get_modality
from tests.data.media import moving_clip
from tests.data.media import write_clip
from tests.data.media import write_wav


def write_other(path, codec, frames, pix_fmt="yuv420p"):
    """Frames in another container and codec, as a user's file may be."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=8)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = pix_fmt
        for image in frames:
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def numbered_clip(num_frames):
    """Frame `t` is a flat gray of level `10 + 20 t`."""
    levels = 10 + 20 * np.arange(num_frames, dtype=np.uint8)
    return np.broadcast_to(levels[:, None, None, None], (num_frames, 32, 32, 3))


def numbers(frames):
    """Which frames of a `numbered_clip` were read."""
    return np.round((frames.mean(axis=(1, 2, 3)) - 10) / 20).astype(int)


@pytest.mark.parametrize(
    "name, codec, pix_fmt",
    [
        ("clip.mp4", "libx264", "yuv420p"),
        ("clip.mov", "libx264", "yuv420p"),
        ("clip.webm", "libvpx-vp9", "yuv420p"),
        ("clip.mkv", "hevc", "yuv420p"),
        ("clip.avi", "mpeg4", "yuv420p"),
        ("clip.gif", "gif", "rgb8"),
    ],
)
def test_every_container_reads_the_frames_sampled_uniformly(
    tmp_path, name, codec, pix_fmt
):
    frames = numbered_clip(12)
    path = write_other(tmp_path / name, codec, frames, pix_fmt)
    assert video_info(path) == (12, 32, 32)
    assert check_video(path) == 12
    read = read_frames(str(path), 4, 32, 32)
    assert read.shape == (4, 32, 32, 3) and read.dtype == np.uint8
    # Frames 1, 4, 7 and 10 of 12: the middle of each quarter, in order.
    np.testing.assert_array_equal(sample_indices(12, 4), [1, 4, 7, 10])
    np.testing.assert_array_equal(numbers(read), [1, 4, 7, 10])


def test_a_short_clip_repeats_frames_and_a_long_one_skips():
    np.testing.assert_array_equal(sample_indices(3, 6), [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(sample_indices(100, 2), [25, 75])


def test_frames_are_resized_to_cover_and_cropped_about_the_centre(tmp_path):
    # A 32x64 frame: left half dark, right half bright, a red centre.
    frames = np.zeros((2, 32, 64, 3), np.uint8)
    frames[:, :, 32:] = 200
    frames[:, 8:24, 24:40] = (255, 0, 0)
    path = write_clip(tmp_path / "wide.mp4", frames, audio_seconds=0)
    read = read_frames(str(path), 2, 16, 16).astype(int)
    # Height 32 -> 16 and width 64 -> 32, cropped to the middle 16
    # columns: all red but the edges, which blend the halves.
    centre = read[0, 6:10, 6:10]
    assert (centre[..., 0] > 180).all() and (centre[..., 1] < 80).all()


def test_the_pipeline_reads_float_frames_of_the_model_shape(tmp_path):
    path = write_clip(tmp_path / "clip.mp4")
    video = load_video(tf.constant(str(path)), (4, 16, 24, 3))
    assert video.shape == (4, 16, 24, 3) and video.dtype == tf.float32
    assert 0.0 <= float(tf.reduce_min(video))
    assert float(tf.reduce_max(video)) <= 255.0


def test_bad_videos_are_refused_with_their_reason(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        check_video(tmp_path / "missing.mp4")
    (tmp_path / "noise.mp4").write_bytes(b"not a video at all" * 100)
    with pytest.raises(ValueError, match="noise.mp4 .Invalid data found"):
        check_video(tmp_path / "noise.mp4")
    wav = write_wav(tmp_path / "sound.wav")
    with pytest.raises(ValueError, match="has no video stream"):
        check_video(wav)
    # Cut downloads (their indexes are at the end).
    for name in ["cut.avi", "cut.mp4"]:
        whole = write_other(
            tmp_path / f"whole{name[-4:]}", "mpeg4", moving_clip(40)
        )
        data = whole.read_bytes()
        (tmp_path / name).write_bytes(data[: len(data) // 2])
        with pytest.raises(ValueError, match=f"could not open .*{name} "):
            check_video(tmp_path / name)


def test_a_soundtrack_is_audio_and_a_silent_video_is_audio_absent(tmp_path):
    sound = write_clip(tmp_path / "sound.mp4", audio_seconds=0.5)
    silent = write_clip(tmp_path / "silent.mp4", audio_seconds=0)
    mono, rate = read_soundtrack(sound)
    assert rate == 8000 and mono.size >= 4000
    assert check_audio(sound) == 8000
    audio = load_audio(tf.constant(str(sound)), 4000, 16000).numpy()
    # The 440 Hz tone, resampled: loud, not the zeros of absent audio.
    assert np.abs(audio).max() > 0.3
    manifest = Manifest(
        [{"audio": str(sound)}, {"audio": str(silent)}], tmp_path / "m.csv"
    )
    reader = get_modality("audio").reader((4000,), {"sample_rate": 16000})
    reader.check(manifest, allow_empty=True)
    cells = reader.cells(manifest, allow_empty=True)
    assert reader.present(cells) == [True, False]
    with pytest.raises(ManifestError, match="row 2: video file .* no audio"):
        reader.check(manifest)
