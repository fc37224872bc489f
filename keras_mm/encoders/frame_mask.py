import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_mm")
class FrameMask(keras.layers.Layer):
    """Which frames of a sequence hold audio: `True` before the clip's end.

    A clip of `n` samples gives `1 + n // hop_length` spectrogram frames
    (`keras.layers.MelSpectrogram` pads the clip's ends), and
    `ceil(frames / subsampling)` after the front end's strides. Masks are
    computed in the graph from the lengths, as `PaddingMask` does for
    tokens, so the SavedModel keeps them.

    Args:
        hop_length: int. Samples between spectrogram frames.
        subsampling: int. Frames per sequence step after the front end.

    Call arguments:
        sequence: tensor `(batch, steps, ...)`.
        lengths: int tensor `(batch,)`: samples of each clip.

    Returns:
        A bool tensor `(batch, steps)`.

    Example:
    >>> mask = FrameMask(160, 2)(np.zeros((2, 4, 1)), np.array([480, 160]))
    >>> keras.ops.convert_to_numpy(mask)
    array([[ True,  True,  True, False],
           [ True, False, False, False]])
    """

    def __init__(self, hop_length, subsampling=1, **kwargs):
        super().__init__(**kwargs)
        self.hop_length = int(hop_length)
        self.subsampling = int(subsampling)

    def call(self, sequence, lengths):
        steps = ops.shape(sequence)[1]
        valid = self.steps(lengths)
        return ops.arange(steps)[None, :] < ops.expand_dims(valid, 1)

    def steps(self, lengths):
        """Valid sequence steps of clips of `lengths` samples, as int32."""
        frames = 1 + ops.floor_divide(ops.cast(lengths, "int32"), self.hop_length)
        return -ops.floor_divide(-frames, self.subsampling)

    def compute_output_spec(self, sequence, lengths):
        return keras.KerasTensor(sequence.shape[:2], dtype="bool")

    def get_config(self):
        return {
            **super().get_config(),
            "hop_length": self.hop_length,
            "subsampling": self.subsampling,
        }


@keras.saving.register_keras_serializable(package="keras_mm")
class MaskedFrames(FrameMask):
    """A sequence with its steps past each clip's end set to 0.

    What follows (a convolution's "same" padding) then sees the same
    zeros whether a clip was padded in a batch or not.

    Example:
    >>> x = np.ones((1, 3, 2))
    >>> keras.ops.convert_to_numpy(MaskedFrames(160)(x, np.array([160])))
    array([[[1., 1.],
            [1., 1.],
            [0., 0.]]], dtype=float32)
    """

    def call(self, sequence, lengths):
        mask = super().call(sequence, lengths)
        return sequence * ops.cast(mask, sequence.dtype)[:, :, None]

    def compute_output_spec(self, sequence, lengths):
        return keras.KerasTensor(sequence.shape, dtype=sequence.dtype)
