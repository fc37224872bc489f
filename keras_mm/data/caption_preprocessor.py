import tensorflow as tf

from keras_mm.data.captions import CaptionTokenizer
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.data.preprocessor import Preprocessor
from keras_mm.modalities import list_modalities


class CaptionPreprocessor(Preprocessor):
    """Turns conditioning inputs + texts into a text generator's pipelines.

    A generator (a zoo `Captioner`) writes a text conditioned on its
    other inputs: an image (and a sound) for a captioner, a context and
    a question for an answer generator. Each conditioning input is read
    by its modality's `Reader` (`keras_mm.modalities`). Training batches
    are `({..., "tokens"}, targets)`: `tokens` is a text's ids from
    `[START]` on and `targets` the same ids shifted by one (ending with
    `[END]`, then padding id 0, which the loss ignores).

    Args:
        inputs: dict. Conditioning input name (a modality) to its shape
            without the batch axis.
        vocabulary: list of str. WordPiece vocabulary of the generated
            texts, reserved tokens first (`build_caption_vocabulary`).
        sequence_length: int. The model's text length.
        caption_column: str or None. Manifest column holding the texts;
            None: `default_column`.
        sample_rate: int. Sampling rate the audio is resampled to.
        modality_config: dict or None. Modality name to the settings its
            sizing saved (the question's vocabulary, say).
        image_shape, audio_length: the `inputs` of bundles saved before
            there were others: `image`'s shape and `audio`'s length.

    Example:

    ```python
    pre = CaptionPreprocessor.from_model(model, vocabulary)
    model.fit(pre.dataset(Manifest.read("captions.csv"), shuffle=True))
    ```
    """

    task = "captioning"
    default_column = "caption"

    def __init__(
        self,
        inputs=None,
        vocabulary=None,
        sequence_length=16,
        caption_column=None,
        sample_rate=DEFAULT_SAMPLE_RATE,
        modality_config=None,
        image_shape=None,
        audio_length=None,
    ):
        super().__init__(vocabulary, sample_rate)
        inputs = dict(inputs or {})
        if image_shape is not None:
            inputs["image"] = image_shape
        if audio_length:
            inputs["audio"] = (audio_length,)
        known = list_modalities()
        if not inputs or set(inputs) - set(known):
            raise ValueError(
                f"Expected conditioning inputs among {', '.join(known)}. "
                f"Received: {sorted(inputs)}"
            )
        self.inputs = {name: tuple(inputs[name]) for name in inputs}
        self.modalities = [name for name in known if name in inputs]
        self.sequence_length = int(sequence_length)
        self.caption_column = caption_column or self.default_column
        self.modality_config = dict(modality_config or {})
        self.readers = [
            self.reader(name, self.inputs[name]) for name in self.modalities
        ]
        self.tokenizer = CaptionTokenizer(self.vocabulary, sequence_length)

    @property
    def image_shape(self):
        """The `image` input's shape, or None."""
        return self.inputs.get("image")

    @property
    def audio_length(self):
        """Samples per clip of the `audio` input, or None."""
        return self.inputs["audio"][0] if "audio" in self.inputs else None

    @classmethod
    def from_model(
        cls,
        model,
        vocabulary,
        caption_column=None,
        sample_rate=DEFAULT_SAMPLE_RATE,
        modality_config=None,
    ):
        """Create a preprocessor matching `model`'s inputs.

        `sample_rate` and `modality_config`: the settings the model was
        built with (its task's `fit_to` passes them).
        """
        inputs = {
            name: x.shape[1:]
            for name, x in model.input.items()
            if name != "tokens"
        }
        return cls(
            inputs,
            vocabulary,
            model.input["tokens"].shape[1],
            caption_column,
            sample_rate=sample_rate,
            modality_config=modality_config,
        )

    def check(self, manifest, captions=True):
        """Raise `ManifestError` naming the row of a bad or missing cell."""
        for reader in self.readers:
            reader.check(manifest)
        if captions:
            manifest.column(self.caption_column)

    def texts(self, manifest):
        """The texts a manifest's rows teach the model to write."""
        return manifest.column(self.caption_column)

    def rows(self, manifest, captions=True):
        """What `dataset` reads (see `Preprocessor.rows`).

        Args:
            manifest: `Manifest`. Rows with the conditioning cells (and
                a text).
            captions: bool. Yield training pairs; `False` yields only
                the generation inputs (`{"image": ...}`, say).
        """
        self.check(manifest, captions)
        cells = {reader.name: reader.cells(manifest) for reader in self.readers}
        if not captions:
            return (cells,), self._decode, self._finish
        return (cells, self.texts(manifest)), self._decode, self._finish

    def _decode(self, cells, *texts, media=None):
        features = {
            reader.name: reader.decode(cells[reader.name], media)
            for reader in self.readers
        }
        return (features, *texts) if texts else features

    def _finish(self, features, *texts):
        features = {
            reader.name: tf.ensure_shape(
                reader.finish(features[reader.name]), (None, *reader.shape)
            )
            for reader in self.readers
        }
        if not texts:
            return features
        ids = self.tokenizer(texts[0])
        return {**features, "tokens": ids[:, :-1]}, ids[:, 1:]

    def get_config(self):
        config = {
            "inputs": {
                name: list(shape) for name, shape in self.inputs.items()
            },
            "sequence_length": self.sequence_length,
            "caption_column": self.caption_column,
            **super().get_config(),
        }
        if self.modality_config:
            config["modality_config"] = self.modality_config
        return config
