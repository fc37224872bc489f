"""The `image` modality: PNG, JPEG, GIF or BMP files, resized in `tf.data`."""

from keras_mm.data.image import check_image
from keras_mm.data.image import load_image
from keras_mm.encoders import cnn_image_encoder
from keras_mm.modalities.modality import MediaReader
from keras_mm.modalities.modality import Modality

FILTERS = (16, 32, 64)


class ImageModality(Modality):
    """Image files in the `image` column, fed as `[0, 255]` floats.

    The model's `image_shape` (height, width, channels) sets the size
    every file is resized to; its encoder is a CNN of three blocks.

    Example:
    >>> encoder = IMAGE.encoder(
    ...     {"image_shape": (16, 16, 1), "pooling": "avg",
    ...      "normalization": False, "augmentation": False},
    ...     sequence=False,
    ... )
    >>> encoder.output.shape
    (None, 64)
    """

    name = "image"
    media = True
    reader_class = MediaReader

    def encoder(self, config, sequence):
        return cnn_image_encoder(
            config["image_shape"],
            FILTERS,
            padding="same",
            pooling=None if sequence else config["pooling"],
            normalization=config["normalization"],
            augmentation=config["augmentation"],
        )

    def conditioned_encoder(self, config, condition_dim):
        """The CNN with every block's maps modulated (`FiLM`)."""
        return cnn_image_encoder(
            config["image_shape"],
            FILTERS,
            padding="same",
            pooling=config["pooling"],
            normalization=config["normalization"],
            augmentation=config["augmentation"],
            condition_dim=condition_dim,
        )

    def check_file(self, path):
        check_image(path)

    def load(self, path, shape, settings):
        return load_image(path, shape)


IMAGE = ImageModality()
