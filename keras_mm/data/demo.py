"""Embedded demo datasets: procedural images, tones and sentences."""

import csv
import os
import pathlib
import shutil
import tempfile

import numpy as np
import tensorflow as tf

from keras_mm import catalog
from keras_mm.data.demo_captions import captioned_scene
from keras_mm.data.demo_captions import pick
from keras_mm.data.demo_media import draw_shape
from keras_mm.data.demo_media import sentence
from keras_mm.data.demo_media import tone
from keras_mm.data.demo_media import write_wav
from keras_mm.data.demo_questions import questioned_scene
from keras_mm.data.demo_speech import write_speech_demo

VERSION = 2
PITCHES = {"low": (200.0, 450.0), "high": (1100.0, 2400.0)}
MOODS = {
    "calm": ("calm", "quiet", "gentle", "peaceful", "sleepy", "soft"),
    "angry": ("angry", "loud", "fierce", "furious", "wild", "harsh"),
}
NOUNS = ("cat", "dog", "bird", "robot", "child", "river", "train", "crowd")
VERBS = ("waits", "moves", "sits", "looks", "runs", "turns", "stays")
DETERMINERS = ("a", "the", "this", "one", "that")

# The redundant and relation datasets: three objects, each with a tone band
# and several words that name it.
OBJECTS = {
    "circle": ((200.0, 450.0), ("circle", "ring", "disc", "ball")),
    "square": ((650.0, 1000.0), ("square", "box", "block", "tile")),
    "triangle": ((1400.0, 2400.0), ("triangle", "wedge", "pyramid", "spike")),
}
ADJECTIVES = ("", "", "red", "blue", "green", "small", "big", "bright")
ENDINGS = ("", "appears", "is shown", "sits here", "stands out")
# How often each modality shows a wrong object in the redundant dataset.
NOISE = {"image": 0.05, "audio": 0.3, "text": 0.3}

# name: its columns. Each dataset's description is its line in
# `keras_mm.catalog.DEMO_DATA`.
DATASETS = {
    "factorial": ("image", "audio", "text"),
    "redundant": ("image", "audio", "text"),
    "relation": ("image", "text"),
    "captions": ("image", "caption"),
    "sound_captions": ("image", "audio", "caption"),
    "speech": ("audio", "transcript"),
    "questions": ("image", "question"),
}
# The columns after the inputs: `label`, except in these datasets.
TARGETS = {
    "captions": (),
    "sound_captions": (),
    "speech": (),
    "questions": ("answer", "question_type"),
}
# Datasets without a `label` column.
UNLABELLED = tuple(TARGETS)


def demo_datasets():
    """Return `{name: description}` for the demo datasets."""
    return {name: catalog.DEMO_DATA[name] for name in DATASETS}


def demo_classes(dataset="factorial"):
    """Class names of a demo dataset, in sorted order."""
    if dataset == "factorial":
        return sorted(
            f"{s}_{p}_{m}"
            for s in ("circle", "square")
            for p in PITCHES
            for m in MOODS
        )
    if dataset == "redundant":
        return sorted(OBJECTS)
    if dataset == "relation":
        return ["match", "mismatch"]
    if dataset in UNLABELLED:
        return []
    raise ValueError(_unknown(dataset))


def make_demo_dataset(directory, num_samples=2400, seed=0, dataset="factorial"):
    """Write a procedural demo dataset and its manifest.

    Seven datasets (see `demo_datasets()`), all deterministic given `seed`:

    - `"factorial"`: a circle or a square (image), a low or a high tone
      (audio) and a calm or an angry sentence (text). The label names all
      three (`circle_high_calm`, ...), so any one modality alone reaches at
      most 25% accuracy, any two 50%, and all three 100%.
    - `"redundant"`: one of three objects, shown as a shape, played as a
      tone in its band and named in a sentence. Each modality shows a
      random wrong object on some rows, independently (`NOISE`: the image
      on 5%, the audio and the text on 30%), so every modality alone is
      informative and the others must take over when the image is
      missing. A model trained with all three tends to lean on their
      combination; this is the data where `ModalityDropout` shows.
    - `"relation"`: an image of a shape and a sentence naming a shape; the
      label is `match` when they agree. No audio column.
    - `"captions"`: scenes of one or two coloured shapes with a `caption`
      column (`"a red circle on the left"`) and no label.
    - `"sound_captions"`: the same scenes, each with a low or a high tone
      that the caption names too (`"a red circle on the left with a low
      tone"`).
    - `"speech"`: phrases of 2 to 4 words spoken as formant tones, letter
      by letter, with a `transcript` column (see `demo_speech`).
    - `"questions"`: two coloured shapes side by side, a `question` about
      them, its `answer` and its `question_type` (see `demo_questions`).

    Args:
        directory: str or `pathlib.Path`. Folder to write: `manifest.csv`,
            `images/*.png` and (with an audio column) `audio/*.wav`.
        num_samples: int. Number of rows.
        seed: int. Random seed.
        dataset: str. One of `demo_datasets()`.

    Returns:
        The path of `manifest.csv`.
    """
    if dataset not in DATASETS:
        raise ValueError(_unknown(dataset))
    if dataset == "speech":
        return write_speech_demo(directory, num_samples, seed)
    columns = DATASETS[dataset]
    directory = pathlib.Path(directory)
    (directory / "images").mkdir(parents=True, exist_ok=True)
    if "audio" in columns:
        (directory / "audio").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    sample = {
        "factorial": _labelled(_factorial),
        "redundant": _labelled(_redundant),
        "relation": _labelled(_relation),
        "captions": _captions,
        "sound_captions": _sound_captions,
        "questions": _questions,
    }[dataset]
    rows = []
    for i in range(num_samples):
        draw, band, row = sample(rng)
        row["image"] = f"images/{i:05d}.png"
        png = tf.io.encode_png(draw(rng))
        (directory / row["image"]).write_bytes(png.numpy())
        if band is not None:
            row["audio"] = f"audio/{i:05d}.wav"
            write_wav(directory / row["audio"], tone(band, rng))
        rows.append(row)
    manifest = directory / "manifest.csv"
    with open(manifest, "w", newline="") as f:
        labels = TARGETS.get(dataset, ("label",))
        writer = csv.DictWriter(f, [*columns, *labels])
        writer.writeheader()
        writer.writerows(rows)
    return manifest


