import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import zero_absent
from keras_mm.fusion.projections import build_projections


@keras.saving.register_keras_serializable(package="keras_mm")
class ConcatFusion(FusionLayer):
    """Feature-level fusion: concatenate per-modality feature vectors.

    Optionally projects each modality to `projection_dim` first, so that a
    wide modality does not dominate the fused vector by width alone, and the
    concatenation to `output_dim` after (Article B's fusion module).

    Args:
        projection_dim: int or None. Width of the per-modality projection.
            `None` concatenates the features as they are.
        output_dim: int or None. Width of a projection of the concatenation.
        activation: str or None. Activation of the projections.

    Call arguments:
        inputs: list of tensors `(batch, dim_i)`, one per modality.
        mask: list or None. Per-modality presence: `None` entries, or bool
            tensors `(batch,)` that are `False` where a modality is absent;
            its features are zeroed.

    Returns:
        A tensor `(batch, output_dim)` if `output_dim` is set, else
        `(batch, M * projection_dim)` or `(batch, sum(dim_i))`.

    Example:
    >>> keras.ops.shape(ConcatFusion()([np.ones((2, 3)), np.ones((2, 5))]))
    (2, 8)
    """

    def __init__(
        self, projection_dim=None, output_dim=None, activation=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.projection_dim = projection_dim
        self.output_dim = output_dim
        self.activation = activation

    def build(self, input_shape):
        self.projections = []
        if self.projection_dim is not None:
            self.projections = build_projections(
                self, input_shape, self.projection_dim, self.activation
            )
        self.output_projection = None
        if self.output_dim is not None:
            self.output_projection = keras.layers.Dense(
                self.output_dim,
                activation=self.activation,
                dtype=self.dtype_policy,
                name="output_projection",
            )
            self.output_projection.build(self._concat_shape(input_shape))

    def call(self, inputs, mask=None):
        if self.projections:
            inputs = [dense(x) for dense, x in zip(self.projections, inputs)]
        inputs, _ = zero_absent(inputs, mask)
        fused = keras.ops.concatenate(inputs, axis=-1)
        if self.output_projection is not None:
            fused = self.output_projection(fused)
        return fused

    def _concat_shape(self, input_shape):
        if self.projection_dim is None:
            width = sum(shape[-1] for shape in input_shape)
        else:
            width = self.projection_dim * len(input_shape)
        return (*input_shape[0][:-1], width)

    def compute_output_shape(self, input_shape):
        shape = self._concat_shape(input_shape)
        if self.output_dim is None:
            return shape
        return (*shape[:-1], self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "projection_dim": self.projection_dim,
            "output_dim": self.output_dim,
            "activation": self.activation,
        }
