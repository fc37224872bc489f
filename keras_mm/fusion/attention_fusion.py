import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import presence_weights
from keras_mm.fusion.projections import build_projections


@keras.saving.register_keras_serializable(package="keras_mm")
class AttentionFusion(FusionLayer):
    """Representation-level fusion: self-attention across modality tokens.

    Each modality's feature vector is projected to one `hidden_dim` token
    and tagged with a learned modality embedding. Multi-head self-attention,
    `softmax(Q K^T / sqrt(d_k)) V`, then lets every modality attend to the
    others, followed by a residual connection, layer normalization and a mean
    over the modality tokens.

    Args:
        hidden_dim: int. Width of the modality tokens and of the output.
        num_heads: int. Number of attention heads.
        dropout: float. Dropout on the attention weights.

    Call arguments:
        inputs: list of tensors `(batch, dim_i)`, one per modality.
        mask: list or None. Per-modality presence: `None` entries, or bool
            tensors `(batch,)` that are `False` where a modality is absent;
            absent tokens are neither attended to nor averaged.

    Returns:
        A tensor `(batch, hidden_dim)`.

    Example:
    >>> layer = AttentionFusion(hidden_dim=8, num_heads=2)
    >>> keras.ops.shape(layer([np.ones((2, 3)), np.ones((2, 5))]))
    (2, 8)
    """

    def __init__(self, hidden_dim=128, num_heads=4, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_dim = hidden_dim
        self.num_heads = num_heads
        self.dropout = dropout

    def build(self, input_shape):
        num_modalities = len(input_shape)
        batch = input_shape[0][0]
        self.projections = build_projections(self, input_shape, self.hidden_dim)
        self.modality_embeddings = self.add_weight(
            shape=(num_modalities, self.hidden_dim),
            initializer="glorot_uniform",
            name="modality_embeddings",
        )
        tokens_shape = (batch, num_modalities, self.hidden_dim)
        self.attention = keras.layers.MultiHeadAttention(
            self.num_heads,
            self.hidden_dim // self.num_heads,
            dropout=self.dropout,
            dtype=self.dtype_policy,
            name="attention",
        )
        self.attention.build(tokens_shape, tokens_shape)
        self.norm = keras.layers.LayerNormalization(
            dtype=self.dtype_policy, name="norm"
        )
        self.norm.build(tokens_shape)

    def call(self, inputs, mask=None, training=None):
        weights = presence_weights(inputs, mask)
        # (batch, modalities, hidden_dim)
        tokens = keras.ops.stack(
            [
                dense(x) * w
                for dense, x, w in zip(self.projections, inputs, weights)
            ],
            axis=1,
        )
        tokens = tokens + keras.ops.cast(self.modality_embeddings, tokens.dtype)
        # (batch, modalities)
        present = keras.ops.concatenate(weights, axis=1)
        num = len(inputs)
        # (batch, queries, keys): attend to present modalities only.
        attention_mask = keras.ops.broadcast_to(
            keras.ops.greater(present, 0.5)[:, None, :],
            (keras.ops.shape(present)[0], num, num),
        )
        attended = self.attention(
            tokens, tokens, attention_mask=attention_mask, training=training
        )
        tokens = self.norm(tokens + attended)
        total = keras.ops.sum(tokens * present[:, :, None], axis=1)
        count = keras.ops.maximum(keras.ops.sum(present, 1, keepdims=True), 1)
        return total / count

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.hidden_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "num_heads": self.num_heads,
            "dropout": self.dropout,
        }
