import tensorflow as tf

from keras_mm.data.batches import batches
from keras_mm.data.image import load_image
from keras_mm.data.preprocessor import check_column
from keras_mm.data.saved_preprocessor import SavedPreprocessor
from keras_mm.data.text import text_vectorizer

TASK = "retrieval"


class RetrievalPreprocessor(SavedPreprocessor):
    """Turns `image` + text manifests into dual encoder pipelines.

    Training batches are `({"image", "text"}, group)`, where `group` is a
    hash of the lower-cased, whitespace-normalized text: rows with the
    same text share it, so the contrastive loss treats them as one.

    Args:
        image_shape: tuple. The model's image shape.
        vocabulary: list of str. Word vocabulary (`build_vocabulary`).
        sequence_length: int. The model's text length.
        text_column: str. Manifest column with the texts.
    """

    def __init__(
        self, image_shape, vocabulary, sequence_length, text_column="text"
    ):
        self.image_shape = tuple(image_shape)
        self.vocabulary = list(vocabulary)
        self.sequence_length = int(sequence_length)
        self.text_column = text_column
        self.vectorizer = text_vectorizer(self.vocabulary, sequence_length)

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
        return tf.cast(self.vectorizer(tf.constant(texts)), "int32")

    def dataset(
        self, manifest, batch_size=32, shuffle=False, seed=None, epochs=None
    ):
        """`({"image", "text"}, group)` batches for training and evaluation."""
        check_column(manifest, "image")
        texts = manifest.column(self.text_column)
        ds = tf.data.Dataset.from_tensor_slices(
            (manifest.column("image"), texts)
        )
        ds = ds.map(self._decode, tf.data.AUTOTUNE, deterministic=True)
        ds = ds.cache()
        ds = batches(ds, len(manifest), batch_size, shuffle, seed, epochs)
        ds = ds.map(self._vectorize, tf.data.AUTOTUNE, deterministic=True)
        return ds.prefetch(tf.data.AUTOTUNE)

    def images(self, manifest, batch_size=32):
        """Image batches of a manifest, in row order."""
        check_column(manifest, "image")
        ds = tf.data.Dataset.from_tensor_slices(manifest.column("image"))
        ds = ds.map(lambda p: load_image(p, self.image_shape))
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def _decode(self, path, text):
        return load_image(path, self.image_shape), text

    def _vectorize(self, images, texts):
        features = {
            "image": images,
            "text": tf.cast(self.vectorizer(texts), "int32"),
        }
        return features, caption_groups(texts)

    def get_config(self):
        return {
            "task": TASK,
            "image_shape": list(self.image_shape),
            "sequence_length": self.sequence_length,
            "text_column": self.text_column,
        }


def caption_groups(texts):
    """Int32 ids equal for texts that are equal up to case and spacing."""
    normal = tf.strings.regex_replace(
        tf.strings.strip(tf.strings.lower(texts)), r"\s+", " "
    )
    return tf.cast(tf.strings.to_hash_bucket_fast(normal, 2**31 - 1), "int32")
