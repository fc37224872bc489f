import keras
import keras_hub

from keras_mm.modalities import get_modality
from keras_mm.zoo.assemble import encoder_input
from keras_mm.zoo.captioner import constructor_arguments
from keras_mm.zoo.decoder_captioner import DecoderCaptioner
from keras_mm.zoo.image_cells import image_cells


@keras.saving.register_keras_serializable(package="keras_mm")
class TransformerCaptioner(DecoderCaptioner):
    """Captioner of images or videos: encoder tokens, keras-hub decoder.

    The CNN (batch-normalized, with random shifts while training) turns
    the image into a grid whose cells become patch tokens (with learned
    positions), which keras-hub `TransformerDecoder`
    blocks cross-attend to while causally self-attending over the caption
    tokens. Another modality in `modalities` (`"video"`: one token a
    frame, see `keras_mm.encoders.video_encoder`) gives the tokens of
    its sequence encoder, projected and with positions of their own;
    the memory is every modality's tokens, one after the other.

    Trained with teacher forcing: the input `tokens` are a caption's ids
    from `[START]` on, the targets the same ids shifted by one, and
    padding (id 0) is masked inside the graph.

    Generation (`keras_mm.captioning.generate`) caches each block's keys
    and values, so one new token costs one step (see `Captioner`).

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
        modalities: tuple of str. What the captions describe: `"image"`,
            `"video"`, or both.
        modality_config: dict or None. Modality name to the settings its
            sizing found (`"video"`: `{"shape": [frames, height, width,
            3]}`).

    The model maps `{"image", "tokens"}` (one input per modality) to
    next-token logits `(batch, sequence_length, vocabulary_size)`.
    """

    def __init__(
        self,
        vocabulary_size=1000,
        sequence_length=16,
        image_shape=(64, 64, 3),
        filters=(32, 64, 64),
        hidden_dim=64,
        num_layers=2,
        num_heads=4,
        intermediate_dim=128,
        dropout=0.1,
        modalities=("image",),
        modality_config=None,
        **kwargs,
    ):
        arguments = constructor_arguments(locals())
        # === Layers ===
        if not modalities or set(modalities) - {"image", "video"}:
            raise ValueError(
                "Expected `modalities` to be 'image', 'video' or both. "
                f"Received: {modalities}"
            )
        self.memory_encoders = [
            _image_memory(image_shape, filters, hidden_dim)
            if name == "image"
            else _sequence_memory(name, hidden_dim, modality_config)
            for name in modalities
        ]
        self.memory_join = None
        if len(modalities) > 1:
            self.memory_join = keras.layers.Concatenate(axis=1, name="memory")
        self.build_decoder(
            vocabulary_size,
            sequence_length,
            hidden_dim,
            num_layers,
            num_heads,
            intermediate_dim,
            dropout,
        )
        # === Functional model ===
        inputs = {
            name: encoder_input(encoder)
            for name, encoder in zip(modalities, self.memory_encoders)
        }
        inputs["tokens"] = keras.Input(
            (sequence_length,), dtype="int32", name="tokens"
        )
        logits = self.decode(inputs["tokens"], self.memory(inputs))
        kwargs.setdefault("name", "transformer_captioner")
        super().__init__(inputs, logits, arguments, **kwargs)

    def memory(self, inputs):
        """Every modality's tokens `(batch, tokens, hidden_dim)`."""
        names = [encoder.input.name for encoder in self.memory_encoders]
        tokens = [
            encoder(inputs[name])
            for name, encoder in zip(names, self.memory_encoders)
        ]
        return tokens[0] if len(tokens) == 1 else self.memory_join(tokens)


def _image_memory(image_shape, filters, hidden_dim):
    """Image patch tokens with learned positions."""
    image = keras.Input(image_shape, name="image")
    # (batch, patches, hidden_dim)
    patches = keras.layers.Dense(hidden_dim, name="patch_projection")(
        image_cells(image, filters)
    )
    positions = keras_hub.layers.PositionEmbedding(
        patches.shape[1], name="patch_positions"
    )(patches)
    return keras.Model(
        image,
        keras.layers.Add(name="image_memory")([patches, positions]),
        name="image_encoder",
    )


def _sequence_memory(name, hidden_dim, modality_config):
    """A modality's sequence encoder, projected, with learned positions."""
    config = {
        "hidden_dim": hidden_dim,
        "pooling": "positional",
        "normalization": True,
        "augmentation": True,
        "modality_config": modality_config or {},
    }
    encoder = get_modality(name).encoder(config, sequence=True)
    # (batch, tokens, hidden_dim)
    tokens = keras.layers.Dense(hidden_dim, name=f"{name}_projection")(
        encoder.output
    )
    positions = keras_hub.layers.PositionEmbedding(
        tokens.shape[1], name=f"{name}_positions"
    )(tokens)
    return keras.Model(
        encoder.input,
        keras.layers.Add(name=f"{name}_memory")([tokens, positions]),
        name=f"{name}_memory_encoder",
    )
