import time
import warnings

import numpy as np

from keras_mm.log import log
from keras_mm.sublayers import sublayers


def tune_jit_compile(model, data, steps=4):
    """Time training steps with and without XLA and keep the faster.

    Which is faster depends on the model and the device: on a 2-core CPU,
    XLA made convolutional models 0.37-0.54x as fast and a masked LSTM
    1.8x as fast. Each choice is traced once, then timed over `steps`
    batches of `data`; the weights, the optimizer state and the metrics
    are restored afterwards, so training starts as if untouched.

    Args:
        model: a compiled `keras.Model`.
        data: `tf.data.Dataset` of `(inputs, targets)` batches.
        steps: int. Timed steps per choice, after one untimed step.

    Returns:
        The choice kept (a bool), which `model.jit_compile` is now set to;
        False without timing if Keras cannot compile the model with XLA.
    """
    with warnings.catch_warnings(record=True):
        model.jit_compile = True
    if not model.jit_compile:
        names = sorted(set(_without_jit(model))) or ["its settings"]
        log(
            "--jit-compile tune: Keras cannot compile this model with XLA "
            f"(because of {', '.join(names)}); training without XLA."
        )
        return False
    batches = list(data.take(steps + 1))
    weights = model.get_weights()
    state = [np.array(v) for v in model.optimizer.variables]
    seconds = {}
    for jit_compile in (False, True):
        model.jit_compile = jit_compile
        model.make_train_function(force=True)
        model.train_on_batch(*batches[0])  # traces and compiles
        start = time.perf_counter()
        for batch in batches[1:]:
            model.train_on_batch(*batch)
        seconds[jit_compile] = (time.perf_counter() - start) / steps
    model.set_weights(weights)
    for variable, value in zip(model.optimizer.variables, state):
        variable.assign(value)
    model.reset_metrics()
    kept = seconds[True] < seconds[False]
    model.jit_compile = kept
    model.make_train_function(force=True)
    log(
        f"--jit-compile tune: {1000 * seconds[False]:.0f} ms/step without "
        f"XLA, {1000 * seconds[True]:.0f} ms/step with XLA "
        f"({seconds[False] / seconds[True]:.2f}x); training "
        f"{'with' if kept else 'without'} XLA."
    )
    return kept


def _without_jit(model):
    """Class names of the layers under `model` that refuse XLA."""
    return [type(x).__name__ for x in sublayers(model) if not x.supports_jit]
