import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_mm")
class SpecAugment(keras.layers.Layer):
    """SpecAugment's time and frequency masks, active only while training.

    Each example gets `time_masks` runs of up to `max_time` steps and
    `frequency_masks` bands of up to `max_frequency` bins set to 0 (a
    log-mel spectrogram normalized per frame has mean 0), drawn anew at
    every step (Park et al., 2019). Without `training` it is the
    identity, so a served model never masks.

    Args:
        time_masks: int. Masks along time per example.
        max_time: int. Longest time mask, in steps.
        frequency_masks: int. Masks along frequency per example.
        max_frequency: int. Widest frequency mask, in bins.
        seed: int or None. Seed of the masks.

    Call arguments:
        spectrogram: float tensor `(batch, time, frequency)`.
        training: bool or None.

    Example:
    >>> x = np.ones((1, 20, 8))
    >>> layer = SpecAugment(max_time=5, max_frequency=2, seed=1)
    >>> bool(ops.all(layer(x) == x))
    True
    >>> float(ops.mean(layer(x, training=True))) < 1.0
    True
    """

    def __init__(
        self,
        time_masks=2,
        max_time=10,
        frequency_masks=2,
        max_frequency=8,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.time_masks = time_masks
        self.max_time = max_time
        self.frequency_masks = frequency_masks
        self.max_frequency = max_frequency
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, spectrogram, training=None):
        if not training:
            return spectrogram
        shape = ops.shape(spectrogram)
        time = self._keep(shape[0], shape[1], self.time_masks, self.max_time)
        frequency = self._keep(
            shape[0], shape[2], self.frequency_masks, self.max_frequency
        )
        keep = time[:, :, None] & frequency[:, None, :]
        return spectrogram * ops.cast(keep, spectrogram.dtype)

    def _keep(self, batch, size, count, width):
        """`(batch, size)`: False inside `count` masks of up to `width`."""
        position = ops.arange(size, dtype="float32")
        keep = ops.ones((batch, size), "bool")
        for _ in range(count):
            draws = keras.random.uniform((batch, 2), seed=self.generator)
            length = ops.floor(draws[:, :1] * (width + 1))
            room = ops.maximum(ops.cast(size, "float32") - length, 1.0)
            start = ops.floor(draws[:, 1:] * room)
            inside = (position >= start) & (position < start + length)
            keep = keep & ~inside
        return keep

    def get_config(self):
        return {
            **super().get_config(),
            "time_masks": self.time_masks,
            "max_time": self.max_time,
            "frequency_masks": self.frequency_masks,
            "max_frequency": self.max_frequency,
            "seed": self.seed,
        }
