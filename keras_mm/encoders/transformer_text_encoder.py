import keras
import keras_hub

from keras_mm.encoders.padding_mask import PaddingMask

POOLINGS = ("avg", "first", None)


def transformer_text_encoder(
    vocabulary_size=10000,
    sequence_length=32,
    hidden_dim=128,
    num_layers=1,
    num_heads=2,
    intermediate_dim=256,
    dropout=0.1,
    pooling="avg",
    input_name="text",
    name="text_encoder",
):
    """Transformer text encoder built from keras-hub layers.

    `TokenAndPositionEmbedding` followed by `num_layers` keras-hub
    `TransformerEncoder` blocks, with a padding mask derived from the ids
    (id `0` is padding).

    Args:
        vocabulary_size: int. Number of token ids, padding and OOV included.
        sequence_length: int. Number of tokens per text.
        hidden_dim: int. Width of the embeddings and of every block.
        num_layers: int. Number of Transformer blocks.
        num_heads: int. Attention heads per block.
        intermediate_dim: int. Width of each block's feed-forward layer.
        dropout: float. Dropout inside the blocks.
        pooling: str or None. `"avg"` (masked mean over tokens) or `"first"`
            (first token) return `(batch, hidden_dim)`; `None` returns the
            sequence `(batch, tokens, hidden_dim)`.
        input_name: str. Name of the model's input (`"question"` for
            the question of a question-answering model).
        name: str. Name of the returned model.

    Returns:
        A `keras.Model` from an input of int ids (`input_name`) to the
        features.

    Example:
    >>> encoder = transformer_text_encoder(100, 8, hidden_dim=8, num_heads=2,
    ...                                    intermediate_dim=16)
    >>> keras.ops.shape(encoder(np.ones((2, 8), "int32")))
    (2, 8)
    """
    if pooling not in POOLINGS:
        raise ValueError(
            f"Expected `pooling` to be one of {POOLINGS}. Received: {pooling}"
        )
    token_ids = keras.Input(
        shape=(sequence_length,), dtype="int32", name=input_name
    )
    mask = PaddingMask(name="padding_mask")(token_ids)
    x = keras_hub.layers.TokenAndPositionEmbedding(
        vocabulary_size, sequence_length, hidden_dim
    )(token_ids)
    for i in range(num_layers):
        x = keras_hub.layers.TransformerEncoder(
            intermediate_dim, num_heads, dropout=dropout, name=f"block_{i}"
        )(x, padding_mask=mask)
    if pooling == "avg":
        x = keras.layers.GlobalAveragePooling1D()(x, mask=mask)
    elif pooling == "first":
        x = keras.layers.Cropping1D((0, sequence_length - 1))(x)
        x = keras.layers.Flatten()(x)
    return keras.Model(token_ids, x, name=name)
