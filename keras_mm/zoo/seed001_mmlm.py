from keras_mm.encoders import cnn_image_encoder
from keras_mm.encoders import rnn_text_encoder
from keras_mm.encoders import spectrogram_audio_encoder
from keras_mm.fusion import ConcatFusion
from keras_mm.zoo.assemble import assemble


def seed001_mmlm(
    num_classes=2,
    multi_label=False,
    image_shape=(64, 64, 3),
    vocabulary_size=10000,
    sequence_length=32,
    audio_length=8000,
    sample_rate=8000,
    embedding_dim=128,
    hidden_dim=128,
):
    """Article B: the "MMLM" encoders and fusion module, as a classifier.

    Reproduces Article B's `TextEncoder` (Embedding + LSTM, last hidden
    state), `ImageEncoder` (Conv2d(3 -> 64, 3x3, padding 1) -> MaxPool(2) ->
    flatten -> Linear(embedding_dim)) and `MultimodalFusion` (concatenate,
    then Linear to `embedding_dim`), plus the audio CNN of its diagram.

    What had to change to make it run:
    - PyTorch became Keras; the channel-first image is channel-last.
    - `Linear(image_dim, ...)` needs the flattened size, which the Keras
      Dense layer infers.
    - The image convolution gets a ReLU, which the article omits (without
      it conv -> pool -> linear is nearly linear).
    - The diagram's audio encoder is unspecified; it is a log-mel
      spectrogram CNN here, feeding the same fusion module.
    - The LSTM caption decoder is replaced by a classification head; the
      captioning variant is a separate zoo entry.

    Args:
        num_classes: int. Number of classes.
        multi_label: bool. Independent sigmoids per class.
        image_shape: tuple. Image input shape.
        vocabulary_size: int. Token ids, padding and OOV included.
        sequence_length: int. Tokens per text.
        audio_length: int. Samples per audio clip.
        sample_rate: int. Audio sampling rate in Hz.
        embedding_dim: int. Width of embeddings and of the fused vector.
        hidden_dim: int. Units of the text LSTM.

    Returns:
        A `keras.Model` with inputs `"image"`, `"audio"` and `"text"`.
    """
    encoders = [
        cnn_image_encoder(
            image_shape,
            filters=(64,),
            padding="same",
            pooling="flatten",
            output_dim=embedding_dim,
            output_activation=None,
        ),
        spectrogram_audio_encoder(audio_length, sample_rate),
        rnn_text_encoder(
            vocabulary_size, sequence_length, embedding_dim, hidden_dim
        ),
    ]
    return assemble(
        encoders,
        ConcatFusion(output_dim=embedding_dim, name="fusion"),
        num_classes,
        multi_label,
        name="seed001_mmlm",
    )
