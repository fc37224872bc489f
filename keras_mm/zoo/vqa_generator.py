import keras

from keras_mm.fusion import build_fusion
from keras_mm.zoo.captioner import constructor_arguments
from keras_mm.zoo.decoder_captioner import DecoderCaptioner
from keras_mm.zoo.vqa_classifier import steered_features


@keras.saving.register_keras_serializable(package="keras_mm")
class VQAGenerator(DecoderCaptioner):
    """Question answering that writes its answer, token by token.

    The question and the context are read as `vqa_classifier` reads them
    (the question steers the image CNN with `FiLM`), and fused into
    `hidden_dim` features. A ReLU layer turns them into `memory_slots`
    vectors, which a keras-hub Transformer decoder (the captioners')
    cross-attends to while it writes the answer. It can answer in
    words it never saw as a whole answer, and in several words.

    Args:
        answer_vocabulary_size: int. Answer token ids, reserved ones
            included.
        answer_length: int. Answer tokens per input.
        modalities: tuple of str. `"question"` and the context
            modalities, among `keras_mm.modalities.list_modalities()`.
        image_shape, vocabulary_size, sequence_length, audio_length,
            sample_rate, text_encoder, audio_encoder, pooling,
            normalization, augmentation, modality_config: how the
            question and the context are read, as for `vqa_classifier`
            (`vocabulary_size` and `sequence_length` size a `text`
            context).
        hidden_dim: int. Width of the fused features and of the layer
            after them.
        memory_slots: int. Vectors the decoder attends to.
        decoder_dim: int. Width of the decoder's tokens and slots.
        num_layers: int. Decoder blocks.
        num_heads: int. Attention heads per block.
        intermediate_dim: int. Feed-forward width per block.
        dropout: float. Dropout before the slots and inside the blocks.
        memory_bias: bool. Add a projection of the slots to every
            token's embedding too (see `DecoderCaptioner`), starting
            from zero.

    The model maps the inputs and `"tokens"` (the answer's ids from
    `[START]` on) to next-token logits
    `(batch, answer_length, answer_vocabulary_size)`.

    Example:
    >>> config = {"question": {"vocabulary": ["is", "it", "red"],
    ...                        "sequence_length": 4}}
    >>> model = VQAGenerator(answer_vocabulary_size=12, answer_length=3,
    ...                      image_shape=(16, 16, 1), hidden_dim=32,
    ...                      decoder_dim=16, modality_config=config)
    >>> model.conditioning_inputs
    ['image', 'question']
    """

    def __init__(
        self,
        answer_vocabulary_size=100,
        answer_length=4,
        modalities=("image", "question"),
        image_shape=(64, 64, 3),
        vocabulary_size=10000,
        sequence_length=32,
        audio_length=8000,
        sample_rate=8000,
        text_encoder="rnn",
        audio_encoder="spectrogram",
        hidden_dim=512,
        memory_slots=4,
        decoder_dim=128,
        num_layers=1,
        num_heads=4,
        intermediate_dim=256,
        dropout=0.1,
        memory_bias=True,
        pooling="flatten",
        normalization=True,
        augmentation=True,
        modality_config=None,
        **kwargs,
    ):
        arguments = constructor_arguments(locals())
        config = {**arguments, "modality_config": modality_config or {}}
        # === Layers ===
        inputs, features = steered_features(config)
        fused = build_fusion("concat", hidden_dim)(list(features.values()))
        x = keras.layers.Dense(hidden_dim, "relu", name="answer_features")(
            fused
        )
        x = keras.layers.Dropout(dropout)(x)
        x = keras.layers.Dense(memory_slots * decoder_dim, name="slots")(x)
        # (batch, memory_slots, decoder_dim)
        slots = keras.layers.Reshape((memory_slots, decoder_dim))(x)
        self.context_encoder = keras.Model(
            inputs, slots, name="context_encoder"
        )
        if memory_bias:
            self.memory_bias = keras.Sequential(
                [
                    keras.layers.Flatten(),
                    # From zero: a random start can drown the tokens'
                    # embeddings (demo questions, 900 steps: 0.42
                    # right, against 0.75 from zero and 0.65 without).
                    keras.layers.Dense(decoder_dim, kernel_initializer="zeros"),
                    keras.layers.Reshape((1, decoder_dim)),
                ],
                name="memory_bias",
            )
        self.build_decoder(
            answer_vocabulary_size,
            answer_length,
            decoder_dim,
            num_layers,
            num_heads,
            intermediate_dim,
            dropout,
        )
        # === Functional model ===
        inputs = {
            name: keras.Input(x.shape[1:], dtype=x.dtype, name=name)
            for name, x in inputs.items()
        }
        inputs["tokens"] = keras.Input(
            (answer_length,), dtype="int32", name="tokens"
        )
        logits = self.decode(inputs["tokens"], self.memory(inputs))
        kwargs.setdefault("name", "vqa_generator")
        super().__init__(inputs, logits, arguments, **kwargs)

    def memory(self, inputs):
        """The answer's memory `(batch, memory_slots, decoder_dim)`."""
        return self.context_encoder(
            {name: inputs[name] for name in self.context_encoder.input}
        )
