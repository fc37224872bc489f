import keras
import keras_hub

from keras_mm.encoders import PaddingMask
from keras_mm.zoo.image_cells import image_cells


def transformer_captioner(
    vocabulary_size=1000,
    sequence_length=16,
    image_shape=(64, 64, 3),
    filters=(32, 64, 64),
    hidden_dim=64,
    num_layers=2,
    num_heads=4,
    intermediate_dim=128,
    dropout=0.1,
):
    """Image captioner: CNN patch grid encoder, keras-hub Transformer decoder.

    The CNN (batch-normalized, with random shifts while training) turns
    the image into a grid whose cells become patch tokens (with learned
    positions), which keras-hub `TransformerDecoder`
    blocks cross-attend to while causally self-attending over the caption
    tokens. Trained with teacher forcing: the input `tokens` are a
    caption's ids from `[START]` on, the targets the same ids shifted by
    one, and padding (id 0) is masked inside the graph.

    Generation (`keras_mm.captioning.generate`) caches each block's keys
    and values, so one new token costs one step.

    Args:
        vocabulary_size: int. Caption token ids, reserved ones included.
        sequence_length: int. Caption tokens per input.
        image_shape: tuple. Image input shape.
        filters: tuple of int. Filters of the CNN blocks.
        hidden_dim: int. Width of the tokens.
        num_layers: int. Number of decoder blocks.
        num_heads: int. Attention heads per block.
        intermediate_dim: int. Feed-forward width per block.
        dropout: float. Dropout inside the blocks.

    Returns:
        A `keras.Model` from `{"image", "tokens"}` to next-token logits
        `(batch, sequence_length, vocabulary_size)`.
    """
    image = keras.Input(image_shape, name="image")
    tokens = keras.Input((sequence_length,), dtype="int32", name="tokens")
    # (batch, patches, hidden_dim)
    patches = keras.layers.Dense(hidden_dim, name="patch_projection")(
        image_cells(image, filters)
    )
    positions = keras_hub.layers.PositionEmbedding(
        patches.shape[1], name="patch_positions"
    )(patches)
    memory = keras.layers.Add(name="image_memory")([patches, positions])
    x = keras_hub.layers.TokenAndPositionEmbedding(
        vocabulary_size, sequence_length, hidden_dim, name="token_embedding"
    )(tokens)
    mask = PaddingMask(name="padding_mask")(tokens)
    for i in range(num_layers):
        x = keras_hub.layers.TransformerDecoder(
            intermediate_dim, num_heads, dropout=dropout, name=f"decoder_{i}"
        )(x, encoder_sequence=memory, decoder_padding_mask=mask)
    logits = keras.layers.Dense(vocabulary_size, name="logits")(x)
    return keras.Model(
        {"image": image, "tokens": tokens},
        logits,
        name="transformer_captioner",
    )
