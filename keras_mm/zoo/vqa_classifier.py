import keras

from keras_mm.fusion import ModalityDropout
from keras_mm.fusion import ModalityMasks
from keras_mm.fusion import build_fusion
from keras_mm.heads import classification_head
from keras_mm.modalities import get_modality
from keras_mm.modalities import list_modalities
from keras_mm.zoo.assemble import encoder_input


def vqa_classifier(
    modalities=("image", "question"),
    num_classes=2,
    image_shape=(64, 64, 3),
    vocabulary_size=10000,
    sequence_length=32,
    audio_length=8000,
    sample_rate=8000,
    text_encoder="rnn",
    audio_encoder="spectrogram",
    hidden_dim=512,
    dropout=0.1,
    missing_modalities=True,
    modality_dropout=0.0,
    pooling="flatten",
    normalization=True,
    augmentation=True,
    modality_config=None,
):
    """Question answering: the question steers how the context is read.

    The question (the `question` modality, its own vocabulary under
    `modality_config["question"]`) is encoded first. Every context
    modality that can be steered (`Modality.conditioned_encoder`: the
    image CNN, whose blocks the question scales and shifts with `FiLM`)
    reads with the question's features; the others (audio, text, tables)
    use their default encoders. The question's and the context's
    features are concatenated, absent ones masked, and a head chooses
    among the training answers.

    Args:
        modalities: tuple of str. `"question"` and the context
            modalities, among `keras_mm.modalities.list_modalities()`.
        num_classes: int. Number of distinct answers (a softmax over
            them, also for two).
        image_shape, vocabulary_size, sequence_length, audio_length,
            sample_rate, text_encoder, audio_encoder, normalization,
            augmentation: as for `multimodal_classifier`.
        pooling: str. How the image CNN ends (see `cnn_image_encoder`).
            `"flatten"` keeps every cell apart, so the head can tell the
            left of the picture from the right; on the benchmark's
            questions about two digits it gave validation accuracy 0.70
            against 0.62 with `"positional"`.
        hidden_dim: int. Width of the question's features, of the
            context's and of the head. Wide, because the head composes
            what the question asks from what the context shows (a sum
            of two digits): on the benchmark's questions about real
            digits, 512 answered 0.91 right, 256 0.89 and 64 0.77.
        dropout: float. Dropout before the output layer.
        missing_modalities: bool. With a context, add the `"presence"`
            input, so that rows may lack a context modality.
        modality_dropout: float. Rate of whole-modality dropout in
            training.
        modality_config: dict or None. Modality name to its sizing's
            settings (`"question"`: its vocabulary and length; without
            them, `vocabulary_size` and `sequence_length` size it).

    Returns:
        A `keras.Model` with one input per modality (and `"presence"`).

    Example:
    >>> config = {"question": {"vocabulary": ["is", "it", "red"],
    ...                        "sequence_length": 4}}
    >>> model = vqa_classifier(("image", "question"), 3,
    ...                        image_shape=(16, 16, 1),
    ...                        modality_config=config)
    >>> sorted(model.input)
    ['image', 'presence', 'question']
    """
    config = {**locals(), "modality_config": modality_config or {}}
    inputs, features = steered_features(config)
    condition = features["question"]
    head = classification_head(
        num_classes, False, hidden_dim, dropout, binary=False
    )
    if len(inputs) == 1:
        return keras.Model(inputs, head(condition), name="vqa_classifier")
    masks = None
    if missing_modalities:
        presence = keras.Input((len(inputs),), name="presence")
        inputs["presence"] = presence
        if modality_dropout:
            presence = ModalityDropout(modality_dropout)(presence)
        masks = ModalityMasks()(presence)
    fused = build_fusion("concat", hidden_dim)(list(features.values()), masks)
    return keras.Model(inputs, head(fused), name="vqa_classifier")


def steered_features(config):
    """The question's features and the context's, read as it steers.

    Args:
        config: dict. A question-answering builder's arguments
            (`modalities`, `hidden_dim`, the shapes, `modality_config`).

    Returns:
        `(inputs, features)`: dicts by modality name of the model
        inputs and of their features `(batch, dim)`, the question last.
    """
    modalities, known = config["modalities"], list_modalities()
    if "question" not in modalities or set(modalities) - set(known):
        raise ValueError(
            "Expected `modalities` to include 'question', among "
            f"{tuple(known)}. Received: {modalities}"
        )
    question_encoder = get_modality("question").encoder(config, False)
    question = encoder_input(question_encoder)
    condition = question_encoder(question)
    inputs, features = {}, {}
    for name in (n for n in known if n in modalities and n != "question"):
        modality = get_modality(name)
        encoder = modality.conditioned_encoder(config, condition.shape[-1])
        if encoder is None:
            encoder = modality.encoder(config, False)
            inputs[name] = encoder_input(encoder)
            features[name] = encoder(inputs[name])
        else:
            inputs[name] = encoder_input(encoder)
            features[name] = encoder([inputs[name], condition])
    inputs["question"], features["question"] = question, condition
    return inputs, features
