import keras

from keras_mm.encoders import cnn_image_encoder
from keras_mm.encoders import spectrogram_audio_encoder
from keras_mm.fusion import ConcatFusion


def seed001_mmlm_captioner(
    vocabulary_size=1000,
    sequence_length=16,
    image_shape=(64, 64, 3),
    audio_length=None,
    sample_rate=8000,
    embedding_dim=128,
    hidden_dim=128,
):
    """Article B: the "MMLM" image (and audio) encoders with an LSTM decoder.

    Article B's `ImageEncoder` (Conv2d(3 -> 64, 3x3, padding 1) -> MaxPool(2)
    -> flatten -> Linear(embedding_dim)) encodes the image. With
    `audio_length` set, a log-mel spectrogram CNN encodes an `"audio"` clip
    too, and Article B's `MultimodalFusion` (concatenate, then Linear to
    `embedding_dim`; its feature-level fusion `H = [h_t, h_i, h_a]`) joins
    the two. The features set the initial state `(h, c)` of the decoder
    LSTM, which reads the caption from `[START]` on and predicts the next
    token at every step.

    What had to change to make it run:
    - PyTorch became Keras; the channel-first image is channel-last.
    - The article feeds the fused features as the LSTM's first input but
      never defines how they meet the word embeddings; here they set the
      LSTM's initial state through two Dense layers instead.
    - The article fuses the caption's own text encoding too; a captioner
      cannot read the caption it is writing, so the decoder is the only
      text branch.
    - The article's decoder has no start or end token and no padding; the
      captions here are `[START] words [END]` padded with id 0, which the
      loss ignores.
    - The image convolution gets a ReLU, which the article omits.
    - The article's audio encoder is unspecified; it is a log-mel
      spectrogram CNN here, and optional, since most captions describe
      only the image.

    Generation (`keras_mm.captioning.generate`) carries the LSTM state from
    step to step, so one new token costs one LSTM step.

    Article B's one convolution, flattened, is not translation invariant:
    on 800 small real images it learns colours (98% right on unseen ones)
    but not shapes (47%), and neither Dropout nor a second convolution
    fixed that. `transformer_captioner` is the one to train on your own
    images.

    Args:
        vocabulary_size: int. Caption token ids, reserved ones included.
        sequence_length: int. Caption tokens per input.
        image_shape: tuple. Image input shape.
        audio_length: int or None. Samples per audio clip; `None` builds
            an image-only captioner without an `"audio"` input.
        sample_rate: int. Audio sampling rate in Hz.
        embedding_dim: int. Width of the image features and embeddings.
        hidden_dim: int. LSTM units.

    Returns:
        A `keras.Model` from `{"image", "tokens"}` (plus `"audio"` with
        `audio_length`) to next-token logits
        `(batch, sequence_length, vocabulary_size)`.
    """
    inputs = {"image": keras.Input(image_shape, name="image")}
    features = cnn_image_encoder(
        image_shape,
        filters=(64,),
        padding="same",
        pooling="flatten",
        output_dim=embedding_dim,
        output_activation=None,
    )(inputs["image"])
    if audio_length is not None:
        inputs["audio"] = keras.Input((audio_length,), name="audio")
        audio = spectrogram_audio_encoder(audio_length, sample_rate)
        features = ConcatFusion(output_dim=embedding_dim, name="fusion")(
            [features, audio(inputs["audio"])]
        )
    inputs["tokens"] = keras.Input(
        (sequence_length,), dtype="int32", name="tokens"
    )
    state_h = keras.layers.Dense(hidden_dim, "tanh", name="initial_h")(features)
    state_c = keras.layers.Dense(hidden_dim, name="initial_c")(features)
    x = keras.layers.Embedding(
        vocabulary_size, embedding_dim, name="token_embedding"
    )(inputs["tokens"])
    # Causal by construction: padding after [END] never reaches earlier
    # outputs, and the loss ignores the padded targets.
    x = keras.layers.LSTM(hidden_dim, return_sequences=True, name="lstm")(
        x, initial_state=[state_h, state_c]
    )
    logits = keras.layers.Dense(vocabulary_size, name="logits")(x)
    return keras.Model(inputs, logits, name="seed001_mmlm_captioner")
