import keras
import keras_hub
from keras import ops

from keras_mm.encoders import PaddingMask
from keras_mm.zoo.captioner import Captioner


class DecoderCaptioner(Captioner):
    """A `Captioner` whose tokens cross-attend to a memory of vectors.

    Subclasses build their conditioning encoder, then the decoder
    (`build_decoder`: keras-hub `TransformerDecoder` blocks over a
    token and position embedding), wire them with `decode`, and define
    `memory(inputs)`: `(batch, slots, hidden_dim)`, what the tokens
    attend to. A subclass may also set `memory_bias`, a layer mapping
    the memory to `(batch, 1, hidden_dim)`, added to every token's
    embedding: a path from the memory to each step that does not go
    through attention. Generation caches each block's keys and values,
    so one new token costs one step.
    """

    memory_bias = None

    def build_decoder(
        self,
        vocabulary_size,
        sequence_length,
        hidden_dim,
        num_layers,
        num_heads,
        intermediate_dim,
        dropout,
    ):
        """Create the decoder's layers (called once, by the constructor)."""
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

    def decode(self, tokens, memory):
        """Next-token logits `(batch, sequence_length, vocabulary_size)`
        for teacher-forced `tokens`; padding (id 0) is masked."""
        x = self._biased(self.token_embedding(tokens), memory)
        mask = PaddingMask(name="padding_mask")(tokens)
        for block in self.decoder_blocks:
            x = block(x, encoder_sequence=memory, decoder_padding_mask=mask)
        return self.head(x)

    def _biased(self, embedded, memory):
        if self.memory_bias is None:
            return embedded
        return embedded + self.memory_bias(memory)

    def initial_cache(self, inputs):
        """`(self_cache, cross_cache, memory)` for the conditioning inputs.

        Shapes `(batch, layers, 2, sequence_length, heads, head_dim)` and
        `(batch, layers, 2, slots, heads, head_dim)`.
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
        x = self._biased(x, memory)
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
        x = self._biased(x, memory)
        for block in self.decoder_blocks:
            x = block(x, encoder_sequence=memory)
        logits = self.head(x)
        return ops.take(logits, index - 1, axis=1), None, memory
