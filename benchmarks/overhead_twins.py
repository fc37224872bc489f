"""Each zoo classifier (and the speech recognizer and the question
answerer) written again with stock Keras (and keras-hub) layers.

A twin is one flat functional graph with the zoo model's layers, sizes and
weights, but none of keras_mm's own: no nested encoder models, no fusion
layer (`Dense` projections and a `Concatenate`, or `MultiHeadAttention`
over stacked modality tokens), text masks from `Embedding(mask_zero=True)`,
presence applied by multiplying features by its columns, and stock
`RandomTranslation` and `RandomErasing` for keras_mm's `RandomShift` and
`RandomMask`. The attention twin has no modality embeddings (3 x 128
weights fewer); the others have exactly the zoo model's weight shapes.
"""

import keras
import keras_hub

L = keras.layers


def _inputs(model):
    return {
        name: keras.Input(x.shape[1:], dtype=x.dtype, name=name)
        for name, x in model.input.items()
    }


def _config(model, encoder, layer):
    """The config of a layer of an encoder, by name or by class."""
    for sublayer in model.get_layer(encoder).layers:
        if layer in (sublayer.name, type(sublayer)):
            return sublayer.get_config()
    raise ValueError(f"No {layer} in {encoder}")


def _conv_pool(x, filters, padding, conv=L.Conv2D, pool=L.MaxPooling2D):
    for f in filters:
        x = conv(f, 3, padding=padding, activation="relu")(x)
        if conv is L.Conv2D:
            x = pool(2)(x)
    return x


def _lstm_text(ids, vocabulary_size, dim, cell=L.LSTM, layers=1):
    x = L.Embedding(vocabulary_size, dim, mask_zero=True)(ids)
    for i in range(layers):
        x = cell(dim, return_sequences=i < layers - 1)(x)
    return x


def _mel(audio, model):
    config = _config(model, "audio_encoder", L.MelSpectrogram)
    x = L.MelSpectrogram.from_config(config)(audio)
    x = L.Reshape((*x.shape[1:], 1))(x)
    return L.LayerNormalization(axis=(1, 2))(x)


def seed000_concat(model):
    inputs = _inputs(model)
    image = L.Rescaling(1 / 255)(inputs["image"])
    image = L.Flatten()(_conv_pool(image, (32,), "valid"))
    image = L.Dense(128, "relu")(image)
    vocabulary = model.get_layer("rnn_text_encoder").layers[1].input_dim
    rnn = _lstm_text(inputs["text"], vocabulary, 128, L.SimpleRNN, 2)
    tokens = keras_hub.layers.TokenAndPositionEmbedding(
        vocabulary, inputs["text"].shape[1], 128, mask_zero=True
    )(inputs["text"])
    tokens = keras_hub.layers.TransformerEncoder(256, 2, dropout=0.1)(tokens)
    transformer = L.GlobalAveragePooling1D()(tokens)
    x = L.Concatenate()([image, rnn, transformer])
    outputs = L.Dense(model.output.shape[-1], "softmax")(x)
    return keras.Model(inputs, outputs, name="seed000_concat_twin")


def seed001_mmlm(model):
    inputs = _inputs(model)
    image = L.Rescaling(1 / 255)(inputs["image"])
    image = L.Flatten()(_conv_pool(image, (64,), "same"))
    image = L.Dense(128)(image)
    audio = _conv_pool(_mel(inputs["audio"], model), (16, 32), "same")
    audio = L.GlobalAveragePooling2D()(audio)
    vocabulary = model.get_layer("text_encoder").layers[1].input_dim
    text = _lstm_text(inputs["text"], vocabulary, 128)
    x = L.Dense(128)(L.Concatenate()([image, audio, text]))
    outputs = L.Dense(model.output.shape[-1], "softmax")(x)
    return keras.Model(inputs, outputs, name="seed001_mmlm_twin")


def seed004_attention(model):
    inputs = _inputs(model)
    image = L.Rescaling(1 / 255)(inputs["image"])
    image = L.Flatten()(_conv_pool(image, (32, 64), "valid"))
    audio = L.Reshape((-1, 1))(inputs["audio"])
    audio = _conv_pool(audio, (64, 64), "same", L.Conv1D)
    audio = L.GlobalAveragePooling1D()(L.MaxPooling1D(2)(audio))
    vocabulary = model.get_layer("text_encoder").layers[1].input_dim
    text = _lstm_text(inputs["text"], vocabulary, 128)
    # (batch, modalities, 128): one token per modality.
    tokens = L.Concatenate(axis=1)(
        [L.Reshape((1, 128))(L.Dense(128)(x)) for x in (image, audio, text)]
    )
    attended = L.MultiHeadAttention(4, 32)(tokens, tokens)
    tokens = L.LayerNormalization()(L.Add()([tokens, attended]))
    x = L.Dense(128, "relu")(L.GlobalAveragePooling1D()(tokens))
    outputs = L.Dense(model.output.shape[-1], "softmax")(x)
    return keras.Model(inputs, outputs, name="seed004_attention_twin")


