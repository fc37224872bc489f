from keras_mm.encoders import cnn_image_encoder
from keras_mm.encoders import rnn_text_encoder
from keras_mm.encoders import waveform_audio_encoder
from keras_mm.fusion import AttentionFusion
from keras_mm.zoo.assemble import assemble


def seed004_attention(
    num_classes=2,
    multi_label=False,
    image_shape=(64, 64, 3),
    vocabulary_size=10000,
    sequence_length=32,
    audio_length=8000,
    hidden_dim=128,
    num_heads=4,
):
    """Article C: tri-modal CNN / LSTM / Conv1D model with attention fusion.

    Reproduces Article C's Keras model (section 5): image Conv2D(32, 3x3,
    relu) -> MaxPooling2D -> Conv2D(64, 3x3, relu) -> MaxPooling2D; text
    Embedding(10000, 128) -> LSTM(128); audio Conv1D(64, 3, same) x 2 ->
    MaxPooling1D; `Attention` fusion; Dense(128, relu) -> Dense(1, sigmoid)
    trained with binary cross-entropy and Adam.

    What had to change to make it run:
    - `Attention()([pool1, lstm1, pool3])` mixes tensors of rank 4, 2 and 3;
      each branch now ends in a vector and `AttentionFusion` projects the
      three vectors to modality tokens and runs multi-head self-attention
      across them. The image branch is flattened (the article imports
      `Flatten`): a global average would forget where the strokes are.
    - The audio input `(None,)` has no channel axis; the encoder reshapes
      the fixed-length waveform to `(samples, 1)`.
    - The audio convolutions get a ReLU (the article's are linear).
    - More than two classes get a softmax head instead of the sigmoid.

    Args:
        num_classes: int. Number of classes.
        multi_label: bool. Independent sigmoids per class.
        image_shape: tuple. Image input shape.
        vocabulary_size: int. Token ids, padding and OOV included.
        sequence_length: int. Tokens per text.
        audio_length: int. Samples per audio clip.
        hidden_dim: int. Width of the modality tokens and the head.
        num_heads: int. Attention heads of the fusion.

    Returns:
        A `keras.Model` with inputs `"image"`, `"audio"` and `"text"`.
    """
    encoders = [
        cnn_image_encoder(image_shape, filters=(32, 64), pooling="flatten"),
        waveform_audio_encoder(audio_length, filters=(64, 64)),
        rnn_text_encoder(vocabulary_size, sequence_length, 128, 128),
    ]
    return assemble(
        encoders,
        AttentionFusion(hidden_dim, num_heads, name="fusion"),
        num_classes,
        multi_label,
        head_hidden_dim=128,
        name="seed004_attention",
    )
