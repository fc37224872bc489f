import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import presence_weights
from keras_mm.fusion.projections import build_projections


@keras.saving.register_keras_serializable(package="keras_mm")
class BilinearFusion(FusionLayer):
    """Factorized bilinear pooling (MFB, Yu et al., 2017).

    Each modality is projected to `output_dim * factor_dim`; the projections
    are multiplied element-wise (a low-rank bilinear form; with more than two
    modalities, a multilinear one), sum-pooled over windows of `factor_dim`,
    then power-normalized (`sign(x) sqrt(|x|)`) and L2-normalized.

    Args:
        output_dim: int. Width of the output.
        factor_dim: int. Rank of the factorization per output unit.
        dropout: float. Dropout on the element-wise product.

    Call arguments:
        inputs: list of tensors `(batch, dim_i)`, one per modality.
        mask: list or None. Per-modality presence: `None` entries, or bool
            tensors `(batch,)` that are `False` where a modality is absent;
            an absent modality's factor is replaced by ones.

    Returns:
        A tensor `(batch, output_dim)` with unit L2 norm.

    Example:
    >>> layer = BilinearFusion(4, factor_dim=2)
    >>> keras.ops.shape(layer([np.ones((2, 3)), np.ones((2, 5))]))
    (2, 4)
    """

    def __init__(self, output_dim=64, factor_dim=4, dropout=0.1, **kwargs):
        super().__init__(**kwargs)
        self.output_dim = output_dim
        self.factor_dim = factor_dim
        self.dropout = dropout

    def build(self, input_shape):
        self.projections = build_projections(
            self, input_shape, self.output_dim * self.factor_dim
        )
        self.dropout_layer = keras.layers.Dropout(
            self.dropout, dtype=self.dtype_policy
        )

    def call(self, inputs, mask=None, training=None):
        joint = None
        weights = presence_weights(inputs, mask)
        for dense, x, w in zip(self.projections, inputs, weights):
            # Ones are the neutral element of the element-wise product.
            h = dense(x * w) * w + (1.0 - w)
            joint = h if joint is None else joint * h
        joint = self.dropout_layer(joint, training=training)
        # (batch, output_dim, factor_dim) summed over the factors.
        pooled = keras.ops.sum(
            keras.ops.reshape(joint, (-1, self.output_dim, self.factor_dim)),
            axis=-1,
        )
        pooled = keras.ops.sign(pooled) * keras.ops.sqrt(
            keras.ops.abs(pooled) + 1e-8
        )
        return keras.ops.normalize(pooled, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "output_dim": self.output_dim,
            "factor_dim": self.factor_dim,
            "dropout": self.dropout,
        }
