import keras
import keras_hub


def positional_pooling(cells, width, pooling="avg", name="image"):
    """Pool a grid of cell features after mixing each with its position.

    A global average of the cells alone forgets where things are ("on the
    left"); flattening them remembers but overfits small datasets whose
    captions never mention positions. Here each cell gets a learned
    position embedding, a shared Dense layer with ReLU mixes the two, and
    the results are pooled: the model can keep positions where they matter
    and ignore them where they do not.

    Args:
        cells: tensor `(batch, cells, channels)`, for example a
            `cnn_image_encoder(pooling=None)` output.
        width: int. Units of the Dense layer and of the output.
        pooling: str. `"avg"` or `"max"` over the cells. Max keeps an
            object that covers a cell or two of a busy image, which an
            average dilutes.
        name: str. Prefix of the layer names (`{name}_positions`,
            `{name}_cells`).

    Returns:
        A tensor `(batch, width)`.
    """
    positions = keras_hub.layers.PositionEmbedding(
        cells.shape[1], name=f"{name}_positions"
    )(cells)
    x = keras.layers.Add()([cells, positions])
    x = keras.layers.Dense(width, "relu", name=f"{name}_cells")(x)
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling1D()(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling1D()(x)
    raise ValueError(f"Expected `pooling` 'avg' or 'max'. Received: {pooling}")
