import tensorflow as tf

from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.data.preprocessor import Preprocessor


class RetrievalPreprocessor(Preprocessor):
    """Turns `image` + text manifests into dual encoder pipelines.

    Training batches are `({"image", "text"}, group)`, where `group` is a
    hash of the lower-cased, whitespace-normalized text: rows with the
    same text share it, so the contrastive loss treats them as one.

    Args:
        image_shape: tuple. The model's image shape.
        vocabulary: list of str. Word vocabulary (`build_vocabulary`).
        sequence_length: int. The model's text length.
        text_column: str. Manifest column with the texts.
        sample_rate: int. Unused: the dual encoder takes no audio.
    """

    task = "retrieval"

    def __init__(
        self,
        image_shape,
        vocabulary,
        sequence_length,
        text_column="text",
        sample_rate=DEFAULT_SAMPLE_RATE,
    ):
        super().__init__(vocabulary, sample_rate)
        self.image_shape = tuple(image_shape)
        self.sequence_length = int(sequence_length)
        self.text_column = text_column
        self.image = self.reader("image", self.image_shape)
        self.text = self.reader("text", (self.sequence_length,))
        self.readers = [self.image]

    @classmethod
    def from_model(cls, model, vocabulary, text_column="text"):
        return cls(
            model.input["image"].shape[1:],
            vocabulary,
            model.input["text"].shape[1],
            text_column,
        )

    def token_ids(self, texts):
        """Int32 token ids `(batch, sequence_length)` for strings."""
        return self.text.finish(tf.constant(texts))

    def rows(self, manifest, texts=True):
        """`({"image", "text"}, group)` batches (see `Preprocessor.rows`).

        Args:
            manifest: `Manifest`. Rows with an `image` (and text) cell.
            texts: bool. `False` yields only the image batches.
        """
        self.image.check(manifest)
        if not texts:
            return (manifest.column("image"),), self._decode, None
        slices = (manifest.column("image"), manifest.column(self.text_column))
        return slices, self._decode, self._vectorize

    def images(self, manifest, batch_size=32):
        """Image batches of a manifest, in row order."""
        return self.dataset(manifest, batch_size, texts=False, cache=False)

    def _decode(self, path, *texts, media=None):
        image = self.image.decode(path, media)
        return (image, *texts) if texts else image

    def _vectorize(self, images, texts):
        features = {
            "image": images,
            "text": self.text.finish(texts),
        }
        return features, caption_groups(texts)

    def get_config(self):
        return {
            "image_shape": list(self.image_shape),
            "sequence_length": self.sequence_length,
            "text_column": self.text_column,
            **super().get_config(),
        }


def caption_groups(texts):
    """Int32 ids equal for texts that are equal up to case and spacing."""
    normal = tf.strings.regex_replace(
        tf.strings.strip(tf.strings.lower(texts)), r"\s+", " "
    )
    return tf.cast(tf.strings.to_hash_bucket_fast(normal, 2**31 - 1), "int32")
