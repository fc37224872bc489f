"""The rules of the training options, shared by `keras-mm train` and
`keras_mm.workflow.train_bundle`. Imports nothing heavy (see
`keras_mm.cli.parser`)."""

import math

# option: (test, what it must be).
RULES = {
    "epochs": (lambda v: v >= 1, "at least 1"),
    "batch_size": (lambda v: v >= 1, "at least 1"),
    "patience": (lambda v: v >= 0, "0 or more"),
    "k": (lambda v: v >= 1, "at least 1"),
    "learning_rate": (
        lambda v: math.isfinite(v) and v > 0,
        "a finite number above 0",
    ),
    "modality_dropout": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "seed": (lambda v: 0 <= v < 2**32, "in [0, 2**32)"),
    "shard_mb": (lambda v: math.isfinite(v) and v > 0, "a number above 0"),
    "cache_mb": (
        lambda v: math.isfinite(v) and v >= 0,
        "a finite number, 0 (cache nothing) or more",
    ),
    "local_processes": (lambda v: v >= 1, "at least 1"),
    "num_processes": (lambda v: v >= 1, "at least 1"),
    "process_id": (lambda v: v >= 0, "0 or more"),
}


def check_options(options):
    """Raise `ValueError` naming the first option whose value is invalid.

    Args:
        options: an object with the options as attributes (the parsed
            command line, or `keras_mm.workflow.TrainingOptions`); those
            it lacks or leaves None are not checked.
    """
    for name, (valid, rule) in RULES.items():
        value = getattr(options, name, None)
        if value is not None and not valid(value):
            flag = "--" + name.replace("_", "-")
            raise ValueError(f"{flag} must be {rule}. Received: {value}")


def check_processes(options, count):
    """Raise `ValueError` unless the process options of a run agree.

    Args:
        options: the training options (`num_processes`, `process_id`,
            `coordinator`, `batch_size`, `jit_compile`).
        count: int. Processes the run will have.
    """
    given = [
        options.num_processes is not None,
        options.process_id is not None,
        options.coordinator is not None,
    ]
    if any(given) and not all(given):
        raise ValueError(
            "--num-processes, --process-id and --coordinator go together."
        )
    if options.num_processes is not None and (
        options.process_id >= options.num_processes
    ):
        raise ValueError(
            "--process-id must be below --num-processes "
            f"({options.num_processes}). Received: {options.process_id}"
        )
    if count > 1 and options.batch_size % count:
        raise ValueError(
            f"--batch-size ({options.batch_size}) must be a multiple of the "
            f"number of processes ({count})."
        )
    if count > 1 and options.jit_compile == "tune":
        raise ValueError(
            "--jit-compile tune would time each process alone, and they "
            "could choose differently: give auto, on or off."
        )
