"""Data-parallel training in several processes, on Keras' JAX distribution.

Every process runs the same training on its own share of each batch
(`Preprocessor.dataset(shard=...)`); `keras.distribution.DataParallel`
keeps one replica of the weights per process and averages the gradients
with JAX's collectives. Process 0, the chief, writes every file.
"""

import os

import keras

_PROCESS = {"index": 0, "count": 1}
# Keras' variable for `num_processes` (see `keras.distribution.initialize`).
NUM_PROCESSES_VARIABLE = "KERAS_DISTRIBUTION_NUM_PROCESSES"


def start_processes(num_processes=None, process_id=None, coordinator=None):
    """Join the other processes of a run, and train data-parallel with them.

    Without arguments, Keras' environment variables say the same
    (`KERAS_DISTRIBUTION_NUM_PROCESSES`, `KERAS_DISTRIBUTION_PROCESS_ID`,
    `KERAS_DISTRIBUTION_JOB_ADDRESSES`); with neither, nothing happens.

    Args:
        num_processes: int or None. Processes of the run.
        process_id: int or None. This process's number, from 0.
        coordinator: str or None. `HOST:PORT` of process 0.

    Returns:
        `(index, count)`: this process's number and the number of
        processes, `(0, 1)` for a single process.
    """
    if num_processes is None and not os.environ.get(NUM_PROCESSES_VARIABLE):
        return shard()
    if keras.backend.backend() != "jax":
        raise ValueError(
            "Training in several processes needs the JAX backend "
            "(KERAS_BACKEND=jax); with TensorFlow, train in one process "
            "(see `MirroredStrategy` in the README)."
        )
    keras.distribution.initialize(coordinator, num_processes, process_id)
    import jax

    keras.distribution.set_distribution(
        # Each process feeds its own share of every batch (see `shard`),
        # and all of each validation batch: Keras would otherwise shard
        # validation data too, and drop rows to do it.
        keras.distribution.DataParallel(auto_shard_dataset=False)
    )
    _PROCESS.update(index=jax.process_index(), count=jax.process_count())
    return shard()


def shard():
    """`(index, count)` of this process in the run (see `start_processes`)."""
    return _PROCESS["index"], _PROCESS["count"]


def is_chief():
    """Whether this process writes the run's files: process 0."""
    return _PROCESS["index"] == 0


def barrier(name):
    """Wait until every process of the run has reached `name`."""
    if _PROCESS["count"] > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices(name)


def state_variables(model):
    """A compiled `model`'s variables and its optimizer's, in a fixed order.

    The model's include its random seed states, which `get_weights`
    leaves out.
    """
    return list(model.variables) + list(model.optimizer.variables)


def stop_processes(model, compile_copy):
    """Leave the run: a copy of `model` on the chief alone, None elsewhere.

    The weights are replicas, so the chief holds them all, and evaluates
    and saves the copy without the other processes, which may exit.

    Args:
        model: the trained, compiled `keras.Model`.
        compile_copy: function compiling the copy as `model` was; the
            optimizer's state is then copied too.
    """
    if _PROCESS["count"] == 1:
        return model
    import jax

    values = [keras.ops.convert_to_numpy(v) for v in state_variables(model)]
    jax.distributed.shutdown()
    keras.distribution.set_distribution(None)
    _PROCESS["count"] = 1
    if not is_chief():
        return None
    # From its config, as saving does: `clone_model` would make a subclass
    # (a recognizer, a captioner) a plain functional model.
    copy = keras.models.model_from_json(model.to_json())
    compile_copy(copy)
    copy.optimizer.build(copy.trainable_variables)
    for variable, value in zip(state_variables(copy), values, strict=True):
        variable.assign(value)
    return copy
