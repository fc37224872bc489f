import keras


class FusionLayer(keras.layers.Layer):
    """Base of the fusion layers: takes per-modality presence masks.

    Subclasses receive `mask`, a list with one `None` or bool `(batch,)`
    entry per modality (see `presence.py`), and consume it: the fused
    output carries no mask. Layers with `sequence_inputs = True` fuse token
    sequences `(batch, steps, dim)` and also take token masks
    `(batch, steps)`.
    """

    sequence_inputs = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None
