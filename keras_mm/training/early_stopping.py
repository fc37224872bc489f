import keras


class EarlyStopping(keras.callbacks.EarlyStopping):
    """Keras' early stopping, patient while the validation loss improves.

    A metric such as accuracy on a small validation set moves in coarse
    steps: it may stay below an early, lucky value for `patience` epochs
    while the model still learns, and plain early stopping would then
    stop and restore that early epoch. Here patience runs out only when
    neither the monitored metric nor the loss (`tie_breaker`) has
    improved for `patience` epochs, and of two epochs with the same
    metric the one with the lower loss is kept.

    Args:
        monitor: str. The metric whose best epoch is restored.
        tie_breaker: str or None. The loss (lower is better); None (or a
            `monitor` that is that loss) behaves as Keras' callback.
        **kwargs: `keras.callbacks.EarlyStopping` arguments.

    Example:
    >>> stopping = EarlyStopping("val_accuracy", patience=2, mode="max")
    >>> stopping.tie_breaker
    'val_loss'
    """

    # What a backup of the run keeps (see `keras_mm.training.resume`).
    STATE = (
        "wait",
        "best",
        "best_epoch",
        "stopped_epoch",
        "best_loss",
        "lowest_loss",
    )

    def __init__(self, monitor="val_loss", tie_breaker="val_loss", **kwargs):
        super().__init__(monitor, **kwargs)
        self.tie_breaker = None if tie_breaker == monitor else tie_breaker
        self.lowest_loss = None  # The lowest loss of any epoch so far.
        self.best_loss = None  # The loss of the best epoch.

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.lowest_loss = self.best_loss = None

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get(self.tie_breaker)
        if self.tie_breaker is None or loss is None:
            return super().on_epoch_end(epoch, logs)
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None:
            return
        learning = self.lowest_loss is None or loss < self.lowest_loss
        self.lowest_loss = loss if learning else self.lowest_loss
        better = self._is_improvement(current, self.best) or (
            current == self.best
            and (self.best_loss is None or loss < self.best_loss)
        )
        if better or self.best_weights is None:
            self.best, self.best_loss, self.best_epoch = current, loss, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        self.wait = 0 if better or learning else self.wait + 1
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