def demo_manifest(
    num_samples=2400, seed=0, cache_dir=None, dataset="factorial"
):
    """Return a demo manifest's path, generating the data on first use.

    The data is cached under `cache_dir` (default `$KERAS_MM_HOME`, else
    `~/.keras_mm`) and written to a temporary folder first, so an
    interrupted run never leaves a partial dataset behind.
    """
    if dataset not in DATASETS:
        raise ValueError(_unknown(dataset))
    root = pathlib.Path(
        cache_dir or os.environ.get("KERAS_MM_HOME", "~/.keras_mm")
    ).expanduser()
    prefix = "demo" if dataset == "factorial" else f"demo-{dataset}"
    target = root / f"{prefix}-v{VERSION}-n{num_samples}-s{seed}"
    if not (target / "manifest.csv").is_file():
        root.mkdir(parents=True, exist_ok=True)
        staging = pathlib.Path(tempfile.mkdtemp(dir=root, prefix=".demo-"))
        try:
            make_demo_dataset(staging, num_samples, seed, dataset)
            try:
                staging.rename(target)
            except OSError:
                # Another process (of a run in several) made it first.
                if not (target / "manifest.csv").is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target / "manifest.csv"


def _factorial(rng):
    shape = pick(("circle", "square"), rng)
    pitch = pick(PITCHES, rng)
    mood = pick(MOODS, rng)
    words = [
        pick(DETERMINERS, rng),
        pick(MOODS[mood], rng),
        pick(NOUNS, rng),
        pick(VERBS, rng),
    ]
    if rng.random() < 0.5:
        words.insert(1, pick(("very", "rather", "quite"), rng))
    return shape, PITCHES[pitch], " ".join(words), f"{shape}_{pitch}_{mood}"


def _caption(name, rng):
    return sentence(
        (("a", "the", "one"), ADJECTIVES, OBJECTS[name][1], ENDINGS), rng
    )


def _redundant(rng):
    label = pick(OBJECTS, rng)
    shown = {}
    for modality, noise in NOISE.items():
        wrong = rng.random() < noise
        others = [name for name in OBJECTS if name != label]
        shown[modality] = pick(others, rng) if wrong else label
    text = _caption(shown["text"], rng)
    return shown["image"], OBJECTS[shown["audio"]][0], text, label


def _relation(rng):
    shape = pick(OBJECTS, rng)
    match = rng.random() < 0.5
    named = shape if match else pick([n for n in OBJECTS if n != shape], rng)
    label = "match" if match else "mismatch"
    return shape, None, _caption(named, rng), label


def _labelled(sampler):
    """Adapt a `(shape, band, text, label)` sampler to the writer's needs."""

    def sample(rng):
        shape, band, text, label = sampler(rng)
        row = {"text": text, "label": label}
        return (lambda rng_: draw_shape(shape, rng_)), band, row

    return sample


def _captions(rng):
    image, caption = captioned_scene(rng)
    return (lambda _: image), None, {"caption": caption}


def _sound_captions(rng):
    image, caption = captioned_scene(rng)
    pitch = pick(PITCHES, rng)
    row = {"caption": f"{caption} with a {pitch} tone"}
    return (lambda _: image), PITCHES[pitch], row


def _questions(rng):
    image, question, answer, kind = questioned_scene(rng)
    row = {"question": question, "answer": answer, "question_type": kind}
    return (lambda _: image), None, row


def _unknown(dataset):
    return f"Unknown demo dataset '{dataset}'. Available: {', '.join(DATASETS)}"
