import keras

MODES = ("mean", "weighted", "product")
EPSILON = 1e-7


@keras.saving.register_keras_serializable(package="keras_mm")
class LateFusion(keras.layers.Layer):
    """Decision-level fusion: combine per-modality predictions.

    Each modality has its own classifier; this layer averages their
    predicted probabilities, either equally (`"mean"`) or with learned
    weights normalized by a softmax (`"weighted"`), or multiplies them as a
    product of experts (`"product"`: `p ~ prod_i p_i^(1/M)`, renormalized),
    so the output is still a probability.

    Args:
        mode: str. `"mean"`, `"weighted"` or `"product"`.
        multi_label: bool. With `"product"`, treat each unit as an
            independent Bernoulli (always so for a single sigmoid unit)
            instead of one categorical distribution.

    Call arguments:
        inputs: list of tensors `(batch, ..., num_classes)`, one per
            modality, all of the same shape.

    Returns:
        A tensor `(batch, num_classes)`.

    Example:
    >>> LateFusion()([np.full((1, 2), 0.2), np.full((1, 2), 0.6)]).tolist()
    [[0.4000000059604645, 0.4000000059604645]]
    """

    def __init__(self, mode="mean", multi_label=False, **kwargs):
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(
                f"Expected `mode` to be one of {MODES}. Received: {mode}"
            )
        self.mode = mode
        self.multi_label = multi_label
        self.supports_masking = True

    def build(self, input_shape):
        shapes = {tuple(shape[1:]) for shape in input_shape}
        if len(shapes) != 1:
            raise ValueError(
                "Expected all predictions to have the same shape. "
                f"Received: {input_shape}"
            )
        self.logits = None
        if self.mode == "weighted":
            self.logits = self.add_weight(
                shape=(len(input_shape),), initializer="zeros", name="logits"
            )

    def call(self, inputs):
        # (modalities, batch, num_classes)
        stacked = keras.ops.stack(inputs, axis=0)
        if self.mode == "product":
            return self._product_of_experts(stacked)
        if self.logits is None:
            return keras.ops.mean(stacked, axis=0)
        weights = keras.ops.softmax(keras.ops.cast(self.logits, stacked.dtype))
        return keras.ops.tensordot(weights, stacked, axes=1)

    def _product_of_experts(self, stacked):
        log_p = keras.ops.mean(keras.ops.log(stacked + EPSILON), axis=0)
        if self.multi_label or stacked.shape[-1] == 1:
            log_q = keras.ops.mean(keras.ops.log(1.0 - stacked + EPSILON), 0)
            return keras.ops.sigmoid(log_p - log_q)
        return keras.ops.softmax(log_p, axis=-1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {
            **super().get_config(),
            "mode": self.mode,
            "multi_label": self.multi_label,
        }
