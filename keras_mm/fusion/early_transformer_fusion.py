import keras
import keras_hub

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import masked_mean
from keras_mm.fusion.presence import token_masks
from keras_mm.fusion.projections import build_projections
from keras_mm.fusion.projections import project_tokens


@keras.saving.register_keras_serializable(package="keras_mm")
class EarlyTransformerFusion(FusionLayer):
    """Sequential (early) fusion: one Transformer over all modalities' tokens.

    The articles' 串联融合: each modality's tokens are projected to
    `hidden_dim`, tagged with a learned modality-type embedding and
    concatenated along time; shared keras-hub `TransformerEncoder` blocks
    then attend across all of them, and the valid tokens are mean-pooled.

    Args:
        hidden_dim: int. Width of the tokens and of the output.
        num_layers: int. Number of Transformer blocks.
        num_heads: int. Attention heads per block.
        intermediate_dim: int. Width of each block's feed-forward layer.
        dropout: float. Dropout inside the blocks.

    Call arguments:
        inputs: list of tensors `(batch, steps_i, dim_i)`, one per modality.
        mask: list or None. Per modality `None`, a presence mask
            `(batch,)` or a token mask `(batch, steps_i)`; invalid tokens
            are neither attended to nor pooled.

    Returns:
        A tensor `(batch, hidden_dim)`.

    Example:
    >>> layer = EarlyTransformerFusion(8, num_heads=2, intermediate_dim=16)
    >>> keras.ops.shape(layer([np.ones((2, 5, 3)), np.ones((2, 7, 4))]))
    (2, 8)
    """

    sequence_inputs = True

    def __init__(
        self,
        hidden_dim=64,
        num_layers=1,
        num_heads=4,
        intermediate_dim=128,
        dropout=0.1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout

    def build(self, input_shape):
        self.projections = build_projections(self, input_shape, self.hidden_dim)
        self.type_embeddings = self.add_weight(
            shape=(len(input_shape), self.hidden_dim),
            initializer="glorot_uniform",
            name="type_embeddings",
        )
        tokens_shape = (input_shape[0][0], None, self.hidden_dim)
        self.blocks = []
        for i in range(self.num_layers):
            block = keras_hub.layers.TransformerEncoder(
                self.intermediate_dim,
                self.num_heads,
                dropout=self.dropout,
                dtype=self.dtype_policy,
                name=f"block_{i}",
            )
            block.build(tokens_shape)
            self.blocks.append(block)

    def call(self, inputs, mask=None, training=None):
        masks = token_masks(inputs, mask)
        tokens = project_tokens(self.projections, inputs, masks)
        types = keras.ops.cast(self.type_embeddings, tokens[0].dtype)
        # (batch, all_steps, hidden_dim), in modality order.
        x = keras.ops.concatenate(
            [t + types[i] for i, t in enumerate(tokens)], axis=1
        )
        padding_mask = keras.ops.concatenate(masks, axis=1)
        for block in self.blocks:
            x = block(x, padding_mask=padding_mask, training=training)
        return masked_mean(x, padding_mask)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.hidden_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "num_layers": self.num_layers,
            "num_heads": self.num_heads,
            "intermediate_dim": self.intermediate_dim,
            "dropout": self.dropout,
        }
