import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_mm")
class SpecAugment(keras.layers.Layer):
    """SpecAugment's warp and masks, active only while training.

    Each example's frequency axis is first stretched by a factor drawn in
    `[1 - max_warp, 1 + max_warp]` (a vocal tract length perturbation,
    VTLP, Jaitly and Hinton, 2013: bin `j` takes the value at `j / factor`,
    interpolated, and the edge bin beyond the top). Then it gets
    `time_masks` runs of up to `max_time` steps and `frequency_masks`
    bands of up to `max_frequency` bins set to 0 (a log-mel spectrogram
    normalized per frame has mean 0), drawn anew at every step (Park et
    al., 2019). Without `training` it is the identity, so a served model
    never warps or masks.

    Args:
        time_masks: int. Masks along time per example.
        max_time: int. Longest time mask, in steps.
        frequency_masks: int. Masks along frequency per example.
        max_frequency: int. Widest frequency mask, in bins.
        max_warp: float. Largest relative stretch of the frequency axis
            (0: none).
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
        max_warp=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.time_masks = time_masks
        self.max_time = max_time
        self.frequency_masks = frequency_masks
        self.max_frequency = max_frequency
        self.max_warp = max_warp
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, spectrogram, training=None):
        if not training:
            return spectrogram
        if self.max_warp:
            spectrogram = self._warp(spectrogram)
        shape = ops.shape(spectrogram)
        time = self._keep(shape[0], shape[1], self.time_masks, self.max_time)
        frequency = self._keep(
            shape[0], shape[2], self.frequency_masks, self.max_frequency
        )
        keep = time[:, :, None] & frequency[:, None, :]
        return spectrogram * ops.cast(keep, spectrogram.dtype)

    def _warp(self, spectrogram):
        bins = spectrogram.shape[-1]
        factor = keras.random.uniform(
            (ops.shape(spectrogram)[0], 1, 1),
            1 - self.max_warp,
            1 + self.max_warp,
            seed=self.generator,
        )
        # (batch, 1, bins): where each bin's value is read.
        source = ops.arange(bins, dtype="float32") / factor
        source = ops.minimum(source, bins - 1)
        low = ops.floor(source)
        weight = ops.cast(source - low, spectrogram.dtype)
        low = ops.cast(low, "int32")
        high = ops.minimum(low + 1, bins - 1)
        shape = ops.shape(spectrogram)
        below = ops.take_along_axis(
            spectrogram, ops.broadcast_to(low, shape), axis=-1
        )
        above = ops.take_along_axis(
            spectrogram, ops.broadcast_to(high, shape), axis=-1
        )
        return below + (above - below) * weight

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
            "max_warp": self.max_warp,
            "seed": self.seed,
        }
