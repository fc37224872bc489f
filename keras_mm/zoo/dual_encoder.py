import keras

from keras_mm.encoders import positional_pooling
from keras_mm.encoders import rnn_text_encoder
from keras_mm.encoders import transformer_text_encoder
from keras_mm.retrieval.contrastive import ContrastiveLogits
from keras_mm.zoo.image_cells import image_cells

TEXT_ENCODERS = ("rnn", "transformer")


def dual_encoder(
    vocabulary_size=10000,
    sequence_length=16,
    image_shape=(64, 64, 3),
    text_encoder="rnn",
    embedding_dim=128,
    projection_dim=64,
    initial_temperature=0.07,
):
    """CLIP-style dual encoder: image and text towers in one embedding space.

    An image tower (the zoo's batch-normalized CNN, with random shifts
    while training, whose grid cells are mixed with learned position
    embeddings before they are averaged) and a text tower (the
    zoo's RNN or Transformer encoder) each end in a projection head and L2
    normalization; `ContrastiveLogits` scores every image of a batch
    against every text with a learned temperature. Train it with
    `SymmetricContrastiveLoss` on caption group ids. The towers alone are
    the layers `image_embedding` and `text_embedding` (see
    `keras_mm.retrieval.towers`).

    Args:
        vocabulary_size: int. Text token ids, padding and OOV included.
        sequence_length: int. Tokens per text.
        image_shape: tuple. Image input shape.
        text_encoder: str. `"rnn"` (LSTM) or `"transformer"` (keras-hub).
        embedding_dim: int. Width of the towers' features.
        projection_dim: int. Width of the shared embedding space.
        initial_temperature: float. Starting softmax temperature.

    Returns:
        A `keras.Model` from `{"image", "text"}` to logits `(batch, batch)`.
    """
    if text_encoder not in TEXT_ENCODERS:
        raise ValueError(
            f"Expected `text_encoder` in {TEXT_ENCODERS}. "
            f"Received: {text_encoder}"
        )
    image = keras.Input(image_shape, name="image")
    text = keras.Input((sequence_length,), dtype="int32", name="text")
    # (batch, cells, 64): the CNN's last feature map, one token per cell.
    cells = image_cells(image)
    image_features = positional_pooling(cells, embedding_dim)
    if text_encoder == "rnn":
        tower = rnn_text_encoder(
            vocabulary_size, sequence_length, embedding_dim, embedding_dim
        )
    else:
        tower = transformer_text_encoder(
            vocabulary_size, sequence_length, embedding_dim
        )
    text_features = tower(text)
    embeddings = []
    for name, features in (("image", image_features), ("text", text_features)):
        x = keras.layers.Dense(embedding_dim, "relu", name=f"{name}_head")(
            features
        )
        x = keras.layers.Dense(projection_dim, name=f"{name}_projection")(x)
        embeddings.append(
            keras.layers.UnitNormalization(name=f"{name}_embedding")(x)
        )
    logits = ContrastiveLogits(initial_temperature, name="logits")(embeddings)
    return keras.Model(
        {"image": image, "text": text}, logits, name="dual_encoder"
    )
