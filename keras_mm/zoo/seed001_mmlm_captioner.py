import keras

from keras_mm.encoders import cnn_image_encoder


def seed001_mmlm_captioner(
    vocabulary_size=1000,
    sequence_length=16,
    image_shape=(64, 64, 3),
    embedding_dim=128,
    hidden_dim=128,
):
    """Article B: the "MMLM" image encoder with its LSTM caption decoder.

    Article B's `ImageEncoder` (Conv2d(3 -> 64, 3x3, padding 1) -> MaxPool(2)
    -> flatten -> Linear(embedding_dim)) encodes the image; its features set
    the initial state `(h, c)` of the `TextDecoder` LSTM, which reads the
    caption from `[START]` on and predicts the next token at every step.

    What had to change to make it run:
    - PyTorch became Keras; the channel-first image is channel-last.
    - The article feeds the fused features as the LSTM's first input but
      never defines how they meet the word embeddings; here they set the
      LSTM's initial state through two Dense layers instead.
    - The article's decoder has no start or end token and no padding; the
      captions here are `[START] words [END]` padded with id 0, which the
      loss ignores.
    - The image convolution gets a ReLU, which the article omits.
    - The article's audio branch is left out: its captions describe the
      image only.

    Generation (`keras_mm.captioning.generate`) carries the LSTM state from
    step to step, so one new token costs one LSTM step.

    Args:
        vocabulary_size: int. Caption token ids, reserved ones included.
        sequence_length: int. Caption tokens per input.
        image_shape: tuple. Image input shape.
        embedding_dim: int. Width of the image features and embeddings.
        hidden_dim: int. LSTM units.

    Returns:
        A `keras.Model` from `{"image", "tokens"}` to next-token logits
        `(batch, sequence_length, vocabulary_size)`.
    """
    image = keras.Input(image_shape, name="image")
    tokens = keras.Input((sequence_length,), dtype="int32", name="tokens")
    features = cnn_image_encoder(
        image_shape,
        filters=(64,),
        padding="same",
        pooling="flatten",
        output_dim=embedding_dim,
        output_activation=None,
    )(image)
    state_h = keras.layers.Dense(hidden_dim, "tanh", name="initial_h")(features)
    state_c = keras.layers.Dense(hidden_dim, name="initial_c")(features)
    x = keras.layers.Embedding(
        vocabulary_size, embedding_dim, name="token_embedding"
    )(tokens)
    # Causal by construction: padding after [END] never reaches earlier
    # outputs, and the loss ignores the padded targets.
    x = keras.layers.LSTM(hidden_dim, return_sequences=True, name="lstm")(
        x, initial_state=[state_h, state_c]
    )
    logits = keras.layers.Dense(vocabulary_size, name="logits")(x)
    return keras.Model(
        {"image": image, "tokens": tokens},
        logits,
        name="seed001_mmlm_captioner",
    )
