import keras
from keras import ops


class TransformerCaptionerSteps:
    """Next-token functions for a `transformer_captioner`, for the samplers.

    keras-hub samplers call `next(prompt, cache, index)` for the logits of
    position `index`. The cached version feeds only token `index - 1` and
    keeps every block's self-attention keys and values (and the image's
    cross-attention keys and values) in the cache, so a step costs the same
    at any position. The uncached version reruns the decoder over the whole
    prefix at every step; it exists to check and measure the cache.

    Args:
        model: a `transformer_captioner` model (built or loaded).
    """

    def __init__(self, model):
        self.inputs = ["image"]
        self.image_memory = keras.Model(
            model.input["image"], model.get_layer("image_memory").output
        )
        self.embedding = model.get_layer("token_embedding")
        layers = {layer.name: layer for layer in model.layers}
        self.blocks = []
        while f"decoder_{len(self.blocks)}" in layers:
            self.blocks.append(layers[f"decoder_{len(self.blocks)}"])
        self.logits = model.get_layer("logits")
        self.sequence_length = model.input["tokens"].shape[1]

    def memory(self, inputs):
        """Image patch tokens `(batch, patches, hidden_dim)`."""
        return self.image_memory(inputs["image"])

    def initial_cache(self, inputs):
        """`(self_cache, cross_cache, memory)` for `{"image": images}`.

        Shapes `(batch, layers, 2, sequence_length, heads, head_dim)` and
        `(batch, layers, 2, patches, heads, head_dim)`.
        """
        memory = self.memory(inputs)
        batch = ops.shape(memory)[0]
        # Any token works here: only the cross-attention cache is kept.
        x = self.embedding(ops.zeros((batch, 1), "int32"))
        self_caches, cross_caches = [], []
        for block in self.blocks:
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
        x = self.embedding(token, start_index=index - 1)
        updated = []
        for i, block in enumerate(self.blocks):
            x, layer_cache, _ = block(
                x,
                encoder_sequence=memory,
                self_attention_cache=self_cache[:, i],
                self_attention_cache_update_index=index - 1,
                cross_attention_cache=cross_cache[:, i],
                cross_attention_cache_update_index=None,
            )
            updated.append(layer_cache)
        logits = self.logits(x)[:, 0]
        return logits, None, (ops.stack(updated, axis=1), cross_cache, memory)

    def uncached_next(self, prompt, memory, index):
        # The causal mask alone hides the not yet generated positions.
        x = self.embedding(prompt[:, : self.sequence_length])
        for block in self.blocks:
            x = block(x, encoder_sequence=memory)
        logits = self.logits(x)
        return ops.take(logits, index - 1, axis=1), None, memory
