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
    >>> mask = FrameMask(160, 2)(np.zeros((2, 4, 1)), np.array([800, 160]))
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
        frames = 1 + ops.floor_divide(
            ops.cast(lengths, "int32"), self.hop_length
        )
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
class ClipStandardization(FrameMask):
    """Each feature standardized over a clip's own frames (CMVN).

    The mean and variance of every feature (mel bin) are taken over the
    frames before the clip's end, which removes what is constant over a
    clip (microphone, room, a voice's spectral tilt); frames past the end
    are set to 0.

    Example:
    >>> x = np.array([[[1.0], [3.0], [9.0]]])
    >>> y = ClipStandardization(160)(x, np.array([160]))
    >>> keras.ops.convert_to_numpy(y)[0, :, 0].round(3).tolist()
    [-1.0, 1.0, 0.0]
    """

    def call(self, sequence, lengths):
        mask = ops.cast(super().call(sequence, lengths), sequence.dtype)
        mask = mask[:, :, None]
        count = ops.maximum(ops.sum(mask, axis=1, keepdims=True), 1.0)
        mean = ops.sum(sequence * mask, axis=1, keepdims=True) / count
        centred = (sequence - mean) * mask
        variance = ops.sum(centred**2, axis=1, keepdims=True) / count
        return centred / ops.sqrt(variance + 1e-3)

    def compute_output_spec(self, sequence, lengths):
        return keras.KerasTensor(sequence.shape, dtype=sequence.dtype)


@keras.saving.register_keras_serializable(package="keras_mm")
class ClipReversal(FrameMask):
    """Each clip's steps in reverse order, its padding left at the end.

    A recurrent layer run forward over the reversed steps is the backward
    half of a bidirectional one that never sees the padding: a clip's
    last step comes first, whatever the batch pads it with. Applied again
    to that layer's outputs, it puts them back in time order. Unlike a
    mask, it costs the recurrent loop nothing per step.

    Call arguments:
        sequence: tensor `(batch, steps, features)`.
        lengths: int tensor `(batch,)`: samples of each clip.

    Example:
    >>> x = np.arange(8.0).reshape((2, 4, 1))
    >>> y = ClipReversal(160)(x, np.array([320, 0]))
    >>> keras.ops.convert_to_numpy(y)[:, :, 0].tolist()
    [[2.0, 1.0, 0.0, 3.0], [4.0, 5.0, 6.0, 7.0]]
    """

    def call(self, sequence, lengths):
        steps = ops.arange(ops.shape(sequence)[1], dtype="int32")[None, :]
        valid = ops.expand_dims(self.steps(lengths), 1)
        # (batch, steps): where each step is read from.
        source = ops.where(steps < valid, valid - 1 - steps, steps)
        # Whole rows of the flattened steps: a row gather, whose gradient
        # costs less than an element-wise one.
        shape = ops.shape(sequence)
        offsets = ops.arange(shape[0], dtype="int32")[:, None] * shape[1]
        rows = ops.reshape(sequence, (-1, sequence.shape[-1]))
        flat = ops.take(rows, ops.reshape(source + offsets, (-1,)), axis=0)
        return ops.reshape(flat, shape)

    def compute_output_spec(self, sequence, lengths):
        return keras.KerasTensor(sequence.shape, dtype=sequence.dtype)
