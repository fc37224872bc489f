import tensorflow as tf

from keras_mm.data.captions import CaptionTokenizer
from keras_mm.data.image import load_image
from keras_mm.data.preprocessor import check_column
from keras_mm.data.saved_preprocessor import SavedPreprocessor

TASK = "captioning"


class CaptionPreprocessor(SavedPreprocessor):
    """Turns `image` + caption manifests into captioner pipelines.

    Training batches are `({"image", "tokens"}, targets)`: `tokens` is a
    caption's ids from `[START]` on and `targets` the same ids shifted by
    one (ending with `[END]`, then padding id 0, which the loss ignores).

    Args:
        image_shape: tuple. The model's image shape.
        vocabulary: list of str. WordPiece vocabulary with the reserved
            tokens first (`build_caption_vocabulary`).
        sequence_length: int. The model's caption length.
        caption_column: str. Manifest column holding the captions.

    Example:
    >>> pre = CaptionPreprocessor.from_model(model, vocabulary)
    >>> model.fit(pre.dataset(Manifest.read("captions.csv"), shuffle=True))
    """

    def __init__(
        self, image_shape, vocabulary, sequence_length, caption_column="caption"
    ):
        self.image_shape = tuple(image_shape)
        self.vocabulary = list(vocabulary)
        self.sequence_length = int(sequence_length)
        self.caption_column = caption_column
        self.tokenizer = CaptionTokenizer(self.vocabulary, sequence_length)

    @classmethod
    def from_model(cls, model, vocabulary, caption_column="caption"):
        image_shape = model.input["image"].shape[1:]
        sequence_length = model.input["tokens"].shape[1]
        return cls(image_shape, vocabulary, sequence_length, caption_column)

    def check(self, manifest, captions=True):
        """Raise `ManifestError` naming the row of a bad or missing cell."""
        check_column(manifest, "image")
        if captions:
            manifest.column(self.caption_column)

    def dataset(
        self, manifest, batch_size=32, shuffle=False, seed=None, captions=True
    ):
        """The `tf.data` pipeline for a manifest.

        Args:
            manifest: `Manifest`. Rows with an `image` (and caption) cell.
            batch_size: int. Batch size.
            shuffle: bool. Reshuffle the rows every epoch.
            seed: int or None. Shuffle seed.
            captions: bool. Yield training pairs; `False` yields only
                `{"image": ...}` batches, for generation.

        Returns:
            A `tf.data.Dataset`.
        """
        self.check(manifest, captions)
        paths = manifest.column("image")
        if captions:
            texts = manifest.column(self.caption_column)
            ds = tf.data.Dataset.from_tensor_slices((paths, texts))
        else:
            ds = tf.data.Dataset.from_tensor_slices((paths,))
        ds = ds.map(self._decode, tf.data.AUTOTUNE, deterministic=True)
        ds = ds.cache()
        if shuffle:
            ds = ds.shuffle(len(manifest), seed=seed)
        ds = ds.batch(batch_size)
        if captions:
            ds = ds.map(self._pair, tf.data.AUTOTUNE, deterministic=True)
        return ds.prefetch(tf.data.AUTOTUNE)

    def _decode(self, path, *texts):
        features = {"image": load_image(path, self.image_shape)}
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
        }
