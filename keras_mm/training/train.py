import pathlib
import sys

import keras
from keras import tree

from keras_mm.training.adamw import AdamW
from keras_mm.training.divergence import StopOnDivergence
from keras_mm.training.early_stopping import EarlyStopping
from keras_mm.training.jit_tune import tune_jit_compile
from keras_mm.training.processes import is_chief
from keras_mm.training.resume import TrainingState
from keras_mm.training.resume import completed_epochs
from keras_mm.training.resume import stopped

JIT_COMPILE = {"auto": "auto", "on": True, "off": False, "tune": False}
WEIGHT_DECAY = 1e-4
WARMUP_FRACTION = 0.05


def optimizer(learning_rate=1e-3, total_steps=None, weight_decay=WEIGHT_DECAY):
    """AdamW with a linear warmup and a cosine decay over `total_steps`.

    Without `total_steps` the learning rate is constant.

    Args:
        learning_rate: float. Peak learning rate, reached after the
            warmup (5% of the steps).
        total_steps: int or None. Training steps of the whole run.
        weight_decay: float. Decoupled weight decay.

    Example:
    >>> float(optimizer(1e-3, total_steps=100).learning_rate) < 1e-3
    True
    """
    return AdamW(schedule(learning_rate, total_steps), weight_decay)


def schedule(learning_rate=1e-3, total_steps=None):
    """`optimizer`'s learning rate: a schedule, or constant without steps."""
    if not total_steps:
        return learning_rate
    warmup = max(1, int(WARMUP_FRACTION * total_steps))
    return keras.optimizers.schedules.CosineDecay(
        0.0,
        decay_steps=max(1, total_steps - warmup),
        alpha=0.01,
        warmup_target=learning_rate,
        warmup_steps=warmup,
    )


class StopWhenPerfect(keras.callbacks.Callback):
    """Stop once an accuracy-like metric reaches 1: nothing is left to gain.

    Both its validation and its training value must be 1. Early stopping
    would otherwise wait `patience` more epochs; the best weights are
    those of this epoch, which early stopping restores.

    Args:
        monitor: str. A metric, higher being better; its validation value
            (`val_` + `monitor`) when the logs have one.
    """

    def __init__(self, monitor="accuracy"):
        super().__init__()
        self.monitor = monitor

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        trained = logs.get(self.monitor, 0.0)
        value = logs.get(f"val_{self.monitor}", trained)
        # A small validation set may be perfect by luck: the training
        # rows must be too.
        if value >= 1.0 and trained >= 1.0:
            self.model.stop_training = True


class SaveBest(keras.callbacks.Callback):
    """Write the weights of early stopping's best epoch when it finds one.

    The checkpoint then holds the weights early stopping restores (a
    Keras `ModelCheckpoint` would break ties of the metric otherwise).

    Args:
        path: path of the `.weights.h5` file.
        early_stopping: the `EarlyStopping` callback, which runs first.
    """

    def __init__(self, path, early_stopping):
        super().__init__()
        self.path = path
        self.early_stopping = early_stopping

    def on_epoch_end(self, epoch, logs=None):
        if self.early_stopping.best_epoch == epoch:
            self.model.save_weights(self.path)


# The options of `Task.training_options` that `compile` takes.
COMPILE_OPTIONS = ("loss", "metrics")


def compile_options(options):
    """The entries of a task's training options that `compile_model` takes.

    Example:
    >>> compile_options({"loss": "mse", "monitor": "loss"})
    {'loss': 'mse'}
    """
    return {k: v for k, v in options.items() if k in COMPILE_OPTIONS}


