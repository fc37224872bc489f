import threading

import keras


@keras.saving.register_keras_serializable(package="keras_mm")
class AdamW(keras.optimizers.AdamW):
    """Keras' `AdamW`, evaluating a learning-rate schedule once per step.

    Keras' weight decay reads `learning_rate` once per variable, and with
    a schedule each read builds the schedule's ops again: a hundred copies
    in a traced training step, several seconds of tracing for the zoo's
    models. Here the weight decay of a step reuses one value. The updates,
    variables and config are Keras'.

    Example:
    >>> schedule = keras.optimizers.schedules.CosineDecay(1e-3, 100)
    >>> AdamW(schedule, weight_decay=1e-4).get_config()["weight_decay"]
    0.0001
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Per thread: replicas of a distribution strategy trace in threads.
        self._step_learning_rate = threading.local()

    def _apply_weight_decay(self, variables):
        pinned = self._step_learning_rate
        pinned.value = super()._get_current_learning_rate()
        try:
            super()._apply_weight_decay(variables)
        finally:
            pinned.value = None

    def _get_current_learning_rate(self):
        value = getattr(self._step_learning_rate, "value", None)
        if value is None:
            return super()._get_current_learning_rate()
        return value
