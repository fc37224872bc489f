import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import zero_absent
from keras_mm.fusion.projections import build_projections


@keras.saving.register_keras_serializable(package="keras_mm")
class GatedFusion(FusionLayer):
    """Complementary fusion with learned per-sample, per-feature gates.

    A gated multimodal unit (GMU, Arevalo et al., 2017) for any number of
    modalities. Each modality is projected to `hidden_dim` with a tanh; a
    gate network reads all modalities together and gives every sample and
    every feature a softmax weight over the modalities, so a sample can
    lean on whichever modality is informative for it:
    `h_k = sum_i g_ik(x) * tanh(W_i x_i)_k`.

    Gates per feature rather than one gate per modality: with one scalar
    gate per modality, training on real digits sent every gate to the
    uninformative modality in the first epoch and never recovered
    (accuracy at chance); per-feature gates reached 0.89 (benchmarks).

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
            len(input_shape) * self.hidden_dim,
            dtype=self.dtype_policy,
            name="gate",
        )
        self.gate.build((None, sum(shape[-1] for shape in input_shape)))

    def call(self, inputs, mask=None):
        inputs, weights = zero_absent(inputs, mask)
        # (batch, modalities, 1)
        present = keras.ops.concatenate(weights, axis=1)[:, :, None]
        # (batch, modalities, hidden_dim)
        logits = keras.ops.reshape(
            self.gate(keras.ops.concatenate(inputs, axis=-1)),
            (-1, len(inputs), self.hidden_dim),
        )
        # -1e4 rather than -inf keeps float16 softmax free of NaNs.
        gates = keras.ops.softmax(logits - 1e4 * (1.0 - present), axis=1)
        gates = gates * present
        hidden = keras.ops.stack(
            [dense(x) for dense, x in zip(self.projections, inputs)], axis=1
        )
        return keras.ops.sum(gates * hidden, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.hidden_dim)

    def get_config(self):
        return {**super().get_config(), "hidden_dim": self.hidden_dim}
