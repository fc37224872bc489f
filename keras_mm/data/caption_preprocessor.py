from keras_mm.data.captions import CaptionTokenizer
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.data.preprocessor import Preprocessor


class CaptionPreprocessor(Preprocessor):
    """Turns `image` (+ `audio`) + caption manifests into captioner pipelines.

    Training batches are `({"image", "tokens"}, targets)`, with `"audio"`
    too for a captioner that hears: `tokens` is a caption's ids from
    `[START]` on and `targets` the same ids shifted by one (ending with
    `[END]`, then padding id 0, which the loss ignores).

    Args:
        image_shape: tuple. The model's image shape.
        vocabulary: list of str. WordPiece vocabulary with the reserved
            tokens first (`build_caption_vocabulary`).
        sequence_length: int. The model's caption length.
        caption_column: str. Manifest column holding the captions.
        audio_length: int or None. Samples per clip of the model's
            `"audio"` input; `None` for an image-only captioner.
        sample_rate: int. Sampling rate the audio is resampled to.

    Example:

    ```python
    pre = CaptionPreprocessor.from_model(model, vocabulary)
    model.fit(pre.dataset(Manifest.read("captions.csv"), shuffle=True))
    ```
    """

    task = "captioning"

    def __init__(
        self,
        image_shape,
        vocabulary,
        sequence_length,
        caption_column="caption",
        audio_length=None,
        sample_rate=DEFAULT_SAMPLE_RATE,
    ):
        super().__init__(vocabulary, sample_rate)
        self.image_shape = tuple(image_shape)
        self.sequence_length = int(sequence_length)
        self.caption_column = caption_column
        self.audio_length = None if audio_length is None else int(audio_length)
        self.readers = [self.reader("image", self.image_shape)]
        if self.audio_length:
            self.readers.append(self.reader("audio", (self.audio_length,)))
        self.modalities = [reader.name for reader in self.readers]
        self.tokenizer = CaptionTokenizer(self.vocabulary, sequence_length)

    @classmethod
    def from_model(
        cls,
        model,
        vocabulary,
        caption_column="caption",
        sample_rate=DEFAULT_SAMPLE_RATE,
    ):
        """Create a preprocessor matching `model`'s inputs.

        `sample_rate`: the rate the model was built for (its task's
        `fit_to` passes it).
        """
        audio = model.input.get("audio")
        return cls(
            model.input["image"].shape[1:],
            vocabulary,
            model.input["tokens"].shape[1],
            caption_column,
            audio_length=None if audio is None else audio.shape[1],
            sample_rate=sample_rate,
        )

    def check(self, manifest, captions=True):
        """Raise `ManifestError` naming the row of a bad or missing cell."""
        for reader in self.readers:
            reader.check(manifest)
        if captions:
            manifest.column(self.caption_column)

    def rows(self, manifest, captions=True):
        """What `dataset` reads (see `Preprocessor.rows`).

        Args:
            manifest: `Manifest`. Rows with an `image` (and caption) cell.
            captions: bool. Yield training pairs; `False` yields only
                the generation inputs (`{"image": ...}`, plus `"audio"`).
        """
        self.check(manifest, captions)
        paths = {name: manifest.column(name) for name in self.modalities}
        if not captions:
            return (paths,), self._decode, None
        slices = (paths, manifest.column(self.caption_column))
        return slices, self._decode, self._pair

    def _decode(self, paths, *texts, media=None):
        features = {
            reader.name: reader.decode(paths[reader.name], media)
            for reader in self.readers
        }
        return (features, *texts) if texts else features

    def _pair(self, features, texts):
        ids = self.tokenizer(texts)
        features = {**features, "tokens": ids[:, :-1]}
        return features, ids[:, 1:]

    def get_config(self):
        return {
            "image_shape": list(self.image_shape),
            "sequence_length": self.sequence_length,
            "caption_column": self.caption_column,
            "audio_length": self.audio_length,
            **super().get_config(),
        }
