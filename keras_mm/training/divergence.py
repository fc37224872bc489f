import math

import keras

# A mean loss this many times its first value (or 1, if larger) is a
# diverged run. Losses of the zoo's tasks (cross-entropies, InfoNCE) start
# near the log of the number of classes or tokens and fall; none rises
# 10,000-fold while it learns. A blown-up model keeps a finite loss (about
# 1e22 at a learning rate of 1e6) yet predicts garbage: it must not be
# saved.
DIVERGENCE_FACTOR = 1e4


class StopOnDivergence(keras.callbacks.Callback):
    """Raise `FloatingPointError` when the training loss diverges.

    It diverges when it becomes NaN or infinite, or exceeds `factor` times
    the first batch's loss of the run (at least `factor` itself). Raising
    rather than stopping keeps a diverged model from being saved.

    Args:
        factor: float. How many times its start the loss may reach.

    Example:
    >>> stop = StopOnDivergence()
    >>> stop.on_train_batch_end(0, {"loss": 2.3})
    >>> try:
    ...     stop.on_train_batch_end(1, {"loss": 2e26})
    ... except FloatingPointError as e:
    ...     print(str(e)[:43])
    Training diverged: the loss reached 2e+26,
    """

    def __init__(self, factor=DIVERGENCE_FACTOR):
        super().__init__()
        self.factor = factor
        self.start = None

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if not math.isfinite(loss):
            raise FloatingPointError(
                "Training diverged: the loss became NaN or infinite. Try a "
                "lower learning rate."
            )
        if self.start is None:
            self.start = loss
        if abs(loss) > self.factor * max(abs(self.start), 1.0):
            raise FloatingPointError(
                f"Training diverged: the loss reached {loss:.3g}, more than "
                f"{self.factor:g} times its start ({self.start:.3g}). Try a "
                "lower learning rate."
            )
