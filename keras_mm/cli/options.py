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


def check_options(args):
    """Raise `ValueError` naming the first option whose value is invalid.

    Runs before any work, so a bad value never costs a training run.
    """
    for name, (valid, rule) in RULES.items():
        value = getattr(args, name, None)
        if value is not None and not valid(value):
            flag = "--" + name.replace("_", "-")
            raise ValueError(f"{flag} must be {rule}. Received: {value}")
    _check_processes(args)


def _check_processes(args):
    if not hasattr(args, "local_processes"):
        return  # Not `train`.
    local, count = args.local_processes, args.num_processes
    index = args.process_id
    given = [count is not None, index is not None, args.coordinator is not None]
    if local is not None and any(given):
        raise ValueError(
            "--local-processes starts its own processes: give it without "
            "--num-processes, --process-id and --coordinator."
        )
    if any(given) and not all(given):
        raise ValueError(
            "--num-processes, --process-id and --coordinator go together."
        )
    if count is not None and index >= count:
        raise ValueError(
            f"--process-id must be below --num-processes ({count}). "
            f"Received: {index}"
        )
    several = (local or count or 1) > 1
    if several and args.batch_size % (local or count):
        raise ValueError(
            f"--batch-size ({args.batch_size}) must be a multiple of the "
            f"number of processes ({local or count})."
        )
    if several and args.jit_compile == "tune":
        raise ValueError(
            "--jit-compile tune would time each process alone, and they "
            "could choose differently: give auto, on or off."
        )
