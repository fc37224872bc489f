from keras_mm.fusion import build_fusion
from keras_mm.modalities import get_modality
from keras_mm.modalities import list_modalities
from keras_mm.zoo.assemble import assemble


def multimodal_classifier(
    modalities=("image", "audio", "text"),
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
    modality_config=None,
):
    """Generic classifier: one encoder per modality, then fusion and a head.

    Each modality builds its default encoder (`keras_mm.modalities`): a
    CNN for `"image"`, a GRU (`"rnn"`) or Transformer for `"text"`, a
    log-mel CNN (`"spectrogram"`) or raw-waveform Conv1D for `"audio"`,
    an MLP over the columns for `"tabular"`. The fusion method named by
    `fusion` joins them (see `keras_mm.fusion.list_fusions()`: e.g.
    feature-level `"concat"`, representation-level `"attention"`,
    decision-level `"late"`).

    Args:
        modalities: tuple of str. Any non-empty subset of
            `keras_mm.modalities.list_modalities()`.
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
        modality_config: dict or None. Modality name to the settings its
            sizing found (`"tabular"`: `{"features": [...]}`, see
            `keras_mm.encoders.TabularTokens`).

    Returns:
        A `keras.Model` with one input per modality, plus `"presence"`
        with `missing_modalities`.

    Example:
    >>> model = multimodal_classifier(("image", "text"), fusion="attention")
    >>> sorted(model.input.keys())
    ['image', 'presence', 'text']
    """
    # The build arguments: each modality's encoder reads those it needs.
    config = {**locals(), "modality_config": modality_config or {}}
    known = list_modalities()
    unknown = set(modalities) - set(known)
    if not modalities or unknown:
        raise ValueError(
            "Expected `modalities` to be a non-empty subset of "
            f"{tuple(known)}. Received: {modalities}"
        )
    fusion_layer = build_fusion(fusion, hidden_dim, multi_label)
    encoders = [
        get_modality(name).encoder(config, fusion_layer.sequence_inputs)
        for name in known
        if name in modalities
    ]
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