def compile_model(
    model,
    loss,
    metrics=None,
    learning_rate=1e-3,
    jit_compile="auto",
    total_steps=None,
):
    """Compile a model with keras_mm's optimizer and a loss.

    The loss and metrics come from the model's task (see
    `keras_mm.tasks.Task.training_options` and `compile_options`).

    Args:
        model: `keras.Model`. The model to compile.
        loss: a Keras loss.
        metrics: list or None. Metrics to go with `loss`.
        learning_rate: float. Peak learning rate (see `optimizer`).
        jit_compile: str or bool. `"auto"`, `"on"` or `"off"` (or a bool),
            passed to Keras; `"tune"` compiles without XLA, for `train`
            to time both (see `tune_jit_compile`).
        total_steps: int or None. Steps of the run, for the schedule.
    """
    if jit_compile not in JIT_COMPILE and not isinstance(jit_compile, bool):
        raise ValueError(
            "Expected `jit_compile` to be 'auto', 'on', 'off' or 'tune'. "
            f"Received: {jit_compile}"
        )
    model.compile(
        optimizer=optimizer(learning_rate, total_steps),
        loss=loss,
        metrics=metrics,
        jit_compile=JIT_COMPILE.get(jit_compile, jit_compile),
    )


def train(
    model,
    train_data,
    validation_data=None,
    epochs=10,
    learning_rate=1e-3,
    jit_compile="auto",
    patience=10,
    out_dir=None,
    verbose=None,
    callbacks=None,
    loss=None,
    metrics=None,
    monitor="loss",
    mode=None,
    steps_per_epoch=None,
    resumable=False,
):
    """Compile and fit a model with early stopping and checkpoints.

    The optimizer is AdamW (weight decay 1e-4) whose learning rate warms
    up over the first 5% of the steps and then follows a cosine decay.
    Training stops when neither the monitored validation metric nor the
    validation loss has improved for `patience` epochs (or when a task's
    callback says so), and the weights of the best epoch by the metric
    (the lower loss breaking ties) are restored (see `EarlyStopping`).
    The loss, metrics, monitored metric and extra callbacks are the
    task's: pass `**task.training_options(preprocessor)`.
    With `out_dir`, the best weights are checkpointed to
    `out_dir/checkpoint.weights.h5` (or, with `resumable`, kept in the
    backup) and the history is written to `out_dir/history.csv` as
    training goes.

    Args:
        model: `keras.Model`. The model to train.
        train_data: `tf.data.Dataset`. Yields `(inputs, targets)`.
        validation_data: `tf.data.Dataset` or None. Same structure.
        epochs: int. Maximum number of epochs.
        learning_rate: float. Peak learning rate.
        jit_compile: str. `"auto"`, `"on"`, `"off"` or `"tune"`: time a
            few training steps with and without XLA, and keep the faster
            (see `tune_jit_compile`).
        patience: int. Epochs without improvement before stopping.
        out_dir: str or None. Folder for the checkpoint and history.
        verbose: int or None. Keras verbosity; by default a progress bar on
            a terminal and one line per epoch otherwise.
        callbacks: list or None. More Keras callbacks (a task's), run
            after the divergence check and before early stopping, so
            that they may add the monitored metric to the logs.
        loss: a Keras loss; None for a model that computes its own
            (overrides `compute_loss`, as `CTCSpeechRecognizer` does).
        metrics: list or None. Metrics to go with `loss`.
        monitor: str. Metric to stop on and keep the best weights of,
            without the `val_` prefix. Validation values are used when
            there is validation data.
        mode: `"min"`, `"max"` or None: whether `monitor` is better lower
            or higher; None: lower for a loss, higher otherwise.
        steps_per_epoch: int or None. Batches per epoch, when `train_data`
            holds every epoch (see `Preprocessor.dataset(epochs=...)`).
        resumable: bool. Back the run up to `out_dir` at every epoch
            (see `TrainingState`, which keeps the best weights too, so
            no `checkpoint.weights.h5` is written) and continue the run
            backed up there, if any. `train_data` must then start at the
            epoch to continue from (`completed_epochs(out_dir)`).

    Returns:
        The `keras.callbacks.History` of the run.

    Raises:
        FloatingPointError: if the loss diverges: NaN, infinite, or 10,000
            times its start (see `StopOnDivergence`).
    """
    if loss is None and not computes_own_loss(model):
        raise ValueError(
            "train() needs the task's loss: pass "
            "**task.training_options(preprocessor) "
            "(see keras_mm.tasks.get_task)."
        )
    steps = steps_per_epoch or int(train_data.cardinality())
    total_steps = epochs * steps if steps > 0 else None
    compile_model(model, loss, metrics, learning_rate, jit_compile, total_steps)
    build_training_state(model, train_data.element_spec)
    if jit_compile == "tune":
        tune_jit_compile(model, train_data)
    if validation_data is not None:
        monitor = f"val_{monitor}"
    mode = mode or ("min" if monitor.endswith("loss") else "max")
    early_stopping = EarlyStopping(
        monitor,
        "val_loss" if validation_data is not None else "loss",
        patience=patience,
        mode=mode,
        restore_best_weights=True,
    )
    # The task's callbacks run before early stopping: they may add the
    # metric it watches to the logs.
    callbacks = [StopOnDivergence(), *(callbacks or []), early_stopping]
    initial_epoch, state = 0, []
    # In a run of several processes, only the chief writes.
    writes = out_dir is not None and is_chief()
    if out_dir is not None:
        out_dir = pathlib.Path(out_dir)
        if writes:
            out_dir.mkdir(parents=True, exist_ok=True)
        if resumable:
            # The backup holds the best weights (early stopping's): an h5
            # checkpoint of them cost more than the backup itself.
            initial_epoch = completed_epochs(out_dir)
            if writes:
                _keep_history(out_dir / "history.csv", initial_epoch)
            state = [TrainingState(out_dir, early_stopping)]
            if stopped(out_dir):
                epochs = initial_epoch  # Only restore the best weights.
        elif writes:
            callbacks.append(
                SaveBest(out_dir / "checkpoint.weights.h5", early_stopping)
            )
    if writes:
        callbacks.append(
            keras.callbacks.CSVLogger(
                out_dir / "history.csv", append=initial_epoch > 0
            )
        )
    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    if not is_chief():
        verbose = 0
    try:
        return model.fit(
            train_data,
            validation_data=validation_data,
            epochs=epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch,
            callbacks=callbacks + state,
            verbose=verbose,
            shuffle=False,  # The dataset shuffles itself.
        )
    finally:
        for callback in state:
            callback.join()