def _bn_blocks(x, filters):
    for f in filters:
        x = L.Conv2D(f, 3, padding="same", use_bias=False)(x)
        x = L.Activation("relu")(L.BatchNormalization()(x))
        x = L.MaxPooling2D(2)(x)
    return x


def _positional(x):
    # (batch, cells, channels) with a learned embedding per cell.
    cells = L.Reshape((-1, x.shape[-1]))(x)
    positions = keras_hub.layers.PositionEmbedding(cells.shape[1])(cells)
    cells = L.Dense(2 * x.shape[-1], "relu")(L.Add()([cells, positions]))
    return L.GlobalMaxPooling1D()(cells)


def _spectrogram(audio, model):
    """The log-mel CNN of `multimodal_classifier`, with its shifts and
    masks."""
    x = _mel(audio, model)
    shift = _config(model, "audio_encoder", "time_shift")
    x = L.RandomTranslation.from_config(shift)(x)
    mask = _config(model, "audio_encoder", "spec_mask")
    x = L.RandomErasing.from_config(mask)(x)
    return _positional(_bn_blocks(x, (32, 64)))


def multimodal_classifier(model):
    inputs = _inputs(model)
    image = L.Rescaling(1 / 255)(inputs["image"])
    shift = _config(model, "image_encoder", "random_shift")
    image = L.RandomTranslation.from_config(shift)(image)
    image = _positional(_bn_blocks(image, (16, 32, 64)))
    audio = _spectrogram(inputs["audio"], model)
    vocabulary = model.get_layer("text_encoder").layers[1].input_dim
    text = _lstm_text(inputs["text"], vocabulary, 64, L.GRU)
    presence = inputs["presence"]
    features = [
        L.Dense(64, "relu")(x) * presence[:, i : i + 1]
        for i, x in enumerate((image, audio, text))
    ]
    x = L.Dense(64, "relu")(L.Concatenate()(features))
    outputs = L.Dense(model.output.shape[-1], "softmax")(L.Dropout(0.1)(x))
    return keras.Model(inputs, outputs, name="multimodal_classifier_twin")


def ctc_speech_recognizer(model):
    """The recognizer in stock layers, as keras.io's example has it:
    `Bidirectional` GRUs over every step (the zoo's reverse each clip's
    steps in place instead, which changes nothing on unpadded batches),
    per-frame `LayerNormalization` only, and no SpecAugment
    (the zoo model is built with `augmentation=False` to compare)."""
    mel = next(x for x in model.layers if isinstance(x, L.MelSpectrogram))
    convs = [x for x in model.layers if isinstance(x, L.Conv2D)]
    # Units of each bidirectional layer (the zoo's forward GRUs, or its
    # masked `Bidirectional` layers with `backward="mask"`).
    units = [
        x.forward_layer.units if isinstance(x, L.Bidirectional) else x.units
        for x in model.layers
        if isinstance(x, L.Bidirectional) or x.name.startswith("forward_gru")
    ]
    assert units, "the recognizer has no recurrent layers"
    audio = keras.Input((None,), name="audio")
    x = L.Reshape((-1, 1))(audio)
    x = L.ZeroPadding1D((0, mel.sequence_length))(x)
    x = L.MelSpectrogram.from_config(mel.get_config())(L.Reshape((-1,))(x))
    x = L.LayerNormalization()(L.Permute((2, 1))(x))
    x = L.Reshape((-1, x.shape[-1], 1))(x)
    for conv in convs:
        x = L.ZeroPadding2D(((2, 2), (5, 5)))(x)
        x = L.Conv2D.from_config(conv.get_config())(x)
        x = L.ReLU()(L.BatchNormalization()(x))
    x = L.Reshape((-1, x.shape[2] * x.shape[3]))(x)
    for size in units:
        x = L.Bidirectional(L.GRU(size, return_sequences=True))(x)
        x = L.Dropout(0.2)(x)
    logits = L.Dense(model.output.shape[-1])(x)
    return keras.Model(
        {"audio": audio}, logits, name="ctc_speech_recognizer_twin"
    )


def _steered(inputs, model):
    """The question's GRU, then the image CNN with each block's maps
    scaled and shifted by a `Dense` projection of it (FiLM, in stock
    layers): `(image, question)` features and the model's `hidden_dim`.
    `model` holds the zoo model's `question_encoder` and `image_encoder`.
    """
    encoder = model.get_layer("question_encoder")
    vocabulary = encoder.layers[1].input_dim
    width = encoder.output.shape[-1]  # The model's `hidden_dim`.
    question = _lstm_text(inputs["question"], vocabulary, width, L.GRU)
    image = L.Rescaling(1 / 255)(inputs["image"])
    shift = _config(model, "image_encoder", "random_shift")
    x = L.RandomTranslation.from_config(shift)(image)
    for f in (16, 32, 64):
        x = L.Conv2D(f, 3, padding="same", use_bias=False)(x)
        x = L.BatchNormalization()(x)
        # (batch, 1, 1, 2 * f): a scale and a shift per channel.
        film = L.Reshape((1, 1, 2 * f))(L.Dense(2 * f)(question))
        x = L.Activation("relu")(x * (1 + film[..., :f]) + film[..., f:])
        x = L.MaxPooling2D(2)(x)
    return L.Flatten()(x), question, width


