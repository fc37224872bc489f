import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import zero_absent
from keras_mm.fusion.projections import build_projections


@keras.saving.register_keras_serializable(package="keras_mm")
class GatedFusion(FusionLayer):
    """Complementary fusion with learned per-sample modality gates.

    Each modality is projected to `hidden_dim` with a tanh; a gate network
    reads all modalities together and assigns each sample a softmax weight
    per modality, so a sample can lean on whichever modality is informative
    for it: `h = sum_i g_i(x) * tanh(W_i x_i)`.

    Args:
        hidden_dim: int. Width of the projections and of the output.

    Call arguments:
        inputs: list of tensors `(batch, dim_i)`, one per modality.
        mask: list or None. Per-modality presence: `None` entries, or bool
            tensors `(batch,)` that are `False` where a modality is absent;
            absent modalities get a zero gate.

    Returns:
        A tensor `(batch, hidden_dim)`.

    Example:
    >>> keras.ops.shape(GatedFusion(4)([np.ones((2, 3)), np.ones((2, 5))]))
    (2, 4)
    """

    def __init__(self, hidden_dim=64, **kwargs):
        super().__init__(**kwargs)
        self.hidden_dim = hidden_dim

    def build(self, input_shape):
        self.projections = build_projections(
            self, input_shape, self.hidden_dim, "tanh"
        )
        self.gate = keras.layers.Dense(
            len(input_shape), dtype=self.dtype_policy, name="gate"
        )
        self.gate.build((None, sum(shape[-1] for shape in input_shape)))

    def call(self, inputs, mask=None):
        inputs, weights = zero_absent(inputs, mask)
        # (batch, modalities)
        present = keras.ops.concatenate(weights, axis=1)
        logits = self.gate(keras.ops.concatenate(inputs, axis=-1))
        # -1e4 rather than -inf keeps float16 softmax free of NaNs.
        gates = keras.ops.softmax(logits - 1e4 * (1.0 - present), axis=-1)
        gates = gates * present
        # (batch, modalities, hidden_dim)
        hidden = keras.ops.stack(
            [dense(x) for dense, x in zip(self.projections, inputs)], axis=1
        )
        return keras.ops.sum(gates[:, :, None] * hidden, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.hidden_dim)

    def get_config(self):
        return {**super().get_config(), "hidden_dim": self.hidden_dim}
