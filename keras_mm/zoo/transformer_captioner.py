import keras
import keras_hub

from keras_mm.zoo.captioner import constructor_arguments
from keras_mm.zoo.decoder_captioner import DecoderCaptioner
from keras_mm.zoo.image_cells import image_cells


@keras.saving.register_keras_serializable(package="keras_mm")
class TransformerCaptioner(DecoderCaptioner):
    """Image captioner: CNN patch grid encoder, keras-hub Transformer decoder.

    The CNN (batch-normalized, with random shifts while training) turns
    the image into a grid whose cells become patch tokens (with learned
    positions), which keras-hub `TransformerDecoder`
    blocks cross-attend to while causally self-attending over the caption
    tokens. Trained with teacher forcing: the input `tokens` are a
    caption's ids from `[START]` on, the targets the same ids shifted by
    one, and padding (id 0) is masked inside the graph.

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

    The model maps `{"image", "tokens"}` to next-token logits
    `(batch, sequence_length, vocabulary_size)`.
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
        **kwargs,
    ):
        arguments = constructor_arguments(locals())
        # === Layers ===
        image = keras.Input(image_shape, name="image")
        # (batch, patches, hidden_dim)
        patches = keras.layers.Dense(hidden_dim, name="patch_projection")(
            image_cells(image, filters)
        )
        positions = keras_hub.layers.PositionEmbedding(
            patches.shape[1], name="patch_positions"
        )(patches)
        self.image_encoder = keras.Model(
            image,
            keras.layers.Add(name="image_memory")([patches, positions]),
            name="image_encoder",
        )
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
            "image": keras.Input(image_shape, name="image"),
            "tokens": keras.Input(
                (sequence_length,), dtype="int32", name="tokens"
            ),
        }
        logits = self.decode(
            inputs["tokens"], self.image_encoder(inputs["image"])
        )
        kwargs.setdefault("name", "transformer_captioner")
        super().__init__(inputs, logits, arguments, **kwargs)

    def memory(self, inputs):
        """Image patch tokens `(batch, patches, hidden_dim)`."""
        return self.image_encoder(inputs["image"])
