from keras_mm.encoders import cnn_image_encoder


def image_cells(image, filters=(32, 64, 64)):
    """The captioners' and dual encoder's CNN on `image`, one token a cell.

    Normalized conv blocks with random shifts while training; their last
    feature map is returned as a sequence, for `positional_pooling` or as
    a Transformer's memory.

    Args:
        image: a symbolic image input `(batch, height, width, channels)`.
        filters: tuple of int. Filters of each conv block.

    Returns:
        The feature map as a sequence `(batch, cells, filters[-1])`.

    Example:
    >>> image_cells(keras.Input((32, 32, 1))).shape
    (None, 16, 64)
    """
    encoder = cnn_image_encoder(
        tuple(image.shape[1:]),
        filters,
        padding="same",
        pooling=None,
        normalization=True,
        augmentation=True,
    )
    return encoder(image)
