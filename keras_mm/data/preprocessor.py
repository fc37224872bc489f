import concurrent.futures
import json
import pathlib

import keras
import numpy as np
import tensorflow as tf

from keras_mm.data.audio import check_wav
from keras_mm.data.audio import load_audio
from keras_mm.data.batches import batches
from keras_mm.data.image import check_image
from keras_mm.data.image import load_image
from keras_mm.data.labels import encode_labels
from keras_mm.data.manifest import ManifestError
from keras_mm.data.text import load_vocabulary
from keras_mm.data.text import save_vocabulary
from keras_mm.data.text import text_vectorizer
from keras_mm.modalities import MODALITIES

DEFAULT_SAMPLE_RATE = 8000
CONFIG_FILE = "preprocessing.json"
VOCABULARY_FILE = "vocabulary.txt"
CHECKS = {"image": check_image, "audio": check_wav}


class Preprocessor:
    """Turns manifests into `tf.data` pipelines feeding a model's inputs.

    It holds everything needed to reproduce training's preprocessing at
    evaluation and prediction time: the model's input shapes, the class
    names, the text vocabulary and the audio sampling rate.

    A model with a `"presence"` input accepts rows that leave some modality
    cells empty: the pipeline marks those modalities absent (0 in
    `presence`, in the order of the modality inputs) and feeds zeros in
    their place, which the model's fusion ignores.

    Args:
        inputs: dict. Input name (`"image"`, `"audio"`, `"text"`,
            `"presence"`) to its shape without the batch axis.
        class_names: list of str. Class names, in class-id order.
        vocabulary: list of str or None. Text vocabulary without the
            reserved padding and OOV ids; required with a `"text"` input.
        sample_rate: int. Sampling rate the audio is resampled to.
        multi_label: bool. Labels are `|`-separated class lists.

    Example:
    >>> from keras_mm.data import Manifest, build_vocabulary
    >>> from keras_mm.zoo import multimodal_classifier
    >>> rows = [{"text": f"a {w} one", "label": w} for w in ["red", "blue"] * 4]
    >>> manifest = Manifest(rows, "train.csv")
    >>> model = multimodal_classifier(
    ...     ("text",), num_classes=2, vocabulary_size=10, sequence_length=4
    ... )
    >>> vocabulary = build_vocabulary(manifest.column("text"), 8)
    >>> pre = Preprocessor.from_model(model, ["blue", "red"], vocabulary)
    >>> x, y = next(iter(pre.dataset(manifest, batch_size=4)))
    >>> sorted(x), tuple(x["text"].shape), tuple(y.shape)
    (['text'], (4, 4), (4, 1))
    """

    def __init__(
        self,
        inputs,
        class_names,
        vocabulary=None,
        sample_rate=DEFAULT_SAMPLE_RATE,
        multi_label=False,
    ):
        unknown = set(inputs) - {*MODALITIES, "presence"}
        if unknown:
            raise ValueError(
                "Expected model inputs among 'image', 'audio', 'text' and "
                f"'presence'. Received: {sorted(inputs)}"
            )
        if "text" in inputs and vocabulary is None:
            raise ValueError("A model with a 'text' input needs a vocabulary.")
        self.inputs = {name: tuple(shape) for name, shape in inputs.items()}
        self.modalities = [name for name in inputs if name in MODALITIES]
        self.optional = "presence" in inputs
        self.class_names = list(class_names)
        self.vocabulary = vocabulary
        self.sample_rate = int(sample_rate)
        self.multi_label = multi_label
        self.vectorizer = None
        if "text" in inputs:
            self.vectorizer = text_vectorizer(vocabulary, inputs["text"][0])

    @classmethod
    def from_model(cls, model, class_names, vocabulary=None, **kwargs):
        """Create a preprocessor matching `model`'s named inputs.

        The sampling rate defaults to that of a `MelSpectrogram` layer in
        the model, else to 8000 Hz.
        """
        if not isinstance(model.input, dict):
            raise ValueError(
                "Expected a model with a dict of named inputs. "
                f"Received inputs: {model.input}"
            )
        inputs = {name: x.shape[1:] for name, x in model.input.items()}
        kwargs.setdefault("sample_rate", model_sample_rate(model))
        return cls(inputs, class_names, vocabulary, **kwargs)

    def check(self, manifest):
        """Raise `ManifestError` naming the row if a needed cell is bad."""
        for name in self.modalities:
            check_column(manifest, name, allow_empty=self.optional)

    def _cells(self, manifest, drop):
        """Each modality's cells, `""` where absent, and the presence."""
        unknown = sorted(set(drop) - set(self.modalities))
        if unknown:
            raise ValueError(
                f"Cannot drop {unknown}: the model's modalities are "
                f"{self.modalities}."
            )
        if drop and not self.optional:
            raise ValueError(
                "This model has no 'presence' input, so it needs every "
                f"modality; it cannot run without {sorted(drop)}."
            )
        cells = {
            name: [""] * len(manifest)
            if name in drop
            else manifest.column(name, allow_empty=self.optional)
            for name in self.modalities
        }
        if not self.optional:
            return cells
        presence = np.array(
            [[bool(v) for v in values] for values in cells.values()],
            "float32",
        ).T
        for row in np.flatnonzero(presence.sum(-1) == 0):
            raise ManifestError(
                f"{manifest.where(row)}: every modality cell is empty "
                f"({', '.join(self.modalities)})."
            )
        return {**cells, "presence": presence}

    def dataset(
        self,
        manifest,
        batch_size=32,
        shuffle=False,
        seed=None,
        labels=True,
        cache=True,
        drop=(),
        epochs=None,
    ):
        """Build the `tf.data` pipeline for a manifest.

        Args:
            manifest: `Manifest`. Rows to read.
            batch_size: int. Batch size.
            shuffle: bool. Reshuffle the rows every epoch.
            seed: int or None. Shuffle seed.
            epochs: `(first, last)` or None. Hold these training epochs,
                each shuffled by its number (see `batches`).
            labels: bool. Yield `(inputs, targets)` instead of `inputs`.
            cache: bool. Keep decoded media in memory after the first pass.
            drop: tuple of str. Modalities to mark absent in every row
                (needs a model with a `"presence"` input).

        Returns:
            A `tf.data.Dataset` whose inputs are a dict with exactly the
            model's input names.
        """
        self.check(manifest)
        columns = self._cells(manifest, drop)
        if labels:
            targets = encode_labels(
                manifest, self.class_names, self.multi_label
            )
            ds = tf.data.Dataset.from_tensor_slices((columns, targets))
        else:
            ds = tf.data.Dataset.from_tensor_slices(columns)
        ds = ds.map(self._decode, tf.data.AUTOTUNE, deterministic=True)
        if cache:
            ds = ds.cache()
        ds = batches(ds, len(manifest), batch_size, shuffle, seed, epochs)
        if self.vectorizer is not None:
            ds = ds.map(self._vectorize, tf.data.AUTOTUNE, deterministic=True)
        return ds.prefetch(tf.data.AUTOTUNE)

    def _decode(self, features, *targets):
        decoded = dict(features)
        if "image" in self.inputs:
            shape = self.inputs["image"]
            decoded["image"] = _unless_absent(
                features["image"], lambda p: load_image(p, shape), shape
            )
        if "audio" in self.inputs:
            length = self.inputs["audio"][0]
            decoded["audio"] = _unless_absent(
                features["audio"],
                lambda p: load_audio(p, length, self.sample_rate),
                (length,),
            )
        return (decoded, *targets) if targets else decoded

    def _vectorize(self, features, *targets):
        token_ids = tf.cast(self.vectorizer(features["text"]), "int32")
        features = {**features, "text": token_ids}
        return (features, *targets) if targets else features

    def get_config(self):
        return {
            "inputs": {
                name: list(shape) for name, shape in self.inputs.items()
            },
            "class_names": self.class_names,
            "sample_rate": self.sample_rate,
            "multi_label": self.multi_label,
        }

    def save(self, directory):
        """Write `preprocessing.json` (and `vocabulary.txt`) to a folder."""
        directory = pathlib.Path(directory)
        config = json.dumps(self.get_config(), indent=2)
        (directory / CONFIG_FILE).write_text(config + "\n")
        if self.vocabulary is not None:
            save_vocabulary(self.vocabulary, directory / VOCABULARY_FILE)

    @classmethod
    def load(cls, directory):
        """Read a preprocessor saved by `save`."""
        directory = pathlib.Path(directory)
        path = directory / CONFIG_FILE
        if not path.is_file():
            raise FileNotFoundError(f"No {CONFIG_FILE} in {directory}")
        config = json.loads(path.read_text())
        vocabulary = None
        if (directory / VOCABULARY_FILE).is_file():
            vocabulary = load_vocabulary(directory / VOCABULARY_FILE)
        return cls(vocabulary=vocabulary, **config)


def _unless_absent(path, load, shape):
    # An empty path marks an absent modality (presence 0): zeros stand in.
    return tf.cond(
        tf.equal(path, ""),
        lambda: tf.zeros(shape, "float32"),
        lambda: load(path),
    )


def check_column(manifest, name, allow_empty=False):
    """Raise `ManifestError` naming the row of a missing or bad media cell.

    Image and WAV files are decoded once (in threads); a manifest
    remembers which of its columns passed.
    """
    values = manifest.column(name, allow_empty=allow_empty)
    if name not in CHECKS or name in manifest.validated:
        return
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = pool.map(_try(CHECKS[name]), values)
        for row, error in enumerate(results):
            if error:
                raise ManifestError(f"{manifest.where(row)}: {error}")
    manifest.validated.add(name)


def _try(check):
    def run(value):
        if not value:
            return None
        try:
            check(value)
        except ValueError as e:
            return str(e)
        return None

    return run


def model_sample_rate(model):
    stack = [model]
    while stack:
        layer = stack.pop()
        if isinstance(layer, keras.layers.MelSpectrogram):
            return layer.sampling_rate
        stack.extend(getattr(layer, "layers", []))
    return DEFAULT_SAMPLE_RATE
