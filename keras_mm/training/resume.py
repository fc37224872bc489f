"""Resumable training: everything a run needs to continue after a kill."""

import json
import os
import pathlib
import threading
import time

import keras
import numpy as np

from keras_mm.training.processes import is_chief
from keras_mm.training.processes import state_variables

STATE_FILE = "state.json"


def _saved_state(folder):
    """The last backup's `state.json` in `folder`, or `{}` if none."""
    path = pathlib.Path(folder) / STATE_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def completed_epochs(folder):
    """Epochs a run in `folder` has completed (0 if none).

    Example:
    >>> completed_epochs("no/such/folder")
    0
    """
    return _saved_state(folder).get("epochs", 0)


def stopped(folder):
    """Whether the run in `folder` had stopped (early) at its last backup."""
    return _saved_state(folder).get("stopped", False)


# What a backup keeps of Keras' own `EarlyStopping`.
KERAS_STATE = ("wait", "best", "best_epoch", "stopped_epoch")


class TrainingState(keras.callbacks.Callback):
    """Back up a run at epochs' ends; restore it when training starts.

    Like `keras.callbacks.BackupAndRestore`, but the backup is complete, so
    a resumed run ends with the weights of an uninterrupted one: every
    model variable (random seed states included, which `save_weights`
    leaves out), the optimizer's variables, and the state of early
    stopping and of the best-weights checkpoint. Each backup is written to
    a new file and then named in `state.json` by an atomic rename, so a
    kill at any moment leaves the previous backup whole. The values are
    copied at the epoch's end and written while the next epoch trains;
    the next backup, and the end of training, wait for the write.

    Backing up takes at most `max_share` of the training time: an epoch
    that ends sooner after the last backup than that backup's cost (its
    copy and its write) divided by `max_share` is not backed up. So runs
    whose epochs take longer than 100 backups are backed up every epoch,
    and a resumed run of shorter epochs repeats at most that much
    training (seconds for the zoo's models). Either way, a resumed run
    ends with the weights of an uninterrupted one.

    Pass it last in `fit`'s callbacks, after the callbacks it restores, and
    pass `fit` `initial_epoch=completed_epochs(folder)`. If `fit` raises,
    call `join()` before touching `folder`: `fit` then skips
    `on_train_end`, which waits for the last write.

    Args:
        folder: str or `pathlib.Path`. Where the backup lives.
        early_stopping: `keras.callbacks.EarlyStopping` or None.
        checkpoint: `keras.callbacks.ModelCheckpoint` or None.
        max_share: float. Largest share of the training time spent on
            backups.
    """

    def __init__(
        self, folder, early_stopping=None, checkpoint=None, max_share=0.01
    ):
        super().__init__()
        self.folder = pathlib.Path(folder)
        self.early_stopping = early_stopping
        self.checkpoint = checkpoint
        self.max_share = max_share
        self._due = 0.0  # When the next backup may start.
        self._writer = self._error = None

    def _weight_indices(self, variables):
        # Where each of `model.weights` (early stopping's best weights) is
        # among `variables`, the model's `state_variables`.
        position = {id(v): i for i, v in enumerate(variables)}
        return [position[id(w)] for w in self.model.weights]

    def on_train_begin(self, logs=None):
        state = _saved_state(self.folder)
        if not state:
            return
        if not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        variables = state_variables(self.model)
        values, best = _read_arrays(self.folder / state["arrays"], state)
        if len(values) != len(variables):
            raise ValueError(
                f"The backup in {self.folder} is of another model."
            )
        for variable, value in zip(variables, values):
            variable.assign(value)
        if state.get("best_is_current"):
            best = [values[i] for i in self._weight_indices(variables)]
        stopping = self.early_stopping
        if stopping is not None:
            for key, value in state["early_stopping"].items():
                setattr(stopping, key, value)
            stopping.best_weights = best or None
        if self.checkpoint is not None:
            self.checkpoint.best = state["checkpoint_best"]

    def on_epoch_end(self, epoch, logs=None):
        # Process 0 backs up the run for every process.
        if not is_chief() or time.perf_counter() < self._due:
            return
        self._wait()
        start = time.perf_counter()
        stopping = self.early_stopping
        best = getattr(stopping, "best_weights", None) or []
        # The best weights are most often this epoch's: neither copied nor
        # written twice.
        current = bool(best) and stopping.best_epoch == epoch
        # A snapshot now; written to disk while the next epoch trains.
        variables = state_variables(self.model)
        if current:
            for i, value in zip(self._weight_indices(variables), best):
                variables[i] = value
        values = [np.asarray(v) for v in variables]
        state = {
            "epochs": epoch + 1,
            "arrays": f"state-{epoch + 1}.npy",
            "variables": len(values),
            "best_weights": 0 if current else len(best),
            "best_is_current": current,
            "stopped": bool(self.model.stop_training),
            "early_stopping": {
                key: _plain(getattr(stopping, key, None))
                for key in getattr(stopping, "STATE", KERAS_STATE)
            },
            "checkpoint_best": _plain(getattr(self.checkpoint, "best", None)),
        }
        arrays = values + ([] if current else list(best))
        copy = time.perf_counter() - start
        self._writer = threading.Thread(
            target=self._write, args=(arrays, state, copy)
        )
        self._writer.start()

    def on_train_end(self, logs=None):
        self._wait()

    def join(self):
        """Wait for the backup being written, if any.

        `fit` skips `on_train_end` when it raises; a backup left writing
        could then land in a folder the next run has made anew.
        """
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.join()

    def _wait(self):
        """Wait for the backup being written; raise what it raised."""
        self.join()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def _write(self, arrays, state, copy):
        start = time.perf_counter()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = state["arrays"]
            with open(self.folder / name, "wb") as f:
                # A stream of .npy arrays: no zip, no checksum (np.savez
                # took 0.47 s an epoch for seed001_mmlm's 8.7M weights).
                for value in arrays:
                    np.save(f, np.asarray(value), allow_pickle=False)
            temporary = self.folder / f"{STATE_FILE}.tmp"
            temporary.write_text(json.dumps(state))
            os.replace(temporary, self.folder / STATE_FILE)
            for old in self.folder.glob("state-*.np[yz]"):
                if old.name != name:
                    old.unlink()
        except Exception as e:
            self._error = e
        cost = copy + time.perf_counter() - start
        self._due = time.perf_counter() + cost / self.max_share


def _read_arrays(path, state):
    """`(variable values, best weights)` of a backup file."""
    if path.suffix == ".npz":  # A backup of an earlier keras_mm.
        with np.load(path) as arrays:
            count = sum(k.startswith("v") for k in arrays.files)
            values = [arrays[f"v{i}"] for i in range(count)]
            best = [arrays[f"b{i}"] for i in range(state["best_weights"])]
        return values, best
    with open(path, "rb") as f:
        values = [np.load(f) for _ in range(state["variables"])]
        best = [np.load(f) for _ in range(state["best_weights"])]
    return values, best


def _plain(value):
    # NumPy scalars to Python numbers, for JSON.
    return value.item() if hasattr(value, "item") else value
