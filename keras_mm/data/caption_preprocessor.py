import tensorflow as tf

from keras_mm.data.audio import load_audio
from keras_mm.data.batches import batches
from keras_mm.data.captions import CaptionTokenizer
from keras_mm.data.image import load_image
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.data.preprocessor import check_column
from keras_mm.data.preprocessor import model_sample_rate
from keras_mm.data.saved_preprocessor import SavedPreprocessor

TASK = "captioning"


class CaptionPreprocessor(SavedPreprocessor):
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

    def __init__(
        self,
        image_shape,
        vocabulary,
        sequence_length,
        caption_column="caption",
        audio_length=None,
        sample_rate=DEFAULT_SAMPLE_RATE,
    ):
        self.image_shape = tuple(image_shape)
        self.vocabulary = list(vocabulary)
        self.sequence_length = int(sequence_length)
        self.caption_column = caption_column
        self.audio_length = None if audio_length is None else int(audio_length)
        self.sample_rate = int(sample_rate)
        self.modalities = ["image", "audio"] if audio_length else ["image"]
        self.tokenizer = CaptionTokenizer(self.vocabulary, sequence_length)

    @classmethod
    def from_model(cls, model, vocabulary, caption_column="caption"):
        audio = model.input.get("audio")
        return cls(
            model.input["image"].shape[1:],
            vocabulary,
            model.input["tokens"].shape[1],
            caption_column,
            audio_length=None if audio is None else audio.shape[1],
            sample_rate=model_sample_rate(model),
        )

    def check(self, manifest, captions=True):
        """Raise `ManifestError` naming the row of a bad or missing cell."""
        for name in self.modalities:
            check_column(manifest, name)
        if captions:
            manifest.column(self.caption_column)

    def dataset(
        self,
        manifest,
        batch_size=32,
        shuffle=False,
        seed=None,
        captions=True,
        epochs=None,
    ):
        """The `tf.data` pipeline for a manifest.

        Args:
            manifest: `Manifest`. Rows with an `image` (and caption) cell.
            batch_size: int. Batch size.
            shuffle: bool. Reshuffle the rows every epoch.
            seed: int or None. Shuffle seed.
            epochs: `(first, last)` or None. Hold these training epochs,
                each shuffled by its number (see `batches`).
            captions: bool. Yield training pairs; `False` yields only
                the generation inputs (`{"image": ...}`, plus `"audio"`).

        Returns:
            A `tf.data.Dataset`.
        """
        self.check(manifest, captions)
        paths = {name: manifest.column(name) for name in self.modalities}
        if captions:
            texts = manifest.column(self.caption_column)
            ds = tf.data.Dataset.from_tensor_slices((paths, texts))
        else:
            ds = tf.data.Dataset.from_tensor_slices((paths,))
        ds = ds.map(self._decode, tf.data.AUTOTUNE, deterministic=True)
        ds = ds.cache()
        ds = batches(ds, len(manifest), batch_size, shuffle, seed, epochs)
        if captions:
            ds = ds.map(self._pair, tf.data.AUTOTUNE, deterministic=True)
        return ds.prefetch(tf.data.AUTOTUNE)

    def _decode(self, paths, *texts):
        features = {"image": load_image(paths["image"], self.image_shape)}
        if self.audio_length:
            features["audio"] = load_audio(
                paths["audio"], self.audio_length, self.sample_rate
            )
        return (features, *texts) if texts else features

    def _pair(self, features, texts):
        ids = self.tokenizer(texts)
        features = {**features, "tokens": ids[:, :-1]}
        return features, ids[:, 1:]

    def get_config(self):
        return {
            "task": TASK,
            "image_shape": list(self.image_shape),
            "sequence_length": self.sequence_length,
            "caption_column": self.caption_column,
            "audio_length": self.audio_length,
            "sample_rate": self.sample_rate,
        }
