import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import masked_mean
from keras_mm.fusion.presence import token_masks
from keras_mm.fusion.projections import build_projections
from keras_mm.fusion.projections import project_tokens


@keras.saving.register_keras_serializable(package="keras_mm")
class CrossAttentionFusion(FusionLayer):
    """Representation-level fusion: each modality's sequence queries the rest.

    Every modality's tokens are projected to `hidden_dim`; then, for each
    modality, its tokens attend (multi-head, `softmax(Q K^T / sqrt(d)) V`)
    to the tokens of all the other modalities, with a residual connection
    and layer normalization, and are mean-pooled over their valid tokens.

    Args:
        hidden_dim: int. Width of the tokens and of each pooled modality.
        num_heads: int. Attention heads.
        dropout: float. Dropout on the attention weights.

    Call arguments:
        inputs: list of tensors `(batch, steps_i, dim_i)`, one per modality.
        mask: list or None. Per modality `None`, a presence mask
            `(batch,)` or a token mask `(batch, steps_i)`; invalid tokens
            are neither attended to nor pooled.

    Returns:
        A tensor `(batch, modalities * hidden_dim)`.

    Example:
    >>> layer = CrossAttentionFusion(8, num_heads=2)
    >>> keras.ops.shape(layer([np.ones((2, 5, 3)), np.ones((2, 7, 4))]))
    (2, 16)
    """

    sequence_inputs = True

    def __init__(self, hidden_dim=64, num_heads=4, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_dim = hidden_dim
        self.num_heads = num_heads
        self.dropout = dropout

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError("CrossAttentionFusion needs two modalities.")
        self.projections = build_projections(self, input_shape, self.hidden_dim)
        self.attentions, self.norms = [], []
        for i, shape in enumerate(input_shape):
            query_shape = (shape[0], shape[1], self.hidden_dim)
            attention = keras.layers.MultiHeadAttention(
                self.num_heads,
                self.hidden_dim // self.num_heads,
                dropout=self.dropout,
                dtype=self.dtype_policy,
                name=f"attention_{i}",
            )
            attention.build(query_shape, (shape[0], None, self.hidden_dim))
            norm = keras.layers.LayerNormalization(
                dtype=self.dtype_policy, name=f"norm_{i}"
            )
            norm.build(query_shape)
            self.attentions.append(attention)
            self.norms.append(norm)

    def call(self, inputs, mask=None, training=None):
        masks = token_masks(inputs, mask)
        tokens = project_tokens(self.projections, inputs, masks)
        pooled = []
        for i, (query, query_mask) in enumerate(zip(tokens, masks)):
            # (batch, other_steps, hidden_dim) and (batch, other_steps)
            context = keras.ops.concatenate(
                [t for j, t in enumerate(tokens) if j != i], axis=1
            )
            context_mask = keras.ops.concatenate(
                [m for j, m in enumerate(masks) if j != i], axis=1
            )
            attention_mask = query_mask[:, :, None] & context_mask[:, None, :]
            attended = self.attentions[i](
                query,
                context,
                attention_mask=attention_mask,
                training=training,
            )
            # Queries with nothing to attend to get no update.
            any_context = keras.ops.any(context_mask, axis=1)[:, None, None]
            attended = attended * keras.ops.cast(any_context, attended.dtype)
            pooled.append(
                masked_mean(self.norms[i](query + attended), query_mask)
            )
        return keras.ops.concatenate(pooled, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], len(input_shape) * self.hidden_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "num_heads": self.num_heads,
            "dropout": self.dropout,
        }
