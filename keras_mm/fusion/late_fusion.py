import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import presence_weights

MODES = ("mean", "weighted", "product")
EPSILON = 1e-7


@keras.saving.register_keras_serializable(package="keras_mm")
class LateFusion(FusionLayer):
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
        inputs: list of tensors `(batch, num_classes)`, one per modality,
            all of the same shape.
        mask: list or None. Per-modality presence: `None` entries, or bool
            tensors `(batch,)` that are `False` where a modality is absent;
            the weights are renormalized over the present ones.

    Returns:
        A tensor `(batch, num_classes)`.

    Example:
    >>> probs = LateFusion()([np.full((1, 2), 0.2), np.full((1, 2), 0.6)])
    >>> keras.ops.convert_to_numpy(probs)
    array([[0.4, 0.4]], dtype=float32)
    """

    def __init__(self, mode="mean", multi_label=False, **kwargs):
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(
                f"Expected `mode` to be one of {MODES}. Received: {mode}"
            )
        self.mode = mode
        self.multi_label = multi_label

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

    def call(self, inputs, mask=None):
        # (modalities, batch, num_classes) and (modalities, batch, 1)
        stacked = keras.ops.stack(inputs, axis=0)
        present = keras.ops.stack(presence_weights(inputs, mask), axis=0)
        if self.logits is not None:
            logits = keras.ops.cast(self.logits, stacked.dtype)
            present = present * keras.ops.softmax(logits)[:, None, None]
        weights = present / keras.ops.maximum(
            keras.ops.sum(present, axis=0, keepdims=True), EPSILON
        )
        if self.mode == "product":
            return self._product_of_experts(stacked, weights)
        return keras.ops.sum(weights * stacked, axis=0)

    def _product_of_experts(self, stacked, weights):
        def log_mean(p):
            return keras.ops.sum(weights * keras.ops.log(p + EPSILON), axis=0)

        if self.multi_label or stacked.shape[-1] == 1:
            return keras.ops.sigmoid(log_mean(stacked) - log_mean(1 - stacked))
        return keras.ops.softmax(log_mean(stacked), axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {
            **super().get_config(),
            "mode": self.mode,
            "multi_label": self.multi_label,
        }
