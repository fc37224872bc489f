import keras
from keras import ops


def caption_loss(pad_id=0):
    """Next-token cross-entropy on logits that ignores padding targets."""
    return keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=pad_id
    )


@keras.saving.register_keras_serializable(package="keras_mm")
class TokenAccuracy(keras.metrics.Mean):
    """Share of non-padding target tokens whose argmax prediction is right.

    Args:
        pad_id: int. Targets equal to it are not counted.
        name: str. Metric name.

    Example:
    >>> metric = TokenAccuracy()
    >>> logits = np.eye(3)[None, [1, 2, 0]]  # predicts 1, 2, 0
    >>> metric.update_state(np.array([[1, 1, 0]]), logits)
    >>> float(metric.result())
    0.5
    """

    def __init__(self, pad_id=0, name="token_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.pad_id = pad_id

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, "int32")
        predicted = ops.cast(ops.argmax(y_pred, axis=-1), "int32")
        correct = ops.cast(ops.equal(predicted, y_true), self.dtype)
        weight = ops.cast(ops.not_equal(y_true, self.pad_id), self.dtype)
        if sample_weight is not None:
            weight = weight * ops.cast(sample_weight, self.dtype)
        return super().update_state(correct, sample_weight=weight)

    def get_config(self):
        return {**super().get_config(), "pad_id": self.pad_id}
