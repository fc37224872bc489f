import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import zero_absent


@keras.saving.register_keras_serializable(package="keras_mm")
class LowRankFusion(FusionLayer):
    """Low-rank Multimodal Fusion (LMF): TFN with factorized weights.

    Computes what a linear layer on TFN's outer product would, without
    building the product: with each `z_i = [x_i, 1]` and `rank` factors
    `W_i^r`, the output is `sum_r w_r * prod_i (z_i W_i^r) + b`
    (Liu et al., 2018). Cost grows linearly in the modalities.

    Args:
        output_dim: int. Width of the output.
        rank: int. Number of rank-one factors.

    Call arguments:
        inputs: list of tensors `(batch, dim_i)`, one per modality.
        mask: list or None. Per-modality presence: `None` entries, or bool
            tensors `(batch,)` that are `False` where a modality is absent;
            an absent modality counts as a zero vector.

    Returns:
        A tensor `(batch, output_dim)`.

    Example:
    >>> layer = LowRankFusion(6, rank=2)
    >>> keras.ops.shape(layer([np.ones((2, 3)), np.ones((2, 4))]))
    (2, 6)
    """

    def __init__(self, output_dim=64, rank=4, **kwargs):
        super().__init__(**kwargs)
        self.output_dim = output_dim
        self.rank = rank

    def build(self, input_shape):
        self.factors = [
            self.add_weight(
                shape=(self.rank, shape[-1] + 1, self.output_dim),
                initializer="glorot_uniform",
                name=f"factor_{i}",
            )
            for i, shape in enumerate(input_shape)
        ]
        self.rank_weights = self.add_weight(
            shape=(self.rank,), initializer="ones", name="rank_weights"
        )
        self.bias = self.add_weight(
            shape=(self.output_dim,), initializer="zeros", name="bias"
        )

    def call(self, inputs, mask=None):
        inputs, _ = zero_absent(inputs, mask)
        product = None
        for x, factor in zip(inputs, self.factors):
            z = keras.ops.concatenate([x, keras.ops.ones_like(x[:, :1])], -1)
            # (batch, rank, output_dim)
            h = keras.ops.einsum(
                "bd,rdo->bro", z, keras.ops.cast(factor, z.dtype)
            )
            product = h if product is None else product * h
        weights = keras.ops.cast(self.rank_weights, product.dtype)
        fused = keras.ops.einsum("bro,r->bo", product, weights)
        return fused + keras.ops.cast(self.bias, fused.dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "output_dim": self.output_dim,
            "rank": self.rank,
        }