def vqa_classifier(model):
    """`_steered`'s features, concatenated as `multimodal_classifier`'s
    twin does."""
    inputs = _inputs(model)
    image, question, width = _steered(inputs, model)
    presence = inputs["presence"]
    features = [
        L.Dense(width, "relu")(x) * presence[:, i : i + 1]
        for i, x in enumerate((image, question))
    ]
    x = L.Dense(width, "relu")(L.Concatenate()(features))
    outputs = L.Dense(model.output.shape[-1], "softmax")(L.Dropout(0.1)(x))
    return keras.Model(inputs, outputs, name="vqa_classifier_twin")


def vqa_generator(model):
    """`_steered`'s features, concatenated, to the memory slots, then
    keras-hub decoder blocks over the answer tokens (masked by
    `mask_zero` where the zoo model passes a padding mask)."""
    inputs = _inputs(model)
    context = model.context_encoder
    image, question, width = _steered(inputs, context)
    features = [L.Dense(width, "relu")(x) for x in (image, question)]
    x = L.Dense(width, "relu")(L.Concatenate()(features))
    slots = context.output.shape[1:]
    x = L.Dense(slots[0] * slots[1])(L.Dropout(0.1)(x))
    memory = L.Reshape(slots)(x)
    vocabulary = model.output.shape[-1]
    y = keras_hub.layers.TokenAndPositionEmbedding(
        vocabulary, model.sequence_length, slots[1], mask_zero=True
    )(inputs["tokens"])
    if model.memory_bias is not None:
        # The slots, projected, added to every token's embedding.
        bias = L.Dense(slots[1], kernel_initializer="zeros")(
            L.Flatten()(memory)
        )
        # `Add` keeps the tokens' padding mask.
        y = L.Add()([y, L.Reshape((1, slots[1]))(bias)])
    for block in model.decoder_blocks:
        y = keras_hub.layers.TransformerDecoder(
            block.intermediate_dim, block.num_heads, dropout=block.dropout
        )(y, memory)
    logits = L.Dense(vocabulary)(y)
    return keras.Model(inputs, logits, name="vqa_generator_twin")


def _shifted_clips(video, model):
    """Every frame of a clip shifted alike: stock `RandomTranslation`
    over the frames stacked as channels."""
    frames, height, width, channels = video.shape[1:]
    x = L.Permute((2, 3, 1, 4))(video)
    x = L.Reshape((height, width, frames * channels))(x)
    shift = _config(model, "video_encoder", "clip_shift")
    x = L.RandomTranslation.from_config(shift)(x)
    x = L.Reshape((height, width, frames, channels))(x)
    return L.Permute((3, 1, 2, 4))(x)


def _video(video, model, hidden_dim):
    """(2+1)D blocks, each frame's map pooled (`_positional`) and
    projected, frame positions, a keras-hub Transformer block, the mean
    over frames."""
    x = L.Rescaling(1 / 255)(_shifted_clips(video, model))
    for f in (16, 32, 64):
        x = L.Conv3D(f, (1, 3, 3), padding="same", use_bias=False)(x)
        x = L.Activation("relu")(L.BatchNormalization()(x))
        x = L.MaxPooling3D((1, 2, 2))(x)
        x = L.Conv3D(f, (3, 1, 1), padding="same", use_bias=False)(x)
        x = L.Activation("relu")(L.BatchNormalization()(x))
    frame = keras.Input(x.shape[2:])
    pooled = L.Dense(hidden_dim, "relu")(_positional(frame))
    x = L.TimeDistributed(keras.Model(frame, pooled))(x)
    x = L.Add()([x, keras_hub.layers.PositionEmbedding(x.shape[1])(x)])
    x = keras_hub.layers.TransformerEncoder(2 * hidden_dim, 4, dropout=0.1)(x)
    return L.GlobalAveragePooling1D()(x)


def video_classifier(model):
    """`multimodal_classifier` on a video and its soundtrack."""
    inputs = _inputs(model)
    video = _video(inputs["video"], model, 64)
    audio = _spectrogram(inputs["audio"], model)
    presence = inputs["presence"]
    features = [
        L.Dense(64, "relu")(x) * presence[:, i : i + 1]
        for i, x in enumerate((audio, video))
    ]
    x = L.Dense(64, "relu")(L.Concatenate()(features))
    outputs = L.Dense(model.output.shape[-1], "softmax")(L.Dropout(0.1)(x))
    return keras.Model(inputs, outputs, name="video_classifier_twin")


TWINS = {
    "seed000_concat": seed000_concat,
    "seed001_mmlm": seed001_mmlm,
    "seed004_attention": seed004_attention,
    "multimodal_classifier": multimodal_classifier,
    "ctc_speech_recognizer": ctc_speech_recognizer,
    "vqa_classifier": vqa_classifier,
    "vqa_generator": vqa_generator,
    "video_classifier": video_classifier,
}
