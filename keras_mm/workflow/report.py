"""Training reports: metrics as one JSON line."""

import json
import math


def metrics_json(metrics):
    """One line of standard JSON; a NaN or infinite value becomes `null`.

    Example:
    >>> metrics_json({"accuracy": 0.5, "loss": float("nan")})
    '{"accuracy": 0.5, "loss": null}'
    """
    values = {}
    for key, value in metrics.items():
        if not isinstance(value, (int, str)):
            value = float(value)
            value = value if math.isfinite(value) else None
        values[key] = value
    return json.dumps(values, allow_nan=False)
