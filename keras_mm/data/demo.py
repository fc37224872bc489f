import csv
import os
import pathlib
import shutil
import tempfile
import wave

import numpy as np
import tensorflow as tf

SAMPLE_RATE = 8000
IMAGE_SIZE = 64
SHAPES = ("circle", "square")
PITCHES = {"low": (200.0, 450.0), "high": (1100.0, 2400.0)}
MOODS = {
    "calm": ("calm", "quiet", "gentle", "peaceful", "sleepy", "soft"),
    "angry": ("angry", "loud", "fierce", "furious", "wild", "harsh"),
}
NOUNS = ("cat", "dog", "bird", "robot", "child", "river", "train", "crowd")
VERBS = ("waits", "moves", "sits", "looks", "runs", "turns", "stays")
DETERMINERS = ("a", "the", "this", "one", "that")
VERSION = 1


def demo_classes():
    """Class names of the demo data: `shape_pitch_mood`, 8 in all."""
    return [
        f"{shape}_{pitch}_{mood}"
        for shape in SHAPES
        for pitch in PITCHES
        for mood in MOODS
    ]


def make_demo_dataset(directory, num_samples=2400, seed=0):
    """Write the procedural image + audio + text demo dataset.

    Each sample shows a circle or a square (image), plays a low or a high
    tone (audio) and has a calm or an angry sentence (text). The label
    names all three (`circle_high_calm`, ...), so any one modality alone can
    reach at most 25% accuracy, any two 50%, and all three 100%.

    Args:
        directory: str or `pathlib.Path`. Folder to write; `manifest.csv`
            plus `images/*.png` and `audio/*.wav`.
        num_samples: int. Number of samples.
        seed: int. Random seed; the output is deterministic.

    Returns:
        The path of `manifest.csv`.
    """
    directory = pathlib.Path(directory)
    (directory / "images").mkdir(parents=True, exist_ok=True)
    (directory / "audio").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(num_samples):
        shape = SHAPES[rng.integers(len(SHAPES))]
        pitch = list(PITCHES)[rng.integers(len(PITCHES))]
        mood = list(MOODS)[rng.integers(len(MOODS))]
        image_path = f"images/{i:05d}.png"
        audio_path = f"audio/{i:05d}.wav"
        png = tf.io.encode_png(_draw(shape, rng))
        (directory / image_path).write_bytes(png.numpy())
        _write_wav(directory / audio_path, _tone(PITCHES[pitch], rng))
        rows.append(
            {
                "image": image_path,
                "audio": audio_path,
                "text": _sentence(mood, rng),
                "label": f"{shape}_{pitch}_{mood}",
            }
        )
    manifest = directory / "manifest.csv"
    with open(manifest, "w", newline="") as f:
        writer = csv.DictWriter(f, ["image", "audio", "text", "label"])
        writer.writeheader()
        writer.writerows(rows)
    return manifest


def demo_manifest(num_samples=2400, seed=0, cache_dir=None):
    """Return the demo manifest's path, generating the data on first use.

    The data is cached under `cache_dir` (default `$KERAS_MM_HOME`, else
    `~/.keras_mm`) and written to a temporary folder first, so an
    interrupted run never leaves a partial dataset behind.
    """
    root = pathlib.Path(
        cache_dir or os.environ.get("KERAS_MM_HOME", "~/.keras_mm")
    ).expanduser()
    target = root / f"demo-v{VERSION}-n{num_samples}-s{seed}"
    if not (target / "manifest.csv").is_file():
        root.mkdir(parents=True, exist_ok=True)
        staging = pathlib.Path(tempfile.mkdtemp(dir=root, prefix=".demo-"))
        try:
            make_demo_dataset(staging, num_samples, seed)
            if not target.exists():
                staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target / "manifest.csv"


def _draw(shape, rng):
    size = IMAGE_SIZE
    image = rng.uniform(0, 60, (size, size, 3))
    image += rng.normal(0, 12, (size, size, 3))
    radius = rng.uniform(9, 18)
    cy, cx = rng.uniform(radius + 2, size - radius - 2, 2)
    yy, xx = np.mgrid[:size, :size]
    if shape == "circle":
        inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
    else:
        half = radius * 0.85
        inside = (abs(yy - cy) <= half) & (abs(xx - cx) <= half)
    image[inside] = rng.uniform(110, 255, 3)
    return np.clip(image, 0, 255).astype("uint8")


def _tone(band, rng):
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    frequency = rng.uniform(*band)
    start, length = rng.uniform(0, 0.4), rng.uniform(0.4, 0.6)
    envelope = ((t >= start) & (t < start + length)).astype("float64")
    wave_ = rng.uniform(0.3, 0.8) * np.sin(2 * np.pi * frequency * t)
    return wave_ * envelope + rng.normal(0, 0.03, t.shape)


def _write_wav(path, signal):
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes(pcm.tobytes())


def _sentence(mood, rng):
    words = [
        DETERMINERS[rng.integers(len(DETERMINERS))],
        MOODS[mood][rng.integers(len(MOODS[mood]))],
        NOUNS[rng.integers(len(NOUNS))],
        VERBS[rng.integers(len(VERBS))],
    ]
    if rng.random() < 0.5:
        words.insert(1, ("very", "rather", "quite")[rng.integers(3)])
    return " ".join(words)
