import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import zero_absent
from keras_mm.fusion.projections import build_projections


@keras.saving.register_keras_serializable(package="keras_mm")
class TensorFusion(FusionLayer):
    """Tensor Fusion Network (TFN): outer product of the modality vectors.

    Each vector gets a constant 1 appended, so the flattened outer product
    `z_1 (x) z_2 (x) ... (x) z_M` holds every unimodal, bimodal and trimodal
    interaction term (Zadeh et al., 2017). Its width is `prod(dim_i + 1)`,
    so keep the inputs narrow: `projection_dim` projects each modality first.

    Args:
        projection_dim: int or None. Width of a ReLU projection of each
            modality before the product; `None` uses the inputs as they are.

    Call arguments:
        inputs: list of tensors `(batch, dim_i)`, one per modality.
        mask: list or None. Per-modality presence: `None` entries, or bool
            tensors `(batch,)` that are `False` where a modality is absent;
            an absent modality contributes `[0, ..., 0, 1]`.

    Returns:
        A tensor `(batch, prod(d_i + 1))`, `d_i` being `projection_dim` if
        set, else `dim_i`.

    Example:
    >>> keras.ops.shape(TensorFusion()([np.ones((2, 3)), np.ones((2, 4))]))
    (2, 20)
    """

    def __init__(self, projection_dim=None, **kwargs):
        super().__init__(**kwargs)
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.projections = []
        if self.projection_dim is not None:
            self.projections = build_projections(
                self, input_shape, self.projection_dim, "relu"
            )

    def call(self, inputs, mask=None):
        if self.projections:
            inputs = [dense(x) for dense, x in zip(self.projections, inputs)]
        inputs, _ = zero_absent(inputs, mask)
        fused = None
        for x in inputs:
            ones = keras.ops.ones_like(x[:, :1])
            z = keras.ops.concatenate([x, ones], axis=-1)
            if fused is None:
                fused = z
                continue
            # (batch, width_so_far * (dim + 1))
            outer = keras.ops.einsum("bi,bj->bij", fused, z)
            fused = keras.ops.reshape(outer, (-1, outer.shape[1] * z.shape[1]))
        return fused

    def compute_output_shape(self, input_shape):
        width = 1
        for shape in input_shape:
            width *= (self.projection_dim or shape[-1]) + 1
        return (input_shape[0][0], width)

    def get_config(self):
        return {**super().get_config(), "projection_dim": self.projection_dim}
