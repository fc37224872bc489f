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
