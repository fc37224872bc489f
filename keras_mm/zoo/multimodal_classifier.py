from keras_mm.encoders import cnn_image_encoder
from keras_mm.encoders import rnn_text_encoder
from keras_mm.encoders import spectrogram_audio_encoder
from keras_mm.encoders import transformer_text_encoder
from keras_mm.encoders import waveform_audio_encoder
from keras_mm.fusion import build_fusion
from keras_mm.modalities import MODALITIES
from keras_mm.zoo.assemble import assemble


def multimodal_classifier(
    modalities=MODALITIES,
    fusion="concat",
    num_classes=2,
    multi_label=False,
    image_shape=(64, 64, 3),
    vocabulary_size=10000,
    sequence_length=32,
    audio_length=8000,
    sample_rate=8000,
    text_encoder="rnn",
    audio_encoder="spectrogram",
    hidden_dim=64,
    dropout=0.1,
    missing_modalities=True,
    modality_dropout=0.0,
    pooling="positional",
    normalization=True,
    augmentation=True,
):
    """Generic classifier: one encoder per modality, then fusion and a head.

    Picks a CNN for `"image"`, a GRU (`"rnn"`) or Transformer for
    `"text"`, and a log-mel CNN (`"spectrogram"`) or raw-waveform Conv1D for
    `"audio"`, for the modalities given, and joins them with the fusion
    method named by `fusion` (see `keras_mm.fusion.list_fusions()`: e.g.
    feature-level `"concat"`, representation-level `"attention"`,
    decision-level `"late"`).

    Args:
        modalities: tuple of str. Any non-empty subset of `"image"`,
            `"audio"` and `"text"`.
        fusion: str. A name from `keras_mm.fusion.list_fusions()`.
        num_classes: int. Number of classes.
        multi_label: bool. Independent sigmoids per class.
        image_shape: tuple. Image input shape.
        vocabulary_size: int. Token ids, padding and OOV included.
        sequence_length: int. Tokens per text.
        audio_length: int. Samples per audio clip.
        sample_rate: int. Audio sampling rate in Hz.
        text_encoder: str. `"rnn"` or `"transformer"`.
        audio_encoder: str. `"spectrogram"` or `"waveform"`.
        hidden_dim: int. Width of the text encoder, fusion and head.
        dropout: float. Dropout before the output layer.
        missing_modalities: bool. With more than one modality, add the
            `"presence"` input `(batch, modalities)` (1 present, 0 absent)
            so that samples may lack a modality.
        modality_dropout: float. Rate at which training drops whole
            modalities (`ModalityDropout`), so the model copes without them.
        pooling: str. How the image and spectrogram CNNs end, for fusions
            that take vectors: `"positional"` (cells mixed with learned
            positions, then max-pooled), `"flatten"`, `"avg"` or `"max"`.
        normalization: bool. `BatchNormalization` in the CNNs.
        augmentation: bool. Random shifts of images, time shifts and
            SpecAugment-style masks of spectrograms, while training.

    Returns:
        A `keras.Model` with one input per modality, plus `"presence"`
        with `missing_modalities`.

    Example:
    >>> model = multimodal_classifier(("image", "text"), fusion="attention")
    >>> sorted(model.input.keys())
    ['image', 'presence', 'text']
    """
    unknown = set(modalities) - set(MODALITIES)
    if not modalities or unknown:
        raise ValueError(
            f"Expected `modalities` to be a non-empty subset of {MODALITIES}. "
            f"Received: {modalities}"
        )
    fusion_layer = build_fusion(fusion, hidden_dim, multi_label)
    sequence = fusion_layer.sequence_inputs
    builders = {
        "image": lambda: cnn_image_encoder(
            image_shape,
            (16, 32, 64),
            padding="same",
            pooling=None if sequence else pooling,
            normalization=normalization,
            augmentation=augmentation,
        ),
        "audio": lambda: _audio(
            audio_encoder,
            audio_length,
            sample_rate,
            None if sequence else pooling,
            normalization,
            augmentation,
        ),
        "text": lambda: _text(
            text_encoder, vocabulary_size, sequence_length, hidden_dim, sequence
        ),
    }
    encoders = [builders[m]() for m in MODALITIES if m in modalities]
    return assemble(
        encoders,
        fusion_layer if len(encoders) > 1 else None,
        num_classes,
        multi_label,
        head_hidden_dim=hidden_dim,
        dropout=dropout,
        missing_modalities=missing_modalities and len(encoders) > 1,
        modality_dropout=modality_dropout,
        name="multimodal_classifier",
    )


def _audio(kind, audio_length, sample_rate, pooling, normalization, augment):
    if kind == "spectrogram":
        return spectrogram_audio_encoder(
            audio_length,
            sample_rate,
            filters=(32, 64),
            pooling=pooling,
            normalization=normalization,
            augmentation=augment,
        )
    if kind == "waveform":
        pooling = "avg" if pooling == "positional" else pooling
        return waveform_audio_encoder(
            audio_length, filters=(32, 32), pool_size=8, pooling=pooling
        )
    raise ValueError(
        "Expected `audio_encoder` to be 'spectrogram' or 'waveform'. "
        f"Received: {kind}"
    )


def _text(kind, vocabulary_size, sequence_length, hidden_dim, sequence):
    if kind == "rnn":
        return rnn_text_encoder(
            vocabulary_size,
            sequence_length,
            hidden_dim,
            hidden_dim,
            "gru",
            return_sequences=sequence,
        )
    if kind == "transformer":
        return transformer_text_encoder(
            vocabulary_size,
            sequence_length,
            hidden_dim,
            num_heads=4,
            intermediate_dim=2 * hidden_dim,
            pooling=None if sequence else "avg",
        )
    raise ValueError(
        "Expected `text_encoder` to be 'rnn' or 'transformer'. "
        f"Received: {kind}"
    )
