"""Per-modality presence masks, shared by the fusion layers.

A fusion layer's `mask` is a list with one entry per modality: `None` (the
modality is present in every sample) or a bool tensor `(batch,)` that is
`False` where the modality is absent.
"""

import keras


def _per_modality(inputs, mask):
    # A layer called without masks gets `mask=None`: all present.
    return [None] * len(inputs) if mask is None else mask


def presence_weights(inputs, mask):
    """Return one `(batch, 1)` tensor per modality: 1 if present, else 0."""
    weights = []
    for x, m in zip(inputs, _per_modality(inputs, mask)):
        if m is None:
            weights.append(keras.ops.ones_like(x[:, :1]))
        else:
            weights.append(
                keras.ops.cast(keras.ops.reshape(m, (-1, 1)), x.dtype)
            )
    return weights


def zero_absent(inputs, mask):
    """Zero each absent modality's features, so none of its values leak."""
    weights = presence_weights(inputs, mask)
    masks = _per_modality(inputs, mask)
    # A modality without a mask is always present: no multiply by ones.
    zeroed = [
        x if m is None else x * w for x, w, m in zip(inputs, weights, masks)
    ]
    return zeroed, weights


def token_masks(inputs, mask):
    """Return one bool `(batch, steps)` mask per sequence modality.

    Mask entries may be `None` (all tokens valid), a presence mask
    `(batch,)` or a token mask `(batch, steps)`.
    """
    masks = []
    for x, m in zip(inputs, _per_modality(inputs, mask)):
        valid = keras.ops.ones_like(x[:, :, 0], dtype="bool")
        if m is not None:
            m = keras.ops.cast(m, "bool")
            valid = valid & (m if len(m.shape) == 2 else m[:, None])
        masks.append(valid)
    return masks


def masked_mean(x, mask):
    """Mean of `x` `(batch, steps, dim)` over valid steps; 0 if none."""
    weights = keras.ops.cast(mask, x.dtype)[:, :, None]
    total = keras.ops.sum(x * weights, axis=1)
    return total / keras.ops.maximum(keras.ops.sum(weights, axis=1), 1.0)