def computes_own_loss(model):
    """Whether a model overrides `compute_loss` (and needs no `loss`)."""
    return type(model).compute_loss is not keras.Model.compute_loss


def build_training_state(model, element_spec):
    """Create a compiled model's optimizer and metric variables now.

    Keras' TensorFlow trainer creates them inside the first trace of the
    training step, and `tf.function` then traces the step a second time:
    several seconds per run for the zoo's models. One eager forward pass,
    loss and metrics on a zero batch of `element_spec` build them before
    `fit` traces; the weights do not change. Other backends build them
    symbolically in `fit`, where an eager pass would only cost time (on
    JAX, one XLA compilation per operation): they get the optimizer's.

    Args:
        model: a compiled `keras.Model`.
        element_spec: `(inputs, targets)` specs of the training data.
    """
    if keras.backend.backend() == "tensorflow":
        inputs, targets = (
            tree.map_structure(_zeros, spec) for spec in element_spec[:2]
        )
        outputs = model(inputs, training=False)
        model.compute_loss(inputs, targets, outputs, training=False)
        model.compute_metrics(inputs, targets, outputs, sample_weight=None)
        model.reset_metrics()
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)


def _zeros(spec):
    # Variable lengths (a clip's samples) take 1.
    shape = [1 if size is None else size for size in spec.shape[1:]]
    return keras.ops.zeros((1, *shape), spec.dtype.name)


def _keep_history(path, epochs):
    """Keep the header and the first `epochs` rows of a history CSV."""
    if path.is_file():
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(lines[: epochs + 1]))
