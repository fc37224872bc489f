import keras
import keras_hub

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import masked_mean
from keras_mm.fusion.presence import token_masks
from keras_mm.fusion.projections import build_projections
from keras_mm.fusion.projections import project_tokens


@keras.saving.register_keras_serializable(package="keras_mm")
class MulTFusion(FusionLayer):
    """MulT-style crossmodal Transformer (Tsai et al., 2019).

    Each target modality's tokens pass through one crossmodal block per
    source modality: a keras-hub `TransformerDecoder` without causal mask,
    whose cross-attention lets the target attend to the source's tokens
    (self-attention and feed-forward included). Each target is then
    mean-pooled over its valid tokens and the targets are concatenated.

    Args:
        hidden_dim: int. Width of the tokens and of each pooled target.
        num_heads: int. Attention heads per block.
        intermediate_dim: int. Width of each block's feed-forward layer.
        dropout: float. Dropout inside the blocks.

    Call arguments:
        inputs: list of tensors `(batch, steps_i, dim_i)`, one per modality.
        mask: list or None. Per modality `None`, a presence mask
            `(batch,)` or a token mask `(batch, steps_i)`; invalid tokens
            are neither attended to nor pooled.

    Returns:
        A tensor `(batch, modalities * hidden_dim)`.

    Example:
    >>> layer = MulTFusion(8, num_heads=2, intermediate_dim=16)
    >>> keras.ops.shape(layer([np.ones((2, 5, 3)), np.ones((2, 7, 4))]))
    (2, 16)
    """

    sequence_inputs = True

    def __init__(
        self,
        hidden_dim=64,
        num_heads=4,
        intermediate_dim=128,
        dropout=0.1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.hidden_dim = hidden_dim
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout

    def build(self, input_shape):
        num = len(input_shape)
        if num < 2:
            raise ValueError("MulTFusion needs two modalities.")
        self.projections = build_projections(self, input_shape, self.hidden_dim)
        tokens_shape = (input_shape[0][0], None, self.hidden_dim)
        # blocks[i][k]: target i attending to its k-th source.
        self.blocks = []
        for i in range(num):
            row = []
            for j in range(num):
                if j == i:
                    continue
                block = keras_hub.layers.TransformerDecoder(
                    self.intermediate_dim,
                    self.num_heads,
                    dropout=self.dropout,
                    dtype=self.dtype_policy,
                    name=f"crossmodal_{i}_from_{j}",
                )
                block.build(tokens_shape, tokens_shape)
                row.append(block)
            self.blocks.append(row)

    def call(self, inputs, mask=None, training=None):
        masks = token_masks(inputs, mask)
        tokens = project_tokens(self.projections, inputs, masks)
        pooled = []
        for i, row in enumerate(self.blocks):
            sources = [j for j in range(len(inputs)) if j != i]
            h = tokens[i]
            for j, block in zip(sources, row):
                h = block(
                    h,
                    encoder_sequence=tokens[j],
                    decoder_padding_mask=masks[i],
                    encoder_padding_mask=masks[j],
                    use_causal_mask=False,
                    training=training,
                )
            pooled.append(masked_mean(h, masks[i]))
        return keras.ops.concatenate(pooled, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], len(input_shape) * self.hidden_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "num_heads": self.num_heads,
            "intermediate_dim": self.intermediate_dim,
            "dropout": self.dropout,
        }
