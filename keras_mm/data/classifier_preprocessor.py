import numpy as np
import tensorflow as tf

from keras_mm.data.audio import load_audio
from keras_mm.data.image import load_image
from keras_mm.data.labels import encode_labels
from keras_mm.data.manifest import ManifestError
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.data.preprocessor import Preprocessor
from keras_mm.data.preprocessor import check_column
from keras_mm.data.preprocessor import unless_absent
from keras_mm.data.text import text_vectorizer
from keras_mm.modalities import MODALITIES


class ClassifierPreprocessor(Preprocessor):
    """Turns manifests into `tf.data` pipelines feeding a classifier.

    It holds everything needed to reproduce training's preprocessing at
    evaluation and prediction time: the model's input shapes, the class
    names, the text vocabulary and the audio sampling rate (see
    `Preprocessor`).

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
    >>> pre = ClassifierPreprocessor.from_model(
    ...     model, ["blue", "red"], vocabulary
    ... )
    >>> x, y = next(iter(pre.dataset(manifest, batch_size=4)))
    >>> sorted(x), tuple(x["text"].shape), tuple(y.shape)
    (['text'], (4, 4), (4, 1))
    """

    task = "classification"

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
        super().__init__(vocabulary, sample_rate)
        self.inputs = {name: tuple(shape) for name, shape in inputs.items()}
        self.modalities = [name for name in inputs if name in MODALITIES]
        self.optional = "presence" in inputs
        self.class_names = list(class_names)
        self.multi_label = multi_label
        self.vectorizer = None
        if "text" in inputs:
            self.vectorizer = text_vectorizer(vocabulary, inputs["text"][0])

    @classmethod
    def from_model(cls, model, class_names, vocabulary=None, **kwargs):
        """Create a preprocessor matching `model`'s named inputs.

        `kwargs` (`sample_rate`, `multi_label`) go to the constructor;
        pass the sampling rate the model was built for (its task's
        `fit_to` does), which a model's layers need not show.
        """
        if not isinstance(model.input, dict):
            raise ValueError(
                "Expected a model with a dict of named inputs. "
                f"Received inputs: {model.input}"
            )
        inputs = {name: x.shape[1:] for name, x in model.input.items()}
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

    def rows(self, manifest, labels=True, drop=()):
        """What `dataset` reads (see `Preprocessor.rows`).

        Args:
            manifest: `Manifest`. Rows to read.
            labels: bool. Yield `(inputs, targets)` instead of `inputs`.
            drop: tuple of str. Modalities to mark absent in every row
                (needs a model with a `"presence"` input).
        """
        self.check(manifest)
        slices = self._cells(manifest, drop)
        if labels:
            targets = encode_labels(
                manifest, self.class_names, self.multi_label
            )
            slices = (slices, targets)
        finish = self._vectorize if self.vectorizer is not None else None
        return slices, self._decode, finish

    def media(self):
        media = {}
        if "image" in self.inputs:
            shape = self.inputs["image"]
            media["image"] = (shape, lambda p: load_image(p, shape))
        if "audio" in self.inputs:
            length = self.inputs["audio"][0]
            media["audio"] = (
                (length,),
                lambda p: load_audio(p, length, self.sample_rate),
            )
        return media

    def _decode(self, features, *targets, media=None):
        decoded = dict(features)
        for name, (shape, _) in self.media().items():
            decoded[name] = unless_absent(
                features[name], lambda p: self.read_media(name, p, media), shape
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
            "multi_label": self.multi_label,
            **super().get_config(),
        }
