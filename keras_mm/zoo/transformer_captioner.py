import keras
import keras_hub
from keras import ops

from keras_mm.encoders import PaddingMask
from keras_mm.zoo.captioner import Captioner
from keras_mm.zoo.captioner import constructor_arguments
from keras_mm.zoo.image_cells import image_cells


@keras.saving.register_keras_serializable(package="keras_mm")
class TransformerCaptioner(Captioner):
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
        self.token_embedding = keras_hub.layers.TokenAndPositionEmbedding(
            vocabulary_size, sequence_length, hidden_dim, name="token_embedding"
        )
        self.decoder_blocks = [
            keras_hub.layers.TransformerDecoder(
                intermediate_dim,
                num_heads,
                dropout=dropout,
                name=f"decoder_{i}",
            )
            for i in range(num_layers)
        ]
        self.head = keras.layers.Dense(vocabulary_size, name="logits")
        # === Functional model ===
        inputs = {
            "image": keras.Input(image_shape, name="image"),
            "tokens": keras.Input(
                (sequence_length,), dtype="int32", name="tokens"
            ),
        }
        memory = self.image_encoder(inputs["image"])
        x = self.token_embedding(inputs["tokens"])
        mask = PaddingMask(name="padding_mask")(inputs["tokens"])
        for block in self.decoder_blocks:
            x = block(x, encoder_sequence=memory, decoder_padding_mask=mask)
        kwargs.setdefault("name", "transformer_captioner")
        super().__init__(inputs, self.head(x), arguments, **kwargs)

    def memory(self, inputs):
        """Image patch tokens `(batch, patches, hidden_dim)`."""
        return self.image_encoder(inputs["image"])

    def initial_cache(self, inputs):
        """`(self_cache, cross_cache, memory)` for `{"image": images}`.

        Shapes `(batch, layers, 2, sequence_length, heads, head_dim)` and
        `(batch, layers, 2, patches, heads, head_dim)`.
        """
        memory = self.memory(inputs)
        batch = ops.shape(memory)[0]
        # Any token works here: only the cross-attention cache is kept.
        x = self.token_embedding(ops.zeros((batch, 1), "int32"))
        self_caches, cross_caches = [], []
        for block in self.decoder_blocks:
            heads = block.num_heads
            head_dim = memory.shape[-1] // heads
            self_cache = ops.zeros(
                (batch, 2, self.sequence_length, heads, head_dim), x.dtype
            )
            cross_cache = ops.zeros(
                (batch, 2, memory.shape[1], heads, head_dim), x.dtype
            )
            _, _, cross_cache = block(
                x,
                encoder_sequence=memory,
                self_attention_cache=self_cache,
                self_attention_cache_update_index=0,
                cross_attention_cache=cross_cache,
                cross_attention_cache_update_index=0,
            )
            self_caches.append(self_cache)
            cross_caches.append(cross_cache)
        return (
            ops.stack(self_caches, axis=1),
            ops.stack(cross_caches, axis=1),
            memory,
        )

    def cached_next(self, prompt, cache, index):
        self_cache, cross_cache, memory = cache
        batch = ops.shape(prompt)[0]
        token = ops.slice(prompt, [0, index - 1], [batch, 1])
        x = self.token_embedding(token, start_index=index - 1)
        updated = []
        for i, block in enumerate(self.decoder_blocks):
            x, layer_cache, _ = block(
                x,
                encoder_sequence=memory,
                self_attention_cache=self_cache[:, i],
                self_attention_cache_update_index=index - 1,
                cross_attention_cache=cross_cache[:, i],
                cross_attention_cache_update_index=None,
            )
            updated.append(layer_cache)
        logits = self.head(x)[:, 0]
        return logits, None, (ops.stack(updated, axis=1), cross_cache, memory)

    def uncached_next(self, prompt, memory, index):
        # The causal mask alone hides the not yet generated positions.
        x = self.token_embedding(prompt[:, : self.sequence_length])
        for block in self.decoder_blocks:
            x = block(x, encoder_sequence=memory)
        logits = self.head(x)
        return ops.take(logits, index - 1, axis=1), None, memory
