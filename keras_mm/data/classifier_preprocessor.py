import numpy as np
import tensorflow as tf

from keras_mm.data.labels import encode_labels
from keras_mm.data.manifest import ManifestError
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.data.preprocessor import Preprocessor
from keras_mm.modalities import list_modalities


class ClassifierPreprocessor(Preprocessor):
    """Turns manifests into `tf.data` pipelines feeding a classifier.

    It holds everything needed to reproduce training's preprocessing at
    evaluation and prediction time: the model's input shapes, the class
    names and each modality's settings (the text vocabulary, the audio
    sampling rate, the table's columns; see `Preprocessor`). Each input
    is read by its modality's `Reader` (`keras_mm.modalities`).

    A model with a `"presence"` input accepts rows that lack some
    modalities (empty cells): the pipeline marks those modalities absent
    (0 in `presence`, in the order of the modality inputs) and feeds
    zeros in their place, which the model's fusion ignores.

    Args:
        inputs: dict. Input name (a modality of
            `keras_mm.modalities.list_modalities()`, or `"presence"`) to
            its shape without the batch axis.
        class_names: list of str. Class names, in class-id order.
        vocabulary: list of str or None. Text vocabulary without the
            reserved padding and OOV ids; required with a `"text"` input.
        sample_rate: int. Sampling rate the audio is resampled to.
        multi_label: bool. Labels are `|`-separated class lists.
        modality_config: dict or None. Modality name to the settings its
            sizing saved (the model's `modality_config`).

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
        modality_config=None,
    ):
        known = list_modalities()
        unknown = set(inputs) - {*known, "presence"}
        if unknown:
            raise ValueError(
                f"Expected model inputs among {', '.join(known)} and "
                f"'presence'. Received: {sorted(inputs)}"
            )
        super().__init__(vocabulary, sample_rate)
        self.inputs = {name: tuple(shape) for name, shape in inputs.items()}
        self.modalities = [name for name in inputs if name in known]
        self.optional = "presence" in inputs
        self.class_names = list(class_names)
        self.multi_label = multi_label
        self.modality_config = dict(modality_config or {})
        self.readers = [
            self.reader(name, self.inputs[name]) for name in self.modalities
        ]

    @classmethod
    def from_model(cls, model, class_names, vocabulary=None, **kwargs):
        """Create a preprocessor matching `model`'s named inputs.

        `kwargs` (`sample_rate`, `multi_label`, `modality_config`) go to
        the constructor; pass the settings the model was built with (its
        task's `fit_to` does), which a model's layers need not show.
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
        for reader in self.readers:
            reader.check(manifest, allow_empty=self.optional)

    def _cells(self, manifest, drop):
        """Each modality's cells, absent where dropped, and the presence."""
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
            reader.name: reader.empty(len(manifest))
            if reader.name in drop
            else reader.cells(manifest, allow_empty=self.optional)
            for reader in self.readers
        }
        if not self.optional:
            return cells
        present = np.array(
            [reader.present(cells[reader.name]) for reader in self.readers],
            "float32",
        ).T
        for row in np.flatnonzero(present.sum(-1) == 0):
            raise ManifestError(
                f"{manifest.where(row)}: every modality cell is empty "
                f"({', '.join(self.modalities)})."
            )
        return {**cells, "presence": present}

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
            slices = (slices, self.targets(manifest))
        return slices, self._decode, self._finish

    def targets(self, manifest):
        """The training targets of a manifest's labels (see
        `encode_labels`)."""
        return encode_labels(manifest, self.class_names, self.multi_label)

    def _decode(self, features, *targets, media=None):
        decoded = dict(features)
        for reader in self.readers:
            decoded[reader.name] = reader.decode(features[reader.name], media)
        return (decoded, *targets) if targets else decoded

    def _finish(self, features, *targets):
        features = dict(features)
        for reader in self.readers:
            batch = reader.finish(features[reader.name])
            # The model input's shape, which a modality's decoding (a
            # padded series, say) may leave unknown.
            features[reader.name] = tf.ensure_shape(
                batch, (None, *reader.shape)
            )
        return (features, *targets) if targets else features

    def get_config(self):
        config = {
            "inputs": {
                name: list(shape) for name, shape in self.inputs.items()
            },
            "class_names": self.class_names,
            "multi_label": self.multi_label,
            **super().get_config(),
        }
        if self.modality_config:
            config["modality_config"] = self.modality_config
        return config
